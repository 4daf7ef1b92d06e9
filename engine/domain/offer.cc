#include "engine/domain/offer.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_set>

namespace tillvaxt::domain {
namespace {

constexpr size_t kMaxOfferDescription = 20000;

bool Contains(const std::vector<std::string>& items, const std::string& value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

bool Intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (Contains(b, x)) return true;
  }
  return false;
}

std::vector<std::string> Unique(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& s : items) {
    if (!Contains(out, s)) out.push_back(s);
  }
  return out;
}

}  // namespace

const char* OfferEventTypeName(OfferEventType type) {
  switch (type) {
    case OfferEventType::kPublished:
      return "PUBLISHED";
    case OfferEventType::kChannelled:
      return "CHANNELLED";
    case OfferEventType::kWithdrawn:
      return "WITHDRAWN";
    case OfferEventType::kExpired:
      return "EXPIRED";
    case OfferEventType::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

void ApplyOfferEvent(Offer& offer, const OfferEvent& e) {
  offer.version = e.seq;
  offer.update_time = e.time;
  switch (e.type) {
    case OfferEventType::kPublished:
      offer.id = e.offer_id;
      offer.actor = e.actor;
      offer.level = e.level;
      offer.create_time = e.time;
      offer.state = kOfferPublished;
      if (e.draft) {
        offer.kind = e.draft->kind;
        offer.title = e.draft->title;
        offer.description = e.draft->description;
        offer.needs = e.draft->needs;
        offer.areas = e.draft->areas;
        offer.nodes = e.draft->nodes;
        offer.url = e.draft->url;
        offer.valid_from = e.draft->valid_from;
        offer.valid_until = e.draft->valid_until;
      }
      break;
    case OfferEventType::kChannelled:
      offer.recipients.push_back(e.recipients);
      break;
    case OfferEventType::kWithdrawn:
      offer.state = kOfferWithdrawn;
      offer.reason = e.reason;
      break;
    case OfferEventType::kExpired:
      offer.state = kOfferExpired;
      break;
    case OfferEventType::kUnspecified:
      break;
  }
}

Offer FoldOffer(const std::vector<OfferEvent>& events) {
  Offer offer;
  for (const OfferEvent& e : events) ApplyOfferEvent(offer, e);
  return offer;
}

base::Status ValidateOfferDraft(const Config& config, const OfferDraft& draft) {
  std::vector<base::FieldViolation> v;
  if (std::find_if(std::begin(kOfferKinds), std::end(kOfferKinds), [&](const char* k) {
        return draft.kind == k;
      }) == std::end(kOfferKinds)) {
    v.push_back({"kind", "must be one of PROJECT, ANALYSIS, NETWORK, COLLABORATION, TREND, "
                         "FUNDING_CALL, EVENT"});
  }
  if (draft.title.find_first_not_of(" \t\r\n") == std::string::npos) {
    v.push_back({"title", "required"});
  } else if (draft.title.size() > kMaxOfferTitle) {
    v.push_back({"title", "at most 200 characters"});
  }
  if (draft.description.size() > kMaxOfferDescription) {
    v.push_back({"description", "at most 20000 characters"});
  }
  for (const std::string& n : draft.needs) {
    if (!config.HasNeed(n)) v.push_back({"needs", "unknown need '" + n + "'"});
  }
  for (const std::string& a : draft.areas) {
    if (!config.HasArea(a)) v.push_back({"areas", "unknown area '" + a + "'"});
  }
  for (const std::string& n : draft.nodes) {
    if (!config.HasNode(n)) v.push_back({"nodes", "unknown node '" + n + "'"});
  }
  if (draft.valid_from && draft.valid_until && *draft.valid_until <= *draft.valid_from) {
    v.push_back({"validUntil", "must be after validFrom"});
  }
  if (!draft.url.empty() && draft.url.rfind("https://", 0) != 0 &&
      draft.url.rfind("http://", 0) != 0) {
    v.push_back({"url", "must start with http:// or https://"});
  }
  if (v.empty()) return base::Status::Ok();
  std::string message = v.front().field + ": " + v.front().description;
  if (v.size() > 1) message += " (and " + std::to_string(v.size() - 1) + " more)";
  return base::InvalidArgument(std::move(message), std::move(v));
}

bool IsOfferActive(const Offer& offer, Time now) {
  if (offer.state != kOfferPublished) return false;
  if (offer.valid_from && now < *offer.valid_from) return false;
  if (offer.valid_until && now >= *offer.valid_until) return false;
  return true;
}

// --- OfferChannel ---

struct OfferChannel::Index {
  struct Level {
    std::vector<uint32_t> actors;  // indexes into config.actors, ascending
    std::unordered_map<std::string, std::vector<uint32_t>> by_need;
    std::unordered_map<std::string, std::vector<uint32_t>> by_area;
  };
  std::vector<Level> levels;  // by ladder position
};

OfferChannel::OfferChannel(const Config& config)
    : config_(config), index_(std::make_unique<Index>()) {
  index_->levels.resize(config.levels.size());
  for (size_t i = 0; i < config.actors.size(); ++i) {
    const Actor& a = config.actors[i];
    const int level = config.LevelIndex(a.level);
    if (level < 0) continue;
    Index::Level& l = index_->levels[static_cast<size_t>(level)];
    const auto at = static_cast<uint32_t>(i);
    l.actors.push_back(at);
    for (const std::string& n : Unique(a.needs)) l.by_need[n].push_back(at);
    for (const std::string& ar : Unique(a.areas)) l.by_area[ar].push_back(at);
  }
}

OfferChannel::~OfferChannel() = default;

std::vector<OfferRecipients> OfferChannel::Channel(const std::string& publisher_level,
                                                   const OfferDraft& draft,
                                                   const std::string& publisher, Time now) const {
  std::vector<OfferRecipients> out;
  const int top = config_.LevelIndex(publisher_level);
  if (top < 0 || config_.levels.empty()) return out;
  std::vector<std::string> lowest_nodes;
  if (draft.nodes.empty()) {
    for (const Named& n : config_.nodes) lowest_nodes.push_back(n.id);
  } else {
    lowest_nodes = Unique(draft.nodes);
  }
  if (top == 0) {  // nothing below: the nodes of its own level are the audience
    out.push_back({config_.levels[0], {}, lowest_nodes, now});
    return out;
  }
  const bool general = draft.needs.empty() && draft.areas.empty();
  std::vector<uint8_t> seen(config_.actors.size(), 0);
  for (int level = top - 1; level >= 0; --level) {
    const Index::Level& l = index_->levels[static_cast<size_t>(level)];
    std::vector<uint32_t> hits;
    auto take = [&](uint32_t at) {
      if (seen[at]) return;
      seen[at] = 1;
      const Actor& a = config_.actors[at];
      if (a.id == publisher) return;
      if (!draft.nodes.empty() && !a.nodes.empty() && !Intersects(draft.nodes, a.nodes)) return;
      hits.push_back(at);
    };
    if (general) {
      for (uint32_t at : l.actors) take(at);
    } else {
      for (const std::string& n : draft.needs) {
        auto it = l.by_need.find(n);
        if (it != l.by_need.end()) {
          for (uint32_t at : it->second) take(at);
        }
      }
      for (const std::string& ar : draft.areas) {
        auto it = l.by_area.find(ar);
        if (it != l.by_area.end()) {
          for (uint32_t at : it->second) take(at);
        }
      }
    }
    std::sort(hits.begin(), hits.end());
    OfferRecipients r;
    r.level = config_.levels[static_cast<size_t>(level)];
    r.time = now;
    r.actors.reserve(hits.size());
    for (uint32_t at : hits) r.actors.push_back(config_.actors[at].id);
    if (level == 0) r.nodes = lowest_nodes;
    out.push_back(std::move(r));
  }
  return out;
}

// --- Deciding ---

base::Result<std::vector<OfferEvent>> DecidePublish(const Config& config,
                                                    const OfferChannel& channel,
                                                    const Principal& who, OfferDraft draft,
                                                    const std::string& id, Time now) {
  if (who.role != Role::kActor) return base::PermissionDenied("only an actor may publish offers");
  const Actor* actor = config.FindActor(who.actor);
  if (actor == nullptr) {
    return base::PermissionDenied("user '" + who.username +
                                  "' works for no configured actor and cannot publish offers");
  }
  TV_RETURN_IF_ERROR(ValidateOfferDraft(config, draft));
  if (draft.valid_until && *draft.valid_until <= now) {
    return base::InvalidField("validUntil", "the validity window is already over");
  }
  draft.needs = Unique(draft.needs);
  draft.areas = Unique(draft.areas);
  draft.nodes = Unique(draft.nodes);
  std::vector<OfferEvent> events;
  OfferEvent published;
  published.offer_id = id;
  published.seq = 1;
  published.type = OfferEventType::kPublished;
  published.time = now;
  published.user = who.username;
  published.actor = actor->id;
  published.level = actor->level;
  std::vector<OfferRecipients> recipients = channel.Channel(actor->level, draft, actor->id, now);
  published.draft = std::move(draft);
  events.push_back(std::move(published));
  for (OfferRecipients& r : recipients) {
    OfferEvent e;
    e.offer_id = id;
    e.seq = static_cast<int64_t>(events.size()) + 1;
    e.type = OfferEventType::kChannelled;
    e.time = now;
    e.user = who.username;
    e.recipients = std::move(r);
    events.push_back(std::move(e));
  }
  return events;
}

base::Result<std::vector<OfferEvent>> DecideWithdraw(const Offer& offer, const Principal& who,
                                                     const std::string& reason, Time now) {
  if (who.role != Role::kActor || who.actor != offer.actor) {
    return base::PermissionDenied("only its actor may withdraw offer '" + offer.id + "'");
  }
  if (offer.state != kOfferPublished) {
    return base::FailedPrecondition("cannot withdraw an offer in state " + offer.state);
  }
  OfferEvent e;
  e.offer_id = offer.id;
  e.seq = offer.version + 1;
  e.type = OfferEventType::kWithdrawn;
  e.time = now;
  e.user = who.username;
  e.reason = reason;
  return std::vector<OfferEvent>{std::move(e)};
}

std::vector<OfferEvent> DecideExpire(const Offer& offer, Time now) {
  if (offer.state != kOfferPublished || !offer.valid_until || now < *offer.valid_until) return {};
  OfferEvent e;
  e.offer_id = offer.id;
  e.seq = offer.version + 1;
  e.type = OfferEventType::kExpired;
  e.time = now;
  e.user = "system";
  return {std::move(e)};
}

// --- Matching and ranking ---

OfferFit MatchOffer(const Offer& offer, const Case& c, const RoutingWeights& weights) {
  OfferFit fit;
  if (!offer.nodes.empty() && !Contains(offer.nodes, c.node)) return fit;
  for (const std::string& n : Unique(c.needs)) {
    if (Contains(offer.needs, n)) {
      fit.score += weights.need;
      fit.reasons.push_back("need:" + n);
    }
  }
  for (const std::string& a : Unique(c.areas)) {
    if (Contains(offer.areas, a)) {
      fit.score += weights.area;
      fit.reasons.push_back("area:" + a);
    }
  }
  if (fit.reasons.empty()) return {};
  if (!offer.nodes.empty()) {
    fit.score += weights.node;
    fit.reasons.push_back("node:" + c.node);
  }
  return fit;
}

struct OfferIndex::Impl {
  // What ranking reads of each slot, kept flat so a scan over tens of thousands of touched
  // offers stays in cache (an Offer is hundreds of bytes of strings).
  struct Slot {
    int64_t from = INT64_MIN;   // valid_from in ms, or the earliest time
    int64_t until = INT64_MAX;  // valid_until in ms, or never
    int64_t created = 0;
    bool has_nodes = false;
  };
  std::vector<Offer> offers;  // slots; dead ones are tombstones
  std::vector<Slot> slots;
  std::vector<uint8_t> live;
  std::unordered_map<std::string, uint32_t> by_id;
  std::unordered_map<std::string, std::vector<uint32_t>> by_need;
  std::unordered_map<std::string, std::vector<uint32_t>> by_area;
  size_t dead = 0;

  void Index(uint32_t slot) {
    const Offer& o = offers[slot];
    if (slots.size() <= slot) slots.resize(slot + 1);
    Slot& x = slots[slot];
    x.from = o.valid_from ? base::ToUnixMillis(*o.valid_from) : INT64_MIN;
    x.until = o.valid_until ? base::ToUnixMillis(*o.valid_until) : INT64_MAX;
    x.created = base::ToUnixMillis(o.create_time);
    x.has_nodes = !o.nodes.empty();
    for (const std::string& n : Unique(o.needs)) by_need[n].push_back(slot);
    for (const std::string& a : Unique(o.areas)) by_area[a].push_back(slot);
  }

  void Kill(const std::string& id) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    live[it->second] = 0;
    ++dead;
    by_id.erase(it);
  }

  void Compact() {
    std::vector<Offer> keep;
    keep.reserve(by_id.size());
    for (size_t i = 0; i < offers.size(); ++i) {
      if (live[i]) keep.push_back(std::move(offers[i]));
    }
    offers = std::move(keep);
    slots.clear();
    live.assign(offers.size(), 1);
    by_id.clear();
    by_need.clear();
    by_area.clear();
    dead = 0;
    for (uint32_t i = 0; i < offers.size(); ++i) {
      by_id[offers[i].id] = i;
      Index(i);
    }
  }
};

OfferIndex::OfferIndex() : impl_(std::make_unique<Impl>()) {}
OfferIndex::~OfferIndex() = default;

void OfferIndex::Put(Offer offer) {
  impl_->Kill(offer.id);
  if (offer.state == kOfferPublished) {
    const auto slot = static_cast<uint32_t>(impl_->offers.size());
    impl_->by_id[offer.id] = slot;
    impl_->offers.push_back(std::move(offer));
    impl_->live.push_back(1);
    impl_->Index(slot);
  }
  if (impl_->dead > 1024 && impl_->dead > impl_->by_id.size()) impl_->Compact();
}

void OfferIndex::Remove(const std::string& id) { impl_->Kill(id); }

size_t OfferIndex::size() const { return impl_->by_id.size(); }

std::vector<RankedOffer> OfferIndex::Rank(const Case& c, const RoutingWeights& weights, Time now,
                                          size_t limit) const {
  const Impl& x = *impl_;
  // Accumulate need and area weights per offer slot through the posting lists; only offers
  // sharing a need or an area are ever touched. The score buffer is kept per thread and only
  // its touched entries are reset, so a query costs what it touches, not the index size.
  thread_local std::vector<float> score;
  if (score.size() < x.offers.size()) score.resize(x.offers.size(), 0.0F);
  std::vector<uint32_t> touched;
  auto add = [&](const std::unordered_map<std::string, std::vector<uint32_t>>& lists,
                 const std::vector<std::string>& keys, double weight) {
    for (const std::string& k : Unique(keys)) {
      auto it = lists.find(k);
      if (it == lists.end()) continue;
      for (uint32_t slot : it->second) {
        if (score[slot] == 0.0F) touched.push_back(slot);
        score[slot] += static_cast<float>(weight);
      }
    }
  };
  add(x.by_need, c.needs, weights.need);
  add(x.by_area, c.areas, weights.area);
  const int64_t at = base::ToUnixMillis(now);
  std::vector<std::pair<float, uint32_t>> ranked;
  ranked.reserve(touched.size());
  for (uint32_t slot : touched) {
    float s = score[slot];
    score[slot] = 0.0F;
    const Impl::Slot& meta = x.slots[slot];
    if (!x.live[slot] || s <= 0.0F || at < meta.from || at >= meta.until) continue;
    if (meta.has_nodes) {
      if (!Contains(x.offers[slot].nodes, c.node)) continue;
      s += static_cast<float>(weights.node);
    }
    ranked.emplace_back(s, slot);
  }
  auto better = [&](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    if (a.first != b.first) return a.first > b.first;
    const int64_t ca = x.slots[a.second].created;
    const int64_t cb = x.slots[b.second].created;
    if (ca != cb) return ca > cb;
    return x.offers[a.second].id < x.offers[b.second].id;
  };
  const size_t n = std::min(limit, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    better);
  std::vector<RankedOffer> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Offer& o = x.offers[ranked[i].second];
    out.push_back({&o, MatchOffer(o, c, weights)});
  }
  return out;
}

}  // namespace tillvaxt::domain
