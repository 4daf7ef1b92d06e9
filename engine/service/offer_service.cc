#include "engine/service/offer_service.h"

#include <algorithm>
#include <utility>

namespace tillvaxt::service {
namespace {

using domain::Role;

constexpr int kMaxAttempts = 4;
constexpr int64_t kExpiryCheckMillis = 1000;  // lazy expiry at most once a second
constexpr int kInboxOffers = 1000;            // offers shown in one inbox
constexpr int kInboxCases = 5000;             // open cases of one node considered

std::vector<std::string> OpenStates(const domain::Config& config) {
  std::vector<std::string> open;
  for (const domain::State& s : config.workflow.states) {
    if (s.open) open.push_back(s.name);
  }
  return open;
}

}  // namespace

base::Result<std::unique_ptr<OfferService>> OfferService::Create(CaseService& cases,
                                                                 store::OfferLog& log,
                                                                 const base::Clock& clock,
                                                                 std::unique_ptr<IdGenerator> ids) {
  std::unique_ptr<OfferService> service(new OfferService(cases, log, clock, std::move(ids)));
  store::OfferFilter f;
  f.state = domain::kOfferPublished;
  f.page_size = 1000;
  while (true) {
    auto page = service->store_.ListOffers(f);
    if (!page.ok()) return page.status();
    for (domain::Offer& o : page->offers) service->index_.Put(std::move(o));
    if (page->next_page_token.empty()) break;
    f.page_token = page->next_page_token;
  }
  return service;
}

OfferService::OfferService(CaseService& cases, store::OfferLog& log, const base::Clock& clock,
                           std::unique_ptr<IdGenerator> ids)
    : cases_(cases),
      config_(cases.config()),
      store_(log),
      clock_(clock),
      ids_(ids ? std::move(ids) : std::make_unique<IdGenerator>()),
      channel_(config_) {}

void OfferService::AddListener(OfferListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

base::Status OfferService::Commit(store::OfferAppend append) {
  std::vector<domain::OfferEvent> events = append.events;
  domain::Offer after = append.after;
  TV_RETURN_IF_ERROR(store_.AppendOffer(std::move(append)));
  {
    std::unique_lock lock(index_mu_);
    index_.Put(std::move(after));
  }
  std::vector<OfferListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(events);
  return base::Status::Ok();
}

void OfferService::MaybeExpire() {
  const int64_t now = base::ToUnixMillis(clock_.Now());
  int64_t last = last_expiry_check_.load();
  if (now - last < kExpiryCheckMillis && now >= last) return;
  if (!last_expiry_check_.compare_exchange_strong(last, now)) return;  // another thread does it
  (void)ExpireDue(base::FromUnixMillis(now));
}

base::Result<domain::Offer> OfferService::Load(const std::string& id) {
  auto offer = store_.GetOffer(id);
  if (!offer.ok()) return offer.status();
  // Exact for the one offer asked about, whatever the sweep's pace.
  std::vector<domain::OfferEvent> expired = domain::DecideExpire(*offer, clock_.Now());
  if (expired.empty()) return offer;
  domain::Offer after = *offer;
  for (const auto& e : expired) domain::ApplyOfferEvent(after, e);
  base::Status st = Commit({offer->version, expired, after});
  if (st.ok()) return after;
  if (st.code() == base::Code::kAborted) return store_.GetOffer(id);
  return st;
}

base::Result<domain::Offer> OfferService::Publish(const domain::Principal& who,
                                                  domain::OfferDraft draft) {
  const std::string id = ids_->Next();
  auto events = domain::DecidePublish(config_, channel_, who, std::move(draft), id, clock_.Now());
  if (!events.ok()) return events.status();
  domain::Offer after = domain::FoldOffer(*events);
  TV_RETURN_IF_ERROR(Commit({0, *events, after}));
  return after;
}

base::Result<domain::Offer> OfferService::Get(const domain::Principal& who, const std::string& id) {
  if (who.role == Role::kUnspecified) return base::PermissionDenied("no role");
  return Load(id);
}

base::Result<std::vector<domain::OfferEvent>> OfferService::History(const domain::Principal& who,
                                                                    const std::string& id) {
  auto offer = Get(who, id);
  if (!offer.ok()) return offer.status();
  return store_.OfferEvents(id);
}

base::Result<store::OfferPage> OfferService::List(const domain::Principal& who,
                                                  store::OfferFilter filter) {
  if (who.role == Role::kUnspecified) return base::PermissionDenied("no role");
  MaybeExpire();
  return store_.ListOffers(filter);
}

base::Result<domain::Offer> OfferService::Withdraw(const domain::Principal& who,
                                                   const std::string& id, const std::string& reason,
                                                   std::optional<int64_t> expected_version) {
  for (int attempt = 1;; ++attempt) {
    auto offer = Load(id);
    if (!offer.ok()) return offer.status();
    if (expected_version && *expected_version != offer->version) {
      return base::Aborted("offer '" + id + "' is at version " + std::to_string(offer->version) +
                           ", not the expected " + std::to_string(*expected_version));
    }
    auto events = domain::DecideWithdraw(*offer, who, reason, clock_.Now());
    if (!events.ok()) return events.status();
    domain::Offer after = *offer;
    for (const auto& e : *events) domain::ApplyOfferEvent(after, e);
    base::Status st = Commit({offer->version, *events, after});
    if (st.ok()) return after;
    if (st.code() != base::Code::kAborted || expected_version || attempt == kMaxAttempts) {
      return st;
    }
  }
}

base::Result<std::vector<InboxEntry>> OfferService::Inbox(const domain::Principal& who,
                                                          const std::string& node) {
  if (!config_.HasNode(node)) return base::NotFound("node '" + node + "' not found");
  const bool allowed = (who.role == Role::kCoordinator && who.node == node) ||
                       who.role == Role::kManager || who.role == Role::kAdmin;
  if (!allowed) {
    return base::PermissionDenied("only the coordinators of node '" + node +
                                  "' and managers see its inbox");
  }
  MaybeExpire();
  const base::Time now = clock_.Now();
  std::vector<domain::Offer> offers;
  store::OfferFilter of;
  of.node = node;
  of.state = domain::kOfferPublished;
  of.page_size = 1000;
  while (static_cast<int>(offers.size()) < kInboxOffers) {
    auto page = store_.ListOffers(of);
    if (!page.ok()) return page.status();
    for (domain::Offer& o : page->offers) {
      if (o.valid_until && *o.valid_until <= now) continue;  // lapsed, not yet swept
      offers.push_back(std::move(o));
    }
    if (page->next_page_token.empty()) break;
    of.page_token = page->next_page_token;
  }
  std::vector<VisibleCase> open;
  store::CaseFilter cf;
  cf.node = node;
  cf.open_only = true;
  cf.open_states = OpenStates(config_);
  cf.page_size = 1000;
  while (static_cast<int>(open.size()) < kInboxCases) {
    auto page = cases_.List(who, cf);
    if (!page.ok()) return page.status();
    for (VisibleCase& c : page->cases) open.push_back(std::move(c));
    if (page->next_page_token.empty()) break;
    cf.page_token = page->next_page_token;
  }
  std::vector<InboxEntry> inbox;
  inbox.reserve(offers.size());
  for (domain::Offer& o : offers) {
    std::vector<std::pair<double, const VisibleCase*>> fits;
    for (const VisibleCase& c : open) {
      const double score = domain::MatchOffer(o, c, config_.routing).score;
      if (score > 0) fits.emplace_back(score, &c);
    }
    std::stable_sort(fits.begin(), fits.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    InboxEntry entry{std::move(o), {}};
    for (const auto& [score, c] : fits) entry.matching_cases.push_back(*c);
    inbox.push_back(std::move(entry));
  }
  return inbox;
}

base::Result<std::vector<SuggestedOffer>> OfferService::SuggestedOffers(
    const domain::Principal& who, const std::string& case_id, size_t limit) {
  auto c = cases_.Get(who, case_id);
  if (!c.ok()) return c.status();
  MaybeExpire();
  std::vector<SuggestedOffer> out;
  std::shared_lock lock(index_mu_);
  for (const domain::RankedOffer& r : index_.Rank(*c, config_.routing, clock_.Now(), limit)) {
    out.push_back({*r.offer, r.fit.score, r.fit.reasons});
  }
  return out;
}

base::Result<int> OfferService::ExpireDue(base::Time now) {
  int expired = 0;
  store::OfferFilter f;
  f.expired_at = now;
  f.page_size = 500;
  while (true) {
    auto page = store_.ListOffers(f);
    if (!page.ok()) return page.status();
    for (const domain::Offer& o : page->offers) {
      std::vector<domain::OfferEvent> events = domain::DecideExpire(o, now);
      if (events.empty()) continue;
      domain::Offer after = o;
      for (const auto& e : events) domain::ApplyOfferEvent(after, e);
      base::Status st = Commit({o.version, events, after});
      if (st.ok()) {
        ++expired;
      } else if (st.code() != base::Code::kAborted) {  // ABORTED: changed meanwhile; next time
        return st;
      }
    }
    if (page->next_page_token.empty()) break;
    f.page_token = page->next_page_token;
  }
  return expired;
}

base::Status OfferService::CheckLinkable(const std::string& offer_id) {
  auto offer = Load(offer_id);
  if (!offer.ok()) {
    if (offer.status().code() == base::Code::kNotFound) {
      return base::InvalidField("offerId", "unknown offer");
    }
    return offer.status();
  }
  if (offer->state != domain::kOfferPublished) {
    return base::FailedPrecondition("offer '" + offer_id + "' is " + offer->state +
                                    " and cannot be linked");
  }
  return base::Status::Ok();
}

}  // namespace tillvaxt::service
