#include "engine/projection/case_facts.h"

#include <algorithm>

#include "engine/domain/calendar.h"

namespace tillvaxt::projection {
namespace {

using domain::EventType;

void CloseMatchedSpell(CaseFacts& f, Time t) {
  if (!f.matched_since) return;
  if (t > *f.matched_since) {
    f.idle_ms += base::ToUnixMillis(t) - base::ToUnixMillis(*f.matched_since);
    f.idle_business_days += domain::BusinessDaysBetween(*f.matched_since, t);
  }
  f.matched_since.reset();
}

// --- Encoding: a version byte, then varints and length-prefixed strings. ---

constexpr uint8_t kFormat = 1;

class Writer {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void S(const std::string& s) {
    U(s.size());
    out_ += s;
  }
  void T(Time t) { I(base::ToUnixMillis(t)); }
  void OT(const std::optional<Time>& t) {
    U(t ? 1 : 0);
    if (t) T(*t);
  }
  void V(const std::vector<std::string>& v) {
    U(v.size());
    for (const std::string& s : v) S(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint64_t U() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) {
        ok_ = false;
        return 0;
      }
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t I() {
    const uint64_t u = U();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  std::string S() {
    const uint64_t n = U();
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Time T() { return base::FromUnixMillis(I()); }
  std::optional<Time> OT() {
    if (U() == 0) return std::nullopt;
    return T();
  }
  std::vector<std::string> V() {
    const uint64_t n = U();
    std::vector<std::string> v;
    for (uint64_t i = 0; i < n && ok_; ++i) v.push_back(S());
    return v;
  }
  size_t Count() {  // a repeated count, bounded by the bytes left
    const uint64_t n = U();
    if (n > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::optional<int64_t> CaseFacts::TimeToClaimMs() const {
  if (!first_matched || !claimed) return std::nullopt;
  return std::max<int64_t>(0, base::ToUnixMillis(*claimed) - base::ToUnixMillis(*first_matched));
}

std::optional<int64_t> CaseFacts::TimeToResolveMs() const {
  if (!resolved) return std::nullopt;
  return std::max<int64_t>(0, base::ToUnixMillis(*resolved) - base::ToUnixMillis(created));
}

void ApplyFact(CaseFacts& f, const domain::Event& e) {
  const bool state_changes = !e.to_state.empty() && e.to_state != f.state;
  // A deadline is passed when the case leaves it (a new state or a new deadline) after it.
  if (f.deadline && e.time > *f.deadline && (state_changes || e.deadline != f.deadline)) {
    ++f.sla_breaches;
  }
  // The matched spell ends when the case leaves the matched state.
  if (state_changes && !f.matched_state.empty() && f.state == f.matched_state) {
    CloseMatchedSpell(f, e.time);
  }
  f.version = e.seq;
  if (state_changes) {
    f.state = e.to_state;
    f.state_time = e.time;
    f.ended_unmatched = e.type == EventType::kUnmatched;
  } else if (e.type == EventType::kRouted) {
    f.state_time = e.time;
  }
  f.deadline = e.deadline;
  if (!e.level.empty()) f.level = e.level;

  switch (e.type) {
    case EventType::kCreated:
      f.id = e.case_id;
      f.created = e.time;
      f.level = e.level;
      f.highest_level = e.level;
      if (e.created) {
        f.node = e.created->node;
        f.parent_id = e.created->parent_id;
        f.needs = e.created->needs;
        f.areas = e.created->areas;
      }
      break;
    case EventType::kTriaged:
      f.needs = e.needs;
      f.areas = e.areas;
      break;
    case EventType::kRouted:
      f.matched_state = e.to_state;
      if (!f.first_matched) f.first_matched = e.time;
      if (!f.matched_since) f.matched_since = e.time;
      break;
    case EventType::kEscalated:
      f.highest_level = e.level;
      f.assignee.clear();
      f.escalations.push_back({e.from_level, e.reason, e.time});
      if (e.reason == "ALL_DECLINED") f.all_declined = true;
      break;
    case EventType::kUnmatched:
      if (e.reason == "ALL_DECLINED") f.all_declined = true;
      break;
    case EventType::kClaimed:
      f.assignee = e.actor;
      if (!f.claimed) {
        f.claimed = e.time;
        if (f.first_matched) {
          f.time_to_claim_business_days = domain::BusinessDaysBetween(*f.first_matched, e.time);
        }
      }
      break;
    case EventType::kDeclined:
      ++f.declines;
      break;
    case EventType::kReleased:
      f.assignee.clear();
      break;
    case EventType::kReassigned:
      f.assignee = e.actor;
      break;
    case EventType::kResolved:
      f.outcome = e.outcome.kind;
      if (!f.resolved) {
        f.resolved = e.time;
        f.time_to_resolve_business_days = domain::BusinessDaysBetween(f.created, e.time);
      }
      break;
    case EventType::kReopened:
      f.outcome.clear();
      break;
    case EventType::kEffectRecorded:
      f.effects.push_back({e.outcome.kind, e.months_after_close, e.time});
      break;
    default:  // the other events change none of the facts
      break;
  }
  // Entering the matched state without ROUTED (a release) opens a spell too.
  if (state_changes && !f.matched_state.empty() && f.state == f.matched_state &&
      !f.matched_since) {
    f.matched_since = e.time;
  }
}

CaseFacts FoldFacts(const std::vector<domain::Event>& events) {
  CaseFacts f;
  for (const domain::Event& e : events) ApplyFact(f, e);
  return f;
}

std::string EncodeFacts(const CaseFacts& f) {
  Writer w;
  w.U(kFormat);
  w.S(f.id);
  w.I(f.version);
  w.S(f.node);
  w.S(f.parent_id);
  w.V(f.needs);
  w.V(f.areas);
  w.T(f.created);
  w.OT(f.first_matched);
  w.OT(f.claimed);
  w.OT(f.resolved);
  w.S(f.level);
  w.S(f.highest_level);
  w.S(f.state);
  w.T(f.state_time);
  w.S(f.assignee);
  w.S(f.outcome);
  w.U(f.escalations.size());
  for (const EscalationFact& x : f.escalations) {
    w.S(x.from_level);
    w.S(x.reason);
    w.T(x.time);
  }
  w.I(f.declines);
  w.U((f.all_declined ? 1u : 0u) | (f.ended_unmatched ? 2u : 0u));
  w.I(f.idle_ms);
  w.I(f.idle_business_days);
  w.I(f.time_to_claim_business_days);
  w.I(f.time_to_resolve_business_days);
  w.I(f.sla_breaches);
  w.OT(f.deadline);
  w.U(f.effects.size());
  for (const EffectFact& x : f.effects) {
    w.S(x.kind);
    w.I(x.months_after_close);
    w.T(x.time);
  }
  w.S(f.matched_state);
  w.OT(f.matched_since);
  return std::move(w.out());
}

base::Result<CaseFacts> DecodeFacts(std::string_view bytes) {
  Reader r(bytes);
  if (r.U() != kFormat) return base::Internal("case facts: unknown format");
  CaseFacts f;
  f.id = r.S();
  f.version = r.I();
  f.node = r.S();
  f.parent_id = r.S();
  f.needs = r.V();
  f.areas = r.V();
  f.created = r.T();
  f.first_matched = r.OT();
  f.claimed = r.OT();
  f.resolved = r.OT();
  f.level = r.S();
  f.highest_level = r.S();
  f.state = r.S();
  f.state_time = r.T();
  f.assignee = r.S();
  f.outcome = r.S();
  for (size_t i = 0, n = r.Count(); i < n && r.ok(); ++i) {
    EscalationFact x;
    x.from_level = r.S();
    x.reason = r.S();
    x.time = r.T();
    f.escalations.push_back(std::move(x));
  }
  f.declines = static_cast<int>(r.I());
  const uint64_t flags = r.U();
  f.all_declined = (flags & 1u) != 0;
  f.ended_unmatched = (flags & 2u) != 0;
  f.idle_ms = r.I();
  f.idle_business_days = static_cast<int>(r.I());
  f.time_to_claim_business_days = static_cast<int>(r.I());
  f.time_to_resolve_business_days = static_cast<int>(r.I());
  f.sla_breaches = static_cast<int>(r.I());
  f.deadline = r.OT();
  for (size_t i = 0, n = r.Count(); i < n && r.ok(); ++i) {
    EffectFact x;
    x.kind = r.S();
    x.months_after_close = static_cast<int>(r.I());
    x.time = r.T();
    f.effects.push_back(std::move(x));
  }
  f.matched_state = r.S();
  f.matched_since = r.OT();
  if (!r.ok() || !r.AtEnd()) return base::Internal("case facts: malformed bytes");
  return f;
}

}  // namespace tillvaxt::projection
