#include "engine/store/memory/memory_store.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <random>
#include <string_view>
#include <system_error>
#include <utility>

#include "engine/domain/decider.h"
#include "engine/store/append_checks.h"
#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::memory {
namespace {

using base::Status;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kChunk = 1000;  // events per chunk in ForEachEvent and Rebuild

int PageSize(int requested) {
  return requested == 0 ? kDefaultPageSize : std::clamp(requested, 1, kMaxPageSize);
}

// --- Page tokens: "<hex of '<create_time ms>,<id>'>.<tag>", opaque to clients. The tag (16 hex
// digits) is FNV-1a over the store's random key, the listing ('c' cases, 'o' offers) and the
// position, so a token this store did not return for this listing is refused: one of another
// store, of the other listing, or made up. Not a secret against a determined client (it only
// saves a place in a listing the filters still narrow), a check against mistakes. ---

constexpr char kHex[] = "0123456789abcdef";

uint64_t Tag(uint64_t key, char listing, std::string_view raw) {
  uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ULL;
  };
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(key >> (8 * i)));
  mix(static_cast<unsigned char>(listing));
  for (unsigned char ch : raw) mix(ch);
  return h;
}

std::string TagHex(uint64_t tag) {
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, tag >>= 4) out[static_cast<size_t>(i)] = kHex[tag & 0xf];
  return out;
}

std::string EncodePageToken(uint64_t key, char listing, base::Time create, const std::string& id) {
  const std::string raw = std::to_string(base::ToUnixMillis(create)) + "," + id;
  std::string out;
  out.reserve(raw.size() * 2 + 17);
  for (unsigned char ch : raw) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  out.push_back('.');
  out += TagHex(Tag(key, listing, raw));
  return out;
}

bool DecodePageToken(uint64_t key, char listing, const std::string& token, base::Time* create,
                     std::string* id) {
  const size_t dot = token.find('.');
  if (dot == std::string::npos || dot % 2 != 0 || token.size() - dot - 1 != 16) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string raw;
  raw.reserve(dot / 2);
  for (size_t i = 0; i < dot; i += 2) {
    const int hi = nibble(token[i]);
    const int lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw.push_back(static_cast<char>(hi * 16 + lo));
  }
  if (token.compare(dot + 1, 16, TagHex(Tag(key, listing, raw))) != 0) return false;
  const size_t comma = raw.find(',');
  if (comma == std::string::npos || comma == 0) return false;
  int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + comma, ms);
  if (ec != std::errc() || ptr != raw.data() + comma) return false;
  *create = base::FromUnixMillis(ms);
  *id = raw.substr(comma + 1);
  return true;
}

Status BadPageToken() {
  return base::InvalidField("pageToken", "not a token this server returned");
}

// The search terms of a title and description, sorted and unique (swedish_terms.h).
std::vector<std::string> Terms(std::string_view title, std::string_view description) {
  std::vector<std::string> terms = SwedishTerms(title);
  for (std::string& t : SwedishTerms(description)) terms.push_back(std::move(t));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

bool HasEveryTerm(const std::vector<std::string>& sorted, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(), [&](const std::string& w) {
    return std::binary_search(sorted.begin(), sorted.end(), w);
  });
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool MatchesCase(const domain::Case& c, const std::vector<std::string>& terms, const CaseFilter& f,
                 const std::vector<std::string>& want_terms) {
  if (!f.state.empty() && c.state != f.state) return false;
  if (!f.level.empty() && c.level != f.level) return false;
  if (!f.node.empty() && c.node != f.node) return false;
  if (!f.assignee.empty() && c.assignee != f.assignee) return false;
  if (!f.org_number.empty() && c.company.org_number != f.org_number) return false;
  if (!f.parent_id.empty() && c.parent_id != f.parent_id) return false;
  if (!f.need.empty() && !Contains(c.needs, f.need)) return false;
  if (!f.area.empty() && !Contains(c.areas, f.area)) return false;
  if (!f.candidate.empty() && !Contains(c.candidates, f.candidate)) return false;
  if (!f.involved_actor.empty() && !Contains(c.involved_actors, f.involved_actor)) return false;
  if (!f.q.empty() && !HasEveryTerm(terms, want_terms)) return false;
  if (f.open_only && !Contains(f.open_states, c.state)) return false;
  return true;
}

bool MatchesOffer(const domain::Offer& o, const std::vector<std::string>& terms,
                  const OfferFilter& f, const std::vector<std::string>& want_terms) {
  if (!f.actor.empty() && o.actor != f.actor) return false;
  if (!f.level.empty() && o.level != f.level) return false;
  if (!f.state.empty() && o.state != f.state) return false;
  if (!f.node.empty() &&
      std::none_of(o.recipients.begin(), o.recipients.end(),
                   [&](const domain::OfferRecipients& r) { return Contains(r.nodes, f.node); })) {
    return false;
  }
  if (!f.recipient_actor.empty() &&
      std::none_of(o.recipients.begin(), o.recipients.end(), [&](const domain::OfferRecipients& r) {
        return Contains(r.actors, f.recipient_actor);
      })) {
    return false;
  }
  if (!f.need.empty() && !Contains(o.needs, f.need)) return false;
  if (!f.area.empty() && !Contains(o.areas, f.area)) return false;
  if (f.active_at) {
    const base::Time t = *f.active_at;
    if (o.state != domain::kOfferPublished) return false;
    if (o.valid_from && *o.valid_from > t) return false;
    if (o.valid_until && *o.valid_until <= t) return false;
  }
  if (f.expired_at) {
    if (o.state != domain::kOfferPublished) return false;
    if (!o.valid_until || *o.valid_until > *f.expired_at) return false;
  }
  if (!f.q.empty() && !HasEveryTerm(terms, want_terms)) return false;
  return true;
}

}  // namespace

MemoryStore::MemoryStore()
    : token_key_((uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}
MemoryStore::~MemoryStore() = default;

void MemoryStore::PutCaseLocked(domain::Case c, std::vector<std::string> terms) {
  const std::string id = c.id;
  auto it = cases_.find(id);
  if (it != cases_.end()) {
    case_order_.erase({it->second.c.create_time, id});
    if (it->second.next_timer) timers_.erase({*it->second.next_timer, id});
  } else {
    it = cases_.emplace(id, CaseRow{}).first;
  }
  CaseRow& row = it->second;
  row.next_timer = c.update_time;  // every projection write: looked at once (timers.h)
  row.c = std::move(c);
  row.terms = std::move(terms);
  case_order_.insert({row.c.create_time, id});
  timers_.insert({*row.next_timer, id});
}

void MemoryStore::PutOfferRowLocked(const std::string& id, domain::Offer o,
                                    std::vector<std::string> terms) {
  OfferRow& row = offers_[id];
  if (row.o.version > 0) offer_order_.erase({row.o.create_time, id});
  row.o = std::move(o);
  row.terms = std::move(terms);
  offer_order_.insert({row.o.create_time, id});
}

// --- CaseLog ---

base::Status MemoryStore::Append(std::vector<CaseAppend> appends) {
  if (appends.empty()) return Status::Ok();
  for (const CaseAppend& a : appends) TV_RETURN_IF_ERROR(ValidateCaseAppend(a));
  std::vector<std::vector<std::string>> terms;  // stemmed before the lock is taken
  terms.reserve(appends.size());
  for (const CaseAppend& a : appends) terms.push_back(Terms(a.after.title, a.after.description));

  std::unique_lock lock(mu_);
  // Every version is checked before anything is written: all or nothing. Several appends of one
  // case follow each other.
  std::unordered_map<std::string, int64_t> versions;  // after the earlier appends of this call
  for (const CaseAppend& a : appends) {
    const std::string& id = a.after.id;
    bool exists = false;
    int64_t current = 0;
    if (auto v = versions.find(id); v != versions.end()) {
      exists = true;
      current = v->second;
    } else if (auto row = cases_.find(id); row != cases_.end()) {
      exists = true;
      current = row->second.c.version;
    }
    if (a.expected_version == 0 && exists) {
      return base::Aborted("case " + id + " already exists (version " + std::to_string(current) +
                           ")");
    }
    if (current != a.expected_version) {
      return base::Aborted("case " + id + " was changed concurrently (version " +
                           std::to_string(current) + ", expected " +
                           std::to_string(a.expected_version) + ")");
    }
    versions[id] = a.after.version;
  }
  for (size_t i = 0; i < appends.size(); ++i) {
    CaseAppend& a = appends[i];
    std::vector<size_t>& positions = case_events_[a.after.id];
    projection::CaseFacts& facts = facts_[a.after.id];
    for (domain::Event& e : a.events) {
      projection::ApplyFact(facts, e);
      positions.push_back(log_.size());
      log_.push_back(std::move(e));
    }
    PutCaseLocked(std::move(a.after), std::move(terms[i]));
  }
  return Status::Ok();
}

base::Result<std::vector<domain::Event>> MemoryStore::GetEvents(const std::string& case_id) {
  std::shared_lock lock(mu_);
  auto it = case_events_.find(case_id);
  if (it == case_events_.end()) return base::NotFound("case '" + case_id + "' not found");
  std::vector<domain::Event> events;
  events.reserve(it->second.size());
  for (size_t index : it->second) events.push_back(log_[index]);
  return events;
}

base::Result<std::vector<PositionedEvent>> MemoryStore::EventsAfter(int64_t after, int limit) {
  const auto n = static_cast<size_t>(std::clamp(limit, 1, 10'000));
  std::shared_lock lock(mu_);
  std::vector<PositionedEvent> out;
  const size_t first = after <= 0 ? 0 : static_cast<size_t>(after);
  for (size_t i = first; i < log_.size() && out.size() < n; ++i) {
    out.push_back({static_cast<int64_t>(i) + 1, log_[i]});
  }
  return out;
}

base::Result<int64_t> MemoryStore::LastPosition() {
  std::shared_lock lock(mu_);
  return static_cast<int64_t>(log_.size());
}

base::Status MemoryStore::ForEachEvent(const std::function<void(const domain::Event&)>& fn) {
  size_t next = 0;
  while (true) {
    std::vector<domain::Event> chunk;
    {
      // A chunk per lock: `fn` runs without it.
      std::shared_lock lock(mu_);
      const size_t end = std::min(log_.size(), next + kChunk);
      if (next < end) {
        chunk.assign(log_.begin() + static_cast<std::ptrdiff_t>(next),
                     log_.begin() + static_cast<std::ptrdiff_t>(end));
      }
    }
    if (chunk.empty()) return Status::Ok();
    next += chunk.size();
    for (const domain::Event& e : chunk) fn(e);
  }
}

base::Result<int64_t> MemoryStore::CountEvents() {
  std::shared_lock lock(mu_);
  return static_cast<int64_t>(log_.size());
}

base::Result<int> MemoryStore::RegisterWorkflow(const std::string& definition) {
  std::unique_lock lock(mu_);
  if (auto it = workflow_versions_.find(definition); it != workflow_versions_.end()) {
    return it->second;
  }
  workflows_.push_back(definition);
  const int version = static_cast<int>(workflows_.size());
  workflow_versions_[definition] = version;
  return version;
}

base::Result<std::vector<std::pair<int, std::string>>> MemoryStore::Workflows() {
  std::shared_lock lock(mu_);
  std::vector<std::pair<int, std::string>> out;
  out.reserve(workflows_.size());
  for (size_t i = 0; i < workflows_.size(); ++i) {
    out.emplace_back(static_cast<int>(i) + 1, workflows_[i]);
  }
  return out;
}

// --- CaseQueries ---

base::Result<domain::Case> MemoryStore::GetCase(const std::string& id) {
  std::shared_lock lock(mu_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return base::NotFound("case '" + id + "' not found");
  return it->second.c;
}

base::Result<CasePage> MemoryStore::ListCases(const CaseFilter& f) {
  const int page_size = PageSize(f.page_size);
  Key after;
  const bool paged = !f.page_token.empty();
  if (paged && !DecodePageToken(token_key_, 'c', f.page_token, &after.first, &after.second)) {
    return BadPageToken();
  }
  std::vector<std::string> want;
  if (!f.q.empty()) {
    want = SwedishTerms(f.q);
    if (want.empty()) return CasePage{};  // a query without words matches nothing
  }

  std::shared_lock lock(mu_);
  CasePage page;
  // Newest first: backwards from the end, or from just before the token's (time, id).
  auto it = paged ? case_order_.lower_bound(after) : case_order_.end();
  while (it != case_order_.begin()) {
    --it;
    const CaseRow& row = cases_.at(it->second);
    if (!MatchesCase(row.c, row.terms, f, want)) continue;
    if (static_cast<int>(page.cases.size()) == page_size) {  // one more exists: another page
      const domain::Case& last = page.cases.back();
      page.next_page_token = EncodePageToken(token_key_, 'c', last.create_time, last.id);
      break;
    }
    page.cases.push_back(row.c);
  }
  return page;
}

base::Result<std::unordered_map<std::string, int>> MemoryStore::OpenCasesByActor(
    const std::vector<std::string>& open_states) {
  std::shared_lock lock(mu_);
  std::unordered_map<std::string, int> load;
  for (const auto& [id, row] : cases_) {
    const domain::Case& c = row.c;
    if (!Contains(open_states, c.state)) continue;
    if (!c.assignee.empty()) ++load[c.assignee];
    // Each candidate once per case, as a set of (case, actor) rows counts them.
    std::set<std::string> candidates(c.candidates.begin(), c.candidates.end());
    for (const std::string& a : candidates) ++load[a];
  }
  return load;
}

base::Result<int64_t> MemoryStore::CountCases() {
  std::shared_lock lock(mu_);
  return static_cast<int64_t>(cases_.size());
}

// --- Timers ---

base::Result<std::vector<domain::Case>> MemoryStore::DueCases(base::Time before, int limit) {
  const auto n = static_cast<size_t>(std::clamp(limit, 1, 1000));
  std::shared_lock lock(mu_);
  std::vector<domain::Case> out;
  for (auto it = timers_.begin(); it != timers_.end() && it->first <= before && out.size() < n;
       ++it) {
    out.push_back(cases_.at(it->second).c);
  }
  return out;
}

base::Status MemoryStore::SetNextTimer(const std::string& id, int64_t version,
                                       std::optional<base::Time> next) {
  std::unique_lock lock(mu_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return base::NotFound("case '" + id + "' not found");
  CaseRow& row = it->second;
  if (row.c.version != version) {
    return base::Aborted("case " + id + " is at version " + std::to_string(row.c.version) +
                         ", not " + std::to_string(version));
  }
  if (row.next_timer) timers_.erase({*row.next_timer, id});
  row.next_timer = next;
  if (next) timers_.insert({*next, id});
  return Status::Ok();
}

// --- OfferLog ---

base::Status MemoryStore::AppendOffer(OfferAppend append) {
  TV_RETURN_IF_ERROR(ValidateOfferAppend(append));
  std::vector<std::string> terms = Terms(append.after.title, append.after.description);
  const std::string id = append.after.id;
  std::unique_lock lock(mu_);
  auto it = offers_.find(id);
  const bool exists = it != offers_.end();
  const int64_t current = exists ? it->second.o.version : 0;
  if (append.expected_version == 0 && exists) {
    return base::Aborted("offer " + id + " already exists");
  }
  if (current != append.expected_version) {
    return base::Aborted("offer " + id + " was changed concurrently (version " +
                         std::to_string(current) + ", expected " +
                         std::to_string(append.expected_version) + ")");
  }
  std::vector<domain::OfferEvent>& events = offers_[id].events;
  for (domain::OfferEvent& e : append.events) events.push_back(std::move(e));
  PutOfferRowLocked(id, std::move(append.after), std::move(terms));
  return Status::Ok();
}

base::Result<domain::Offer> MemoryStore::GetOffer(const std::string& id) {
  std::shared_lock lock(mu_);
  auto it = offers_.find(id);
  if (it == offers_.end()) return base::NotFound("offer '" + id + "' not found");
  return it->second.o;
}

base::Result<OfferPage> MemoryStore::ListOffers(const OfferFilter& f) {
  const int page_size = PageSize(f.page_size);
  Key after;
  const bool paged = !f.page_token.empty();
  if (paged && !DecodePageToken(token_key_, 'o', f.page_token, &after.first, &after.second)) {
    return BadPageToken();
  }
  std::vector<std::string> want;
  if (!f.q.empty()) {
    want = SwedishTerms(f.q);
    if (want.empty()) return OfferPage{};  // no words: nothing matches
  }

  std::shared_lock lock(mu_);
  OfferPage page;
  auto it = paged ? offer_order_.lower_bound(after) : offer_order_.end();
  while (it != offer_order_.begin()) {
    --it;
    const OfferRow& row = offers_.at(it->second);
    if (!MatchesOffer(row.o, row.terms, f, want)) continue;
    if (static_cast<int>(page.offers.size()) == page_size) {
      const domain::Offer& last = page.offers.back();
      page.next_page_token = EncodePageToken(token_key_, 'o', last.create_time, last.id);
      break;
    }
    page.offers.push_back(row.o);
  }
  return page;
}

base::Result<std::vector<domain::OfferEvent>> MemoryStore::OfferEvents(const std::string& id) {
  std::shared_lock lock(mu_);
  auto it = offers_.find(id);
  if (it == offers_.end() || it->second.events.empty()) {
    return base::NotFound("offer '" + id + "' not found");
  }
  return it->second.events;
}

// --- StatsReader: the reference computations over the facts rows ---

std::vector<projection::CaseFacts> MemoryStore::AllFacts() const {
  std::shared_lock lock(mu_);
  std::vector<projection::CaseFacts> out;
  out.reserve(facts_.size());
  for (const auto& [id, f] : facts_) out.push_back(f);  // by id, as FoldedStats folds them
  return out;
}

base::Result<projection::Summary> MemoryStore::StatsSummary(const projection::StatsFilter& filter) {
  return projection::BruteSummary(AllFacts(), filter);
}

base::Result<std::vector<projection::FlowLink>> MemoryStore::StatsFlow(
    const projection::StatsFilter& filter) {
  return projection::BruteFlow(AllFacts(), filter);
}

base::Result<std::vector<projection::TimePoint>> MemoryStore::StatsTimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  return projection::BruteTimeSeries(AllFacts(), filter, bucket, metric);
}

base::Status MemoryStore::ForEachCaseRow(
    const projection::StatsFilter& filter,
    const std::function<bool(const projection::CaseFacts&)>& fn) {
  std::vector<projection::CaseFacts> facts = AllFacts();
  std::sort(facts.begin(), facts.end(), [](const auto& a, const auto& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  for (const projection::CaseFacts& f : facts) {
    if (!projection::Matches(f, filter)) continue;
    if (!fn(f)) break;
  }
  return Status::Ok();
}

// --- Rebuild ---

base::Status MemoryStore::Rebuild(const std::function<void(int64_t, int64_t)>& progress) {
  int64_t total = 0;
  {
    std::shared_lock lock(mu_);
    total = static_cast<int64_t>(log_.size());
  }
  std::map<std::string, domain::Case> folded;
  std::map<std::string, projection::CaseFacts> facts;
  size_t done = 0;
  while (true) {
    std::vector<domain::Event> chunk;
    std::unique_lock lock(mu_);
    const size_t end = std::min(log_.size(), done + kChunk);
    if (done < end) {
      chunk.assign(log_.begin() + static_cast<std::ptrdiff_t>(done),
                   log_.begin() + static_cast<std::ptrdiff_t>(end));
    }
    if (chunk.empty()) {
      // The whole log is folded and the lock is held: swap the projections in.
      cases_.clear();
      case_order_.clear();
      timers_.clear();
      for (auto& [id, c] : folded) {
        std::vector<std::string> terms = Terms(c.title, c.description);
        PutCaseLocked(std::move(c), std::move(terms));
      }
      facts_ = std::move(facts);
      offer_order_.clear();
      for (auto& [id, row] : offers_) {
        row.o = domain::FoldOffer(row.events);
        row.terms = Terms(row.o.title, row.o.description);
        offer_order_.insert({row.o.create_time, id});
      }
      break;
    }
    lock.unlock();  // the chunk is folded, and `progress` runs, without the lock
    for (const domain::Event& e : chunk) {
      domain::Apply(folded[e.case_id], e);
      projection::ApplyFact(facts[e.case_id], e);
    }
    done += chunk.size();
    if (progress) progress(static_cast<int64_t>(done), total);
  }
  if (progress && done == 0) progress(0, 0);
  return Status::Ok();
}

}  // namespace tillvaxt::store::memory
