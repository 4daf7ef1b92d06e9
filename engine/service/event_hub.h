// The live event hub behind GET /v1/stream: every committed event goes to every subscriber who
// may see its case (auth::CanSee on the case as it was right after the event), in commit order,
// tagged with its global commit position (the store's events.position).
//
// How: the hub tails the event log. CaseService's listener only wakes the hub's own thread
// (the committing thread never waits for subscribers); the thread reads the new events by
// position from the store (so events committed by another process or the seeder are seen at the
// next poll too), folds each touched case's history to the point of each event to decide who
// may see it, formats each visible event once and hands it to the subscribers' writers, which
// never block (the HTTP layer queues per connection, bounded; a writer that refuses — client
// gone or too slow — is dropped, and its client reconnects with Last-Event-ID).
//
// Resume: Subscribe(after = P) registers the subscriber first, then replays the events after P
// that it may see from the store (at most replay_limit examined); live events up to the end of
// the replay are dropped as duplicates, so nothing is lost or sent twice. When the replay is cut
// at the limit, the stream ends after it and the client resumes from the last id it got.
// Positions are a prefix of commit order in SQLite (one writer), which this relies on.
//
// Thread-safety: all methods may be called from any thread. Attach and Detach never block on
// I/O (they run on a connection's strand).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/principal.h"
#include "engine/service/case_service.h"
#include "engine/store/case_log.h"

namespace tillvaxt::service {

struct EventHubOptions {
  // One message for one event, e.g. an SSE frame. REQUIRED.
  std::function<std::string(const store::PositionedEvent&)> format;
  int replay_limit = 1000;  // events examined for one resume
  int batch = 500;          // events per read of the log
  // How often the log is read when no commit woke the hub (commits of other processes).
  std::chrono::milliseconds poll{1000};
  // Messages held for a subscriber whose stream has not opened yet; past it, it is dropped.
  size_t pending_limit = 2000;
};

class EventHub {
 public:
  class Subscriber;
  // Hands one message to the consumer without blocking; false when the consumer is gone or
  // too slow (the subscriber is then dropped).
  using WriteFn = std::function<bool(std::string)>;
  using EndFn = std::function<void()>;

  // Tails `log` and is woken by the commits of `cases`. REQUIRES: both outlive the hub.
  EventHub(CaseService& cases, store::CaseLog& log, EventHubOptions options);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Starts at the end of the log: registers with the service and starts the thread.
  base::Status Start();
  // Stops the thread and ends every subscriber's stream.
  void Stop();

  // A subscriber for `who`, with the replay after position `after` (if given) already queued.
  // Blocking (reads the store): call it on a worker, before the stream opens.
  base::Result<std::shared_ptr<Subscriber>> Subscribe(const domain::Principal& who,
                                                      std::optional<int64_t> after);
  // The stream opened: sends what was queued, then live events as they come.
  void Attach(const std::shared_ptr<Subscriber>& sub, WriteFn write, EndFn end);
  // The stream closed.
  void Detach(const std::shared_ptr<Subscriber>& sub);

  // Reads the log up to its end and delivers now (what the thread does on each wake).
  void Poll();

  size_t subscriber_count() const;
  int64_t position() const;  // the last position delivered
  int64_t dropped() const;   // subscribers dropped for being too slow

 private:
  struct Core;
  std::shared_ptr<Core> core_;
  std::thread thread_;
};

}  // namespace tillvaxt::service
