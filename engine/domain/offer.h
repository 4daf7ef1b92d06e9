// Offers (erbjudanden): what actors publish and how an offer travels down the ladder.
//
// An offer's history is a short event log of its own, like a case's: PUBLISHED (the draft, the
// publishing actor and its level), then one CHANNELLED per level below the publisher's (highest
// first) naming the actors on that level whose needs or areas overlap the offer's, and on the
// lowest level also the nodes; later WITHDRAWN (by its actor) or EXPIRED (at validUntil, by the
// system). An Offer is the fold of its events.
//
// Channelling and ranking are pure functions over indexes built once: OfferChannel indexes the
// configuration's actors by level, need and area; OfferIndex keeps active offers by need and
// area so suggestedOffers for one case among 100,000 offers stays in the low milliseconds.
//
// Thread-safety: value types are thread-compatible; OfferChannel is immutable after
// construction (thread-safe); OfferIndex is thread-compatible (the service guards it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"

namespace tillvaxt::domain {

inline constexpr const char* kOfferKinds[] = {"PROJECT", "ANALYSIS",     "NETWORK", "COLLABORATION",
                                              "TREND",   "FUNDING_CALL", "EVENT"};
inline constexpr const char* kOfferPublished = "PUBLISHED";
inline constexpr const char* kOfferWithdrawn = "WITHDRAWN";
inline constexpr const char* kOfferExpired = "EXPIRED";
inline constexpr size_t kMaxOfferTitle = 200;

// What an actor gives when publishing (and what PUBLISHED records).
struct OfferDraft {
  std::string kind;  // one of kOfferKinds
  std::string title;
  std::string description;
  std::vector<std::string> needs;
  std::vector<std::string> areas;
  std::vector<std::string> nodes;  // empty = every node
  std::string url;
  std::optional<Time> valid_from;   // none = from publication
  std::optional<Time> valid_until;  // none = until withdrawn
  bool operator==(const OfferDraft&) const = default;
};

// One level the offer was channelled to: the actors there and, on the lowest level, the nodes.
struct OfferRecipients {
  std::string level;
  std::vector<std::string> actors;
  std::vector<std::string> nodes;
  Time time{};
  bool operator==(const OfferRecipients&) const = default;
};

struct Offer {
  std::string id;
  std::string actor;  // the publisher
  std::string level;  // the publisher's level
  std::string kind;
  std::string title;
  std::string description;
  std::vector<std::string> needs;
  std::vector<std::string> areas;
  std::vector<std::string> nodes;
  std::string url;
  std::optional<Time> valid_from;
  std::optional<Time> valid_until;
  std::string state;  // PUBLISHED | WITHDRAWN | EXPIRED
  std::string reason;  // why it was withdrawn
  std::vector<OfferRecipients> recipients;  // highest level first
  int64_t version = 0;  // number of events; 0 = does not exist
  Time create_time{};
  Time update_time{};
  bool operator==(const Offer&) const = default;
};

enum class OfferEventType { kUnspecified, kPublished, kChannelled, kWithdrawn, kExpired };

const char* OfferEventTypeName(OfferEventType type);  // "PUBLISHED", ...

struct OfferEvent {
  std::string offer_id;
  int64_t seq = 0;  // 1-based; equals the offer's version after it
  OfferEventType type = OfferEventType::kUnspecified;
  Time time{};
  std::string user;                  // username, or "system"
  std::string actor;                 // PUBLISHED: the publisher
  std::string level;                 // PUBLISHED: the publisher's level
  std::optional<OfferDraft> draft;   // PUBLISHED
  OfferRecipients recipients;        // CHANNELLED
  std::string reason;                // WITHDRAWN
  bool operator==(const OfferEvent&) const = default;
};

void ApplyOfferEvent(Offer& offer, const OfferEvent& e);
Offer FoldOffer(const std::vector<OfferEvent>& events);

// Every problem of `draft` in one INVALID_ARGUMENT, fields named as in the API's JSON:
// "kind", "title", "needs", "areas", "nodes", "validUntil", "url".
base::Status ValidateOfferDraft(const Config& config, const OfferDraft& draft);

// True when the offer is PUBLISHED and `now` lies in its validity window.
bool IsOfferActive(const Offer& offer, Time now);

// The configuration's actors indexed by level, need and area, so channelling one offer across
// 10,000 actors touches only the posting lists of the offer's needs and areas.
//
// An actor on a level below the publisher's receives the offer when it serves one of the
// offer's needs or names one of its areas (an offer with neither reaches every actor there),
// and the offer's nodes and the actor's nodes (when both name some) share a node. The lowest
// level also names the nodes: the offer's, or every node. A publisher on the lowest level
// channels to the nodes only.
class OfferChannel {
 public:
  // REQUIRES: config outlives the OfferChannel.
  explicit OfferChannel(const Config& config);
  ~OfferChannel();
  OfferChannel(const OfferChannel&) = delete;
  OfferChannel& operator=(const OfferChannel&) = delete;

  // One entry per level below `publisher_level`, highest first, each stamped with `now`.
  std::vector<OfferRecipients> Channel(const std::string& publisher_level, const OfferDraft& draft,
                                       const std::string& publisher, Time now) const;

 private:
  struct Index;
  const Config& config_;
  std::unique_ptr<Index> index_;
};

// The events of publishing: PUBLISHED then the CHANNELLED events. Only an ACTOR principal may
// publish, as its own actor (PERMISSION_DENIED otherwise); a window already over at `now` is
// INVALID_ARGUMENT "validUntil".
base::Result<std::vector<OfferEvent>> DecidePublish(const Config& config,
                                                    const OfferChannel& channel,
                                                    const Principal& who, OfferDraft draft,
                                                    const std::string& id, Time now);
// WITHDRAWN: only its actor (PERMISSION_DENIED); only when PUBLISHED (FAILED_PRECONDITION).
base::Result<std::vector<OfferEvent>> DecideWithdraw(const Offer& offer, const Principal& who,
                                                     const std::string& reason, Time now);
// EXPIRED when the offer is PUBLISHED and its validUntil has passed; no events otherwise.
std::vector<OfferEvent> DecideExpire(const Offer& offer, Time now);

// How well an offer fits a case: weights need / area / node of the routing configuration;
// reasons "need:x", "area:y", "node:z". score 0 = no fit (no shared need or area, or the
// offer is for other nodes).
struct OfferFit {
  double score = 0;
  std::vector<std::string> reasons;
};
OfferFit MatchOffer(const Offer& offer, const Case& c, const RoutingWeights& weights);

struct RankedOffer {
  const Offer* offer = nullptr;  // owned by the OfferIndex; valid until it changes
  OfferFit fit;
};

// Active offers kept in memory for ranking, with posting lists need -> offers and
// area -> offers. Removal leaves a tombstone that Compact (run by Put when they pile up)
// clears.
class OfferIndex {
 public:
  OfferIndex();
  ~OfferIndex();
  OfferIndex(const OfferIndex&) = delete;
  OfferIndex& operator=(const OfferIndex&) = delete;

  // Adds or replaces the offer; an offer that is not PUBLISHED is removed instead.
  void Put(Offer offer);
  void Remove(const std::string& id);
  size_t size() const;

  // The offers active at `now` that fit `c`, best first (score, then newest, then id), at most
  // `limit`.
  std::vector<RankedOffer> Rank(const Case& c, const RoutingWeights& weights, Time now,
                                size_t limit) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tillvaxt::domain
