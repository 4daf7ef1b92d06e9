// Notifications: who hears about what, in Swedish, and the weekly digest.
//
// NotificationService turns committed case events (CaseService::AddListener) into Notifications
// for the people a user would expect, and hands them to a NotificationSink (in the server: the
// notifier plugins, engine/plugin). The routing (docs/PLUGINS.md has the table):
//   ROUTED                          the users of each candidate actor (one notification per actor)
//   CLAIMED, ESCALATED, RESOLVED    the coordinators of the case's node
//   SLA_WARNING, SLA_OVERDUE        the users of the assignee then (if any) and the node's
//                                   coordinators
//   RELEASED by the SLA (a lapsed   the users of the actor that lost the case
//   claim, CLAIM_EXPIRED)
//   EFFECT_REMINDER                 the coordinator who closed the case; the node's coordinators
//                                   when that user is gone (unknown, disabled, or no longer a
//                                   coordinator of the node)
//   an offer channelled (offers)    the users of each recipient actor and the recipient nodes'
//                                   coordinators: NotifyOfferRecipients, the extension point the
//                                   offer service calls once it publishes
// Never the user who caused the event, never disabled users, and never users who chose the
// weekly digest (UserRecord::digest): they get one DIGEST notification a week from RunDigest
// instead ("Nytt för min nod", "Nytt för min organisation", the week's reminders and deadlines
// addressed to them by the same rules, and for managers the week's key figures). The last
// digest time per user is kept in a DigestState so a restart does not resend. Every message
// about a case links to it (NotificationOptions::base_url).
//
// Commands never wait for notifications: OnCommitted only queues the events; the routing (store
// and user look-ups) runs on the service's own worker thread (Start) or in ProcessPending
// (tests). Thread-safety: every public method may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/offer.h"
#include "engine/store/case_log.h"
#include "engine/store/case_queries.h"
#include "engine/store/user_store.h"

namespace tillvaxt::service {

struct Recipient {
  std::string username;
  std::string email;  // may be empty (the email notifier skips such recipients)
  std::string display_name;
  bool operator==(const Recipient&) const = default;
};

// One message for one or more people. `ToJson()` is the form plugins receive:
// {"id","type","to":[{"username","email","displayName"}],"subject","text","html","caseId",
//  "link","event":{...}}. The webhook notifier sends on only the ids of it (docs/PLUGINS.md).
struct Notification {
  std::string id;    // unique and stable: "<caseId>-<seq>[-<actor>]", "digest-<user>-<date>"
  std::string type;  // CASE_ROUTED, CASE_CLAIMED, CASE_ESCALATED, CASE_RESOLVED,
                     // CASE_SLA_WARNING, CASE_OVERDUE, CASE_CLAIM_EXPIRED, CASE_EFFECT_REMINDER,
                     // OFFER_RECEIVED, DIGEST
  std::vector<Recipient> to;
  std::string subject;            // UTF-8, Swedish
  std::string text;               // plain text body
  std::string html;               // HTML body (a complete document)
  std::string case_id;            // empty for digests and offers
  std::string link;               // the page it is about ("<base_url>/cases/<id>"); may be empty
  std::string event_json = "{}";  // the event that caused it, as a JSON object

  std::string ToJson() const;
};

// Where notifications go. Send must not block for long (queue and return): it is called on the
// notification worker, and the plugin adapters queue per plugin. Thread-safe implementations.
class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  virtual void Send(const Notification& notification) = 0;
};

// When each user last got their digest. Thread-safe implementations.
class DigestState {
 public:
  virtual ~DigestState() = default;
  virtual std::optional<base::Time> LastDigest(const std::string& username) = 0;
  virtual base::Status SetLastDigest(const std::string& username, base::Time time) = 0;
};

// DigestState in a small text file ("username<TAB>unix-millis" per line), rewritten atomically
// (temporary file + rename) on every change. A missing file is an empty state.
class FileDigestState final : public DigestState {
 public:
  explicit FileDigestState(std::string path);
  std::optional<base::Time> LastDigest(const std::string& username) override;
  base::Status SetLastDigest(const std::string& username, base::Time time) override;

 private:
  void LoadLocked() REQUIRES(mu_);
  std::mutex mu_;
  std::string path_;
  bool loaded_ GUARDED_BY(mu_) = false;
  std::map<std::string, base::Time> last_ GUARDED_BY(mu_);
};

// An offer reaching its recipients (offers): what the offer service tells us.
struct OfferNotice {
  std::string offer_id;
  std::string title;
  std::string kind;                 // PROJECT, ANALYSIS, ...
  std::string publisher_actor;      // the actor that published it (its users are not notified)
  std::string publisher_user;       // the user who published it
  std::vector<std::string> actors;  // recipient actors
  std::vector<std::string> nodes;   // recipient nodes
  std::optional<base::Time> valid_until;
};

struct NotificationOptions {
  // Links in messages point here ("<base_url>/cases/<id>"); empty = no links. The server sets
  // it from the configuration's notifications.public_url.
  std::string base_url;
  // How often the worker checks whether a digest is due.
  base::Millis digest_check_interval{std::chrono::minutes(10)};
  // Events waiting for routing beyond this are dropped (and counted) rather than growing.
  size_t max_pending_events = 100000;
};

// An effect reminder goes to the coordinator who closed the case: the user who last moved it
// into the reminder's state (to_state) up to the reminder; "" when nobody did. While that user
// is StillCoordinates(node) the reminder is theirs; otherwise it is every coordinator's of the
// node. (The to-do list uses the same rule.)
std::string ClosedBy(const std::vector<domain::Event>& history, const domain::Event& reminder);
bool StillCoordinates(const store::UserRecord& user, const std::string& node);

// The week a digest covers: digests go out each Monday 06:00 UTC (07:00 or 08:00 in Sweden),
// covering the seven days before. Returns the latest such boundary at or before `now`.
base::Time DigestBoundary(base::Time now);

class NotificationService {
 public:
  // REQUIRES: every reference outlives the service.
  // Reads the digest's week from `log` and each notified case from `cases`.
  NotificationService(const domain::Config& config, store::CaseLog& log, store::CaseQueries& cases,
                      store::UserStore& users, const base::Clock& clock, NotificationSink& sink,
                      DigestState& digest_state, NotificationOptions options = {});
  ~NotificationService();  // stops the worker; queued events not yet routed are dropped
  NotificationService(const NotificationService&) = delete;
  NotificationService& operator=(const NotificationService&) = delete;

  // The CaseService listener: queues the committed events and returns at once.
  void OnCommitted(const std::vector<domain::Event>& events);

  // The OfferService listener: queues a notice per offer channelled in `events` (PUBLISHED with
  // its CHANNELLED levels, as one commit holds them) and returns at once.
  void OnOfferCommitted(const std::vector<domain::OfferEvent>& events);

  // Notifies the recipients of a published offer now (on the caller's thread; the sink
  // queues). Returns how many notifications were sent.
  base::Result<int> NotifyOfferRecipients(const OfferNotice& offer);

  // Sends the digests due at `now` (see DigestBoundary) to every digest user who has not had
  // this week's yet, and records it. Returns how many were sent.
  base::Result<int> RunDigest(base::Time now);

  // Starts the worker thread: routes queued events and runs RunDigest(clock.Now()) every
  // digest_check_interval. Stop (or the destructor) ends it.
  void Start();
  void Stop();
  // Routes the queued events on the caller's thread (for tests, or without Start).
  void ProcessPending();

  // Counters for /metrics.
  int64_t sent() const;
  int64_t dropped_events() const;
  int64_t routing_errors() const;

 private:
  void Route(const std::vector<domain::Event>& events);
  // `history` is the case's history when the event needs it (EFFECT_REMINDER), else empty.
  void RouteEvent(const domain::Event& event, const domain::Case& c,
                  const std::vector<domain::Event>& history,
                  const std::vector<store::UserRecord>& users);
  void RouteTimer(const domain::Event& event, const domain::Case& c,
                  const std::vector<domain::Event>& history,
                  const std::vector<store::UserRecord>& users);
  std::string CaseLink(const std::string& case_id) const;
  void Emit(Notification n);
  void WorkerLoop();

  const domain::Config& config_;
  store::CaseLog& log_;
  store::CaseQueries& cases_;
  store::UserStore& users_;
  const base::Clock& clock_;
  NotificationSink& sink_;
  DigestState& digest_state_;
  NotificationOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<domain::Event>> pending_ GUARDED_BY(mu_);
  std::deque<OfferNotice> pending_offers_ GUARDED_BY(mu_);
  size_t pending_events_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread worker_;
  std::mutex route_mu_;  // one routing pass at a time (worker or ProcessPending)
  int64_t sent_ = 0;
  int64_t dropped_events_ = 0;
  int64_t routing_errors_ = 0;
};

}  // namespace tillvaxt::service
