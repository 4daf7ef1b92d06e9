#include "engine/service/event_hub.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <map>
#include <utility>

#include "engine/auth/visibility.h"
#include "engine/domain/decider.h"

namespace tillvaxt::service {

class EventHub::Subscriber {
 public:
  explicit Subscriber(domain::Principal principal) : who(std::move(principal)) {}

  const domain::Principal who;
  std::mutex mu;
  std::deque<std::pair<int64_t, std::string>> pending;  // until the stream opens
  int64_t skip_through = 0;  // live events at or below this position were replayed
  WriteFn write;
  EndFn end;
  bool attached = false;
  bool dead = false;
  bool end_after_replay = false;  // the replay was cut at its limit: the client resumes
};

struct EventHub::Core {
  Core(CaseService& c, store::CaseLog& l, EventHubOptions o)
      : cases(c), log(l), options(std::move(o)) {}

  CaseService& cases;
  store::CaseLog& log;
  const EventHubOptions options;

  std::mutex mu;  // guards subs, stopping, wake
  std::condition_variable cv;
  std::vector<std::shared_ptr<Subscriber>> subs;
  bool stopping = false;
  bool wake = false;

  std::mutex poll_mu;  // one reader of the log at a time
  std::atomic<int64_t> head{0};
  std::atomic<int64_t> dropped{0};

  void Wake() {
    {
      std::lock_guard lock(mu);
      wake = true;
    }
    cv.notify_one();
  }

  std::vector<std::shared_ptr<Subscriber>> Snapshot() {
    std::lock_guard lock(mu);
    return subs;
  }

  void Remove(const std::shared_ptr<Subscriber>& sub) {
    std::lock_guard lock(mu);
    subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
  }

  // The case as it was right after each event (nullopt when its history cannot be read: then
  // nobody is shown the event). Each touched case's history is read and folded once.
  std::vector<std::optional<domain::Case>> CasesAfter(
      const std::vector<store::PositionedEvent>& batch) {
    std::vector<std::optional<domain::Case>> out(batch.size());
    std::map<std::string, std::map<int64_t, std::vector<size_t>>> wanted;  // case -> seq -> index
    for (size_t i = 0; i < batch.size(); ++i) {
      wanted[batch[i].event.case_id][batch[i].event.seq].push_back(i);
    }
    for (const auto& [case_id, seqs] : wanted) {
      auto history = log.GetEvents(case_id);
      if (!history.ok()) continue;
      domain::Case c;
      for (const domain::Event& e : *history) {
        domain::Apply(c, e);
        auto it = seqs.find(e.seq);
        if (it == seqs.end()) continue;
        for (size_t i : it->second) out[i] = c;
        if (it == std::prev(seqs.end())) break;
      }
    }
    return out;
  }

  // Hands one message to a subscriber; false when it is gone.
  bool Send(Subscriber& sub, int64_t position, const std::string& message) {
    std::lock_guard lock(sub.mu);
    if (sub.dead) return false;
    if (position <= sub.skip_through) return true;
    if (sub.attached) {
      if (!sub.write(message)) {
        sub.dead = true;
        ++dropped;
        return false;
      }
      return true;
    }
    sub.pending.emplace_back(position, message);
    if (sub.pending.size() > options.pending_limit) {
      sub.dead = true;
      sub.pending.clear();
      ++dropped;
      return false;
    }
    return true;
  }

  void Deliver(const std::vector<store::PositionedEvent>& batch) {
    std::vector<std::shared_ptr<Subscriber>> targets = Snapshot();
    if (targets.empty() || batch.empty()) return;
    std::vector<std::optional<domain::Case>> after = CasesAfter(batch);
    std::vector<std::shared_ptr<Subscriber>> gone;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!after[i]) continue;
      std::optional<std::string> message;  // formatted once, when someone may see it
      for (const auto& sub : targets) {
        if (!auth::CanSee(sub->who, *after[i])) continue;
        if (!message) message = options.format(batch[i]);
        if (!Send(*sub, batch[i].position, *message)) gone.push_back(sub);
      }
    }
    for (const auto& sub : gone) Remove(sub);
  }

  // Reads and delivers everything after `head`.
  void Poll() {
    std::lock_guard lock(poll_mu);
    // Nobody listening: move the head to the end without reading (and parsing) the events. The
    // end is read before looking for subscribers, so one that subscribes meanwhile still gets
    // every event committed after it subscribed.
    if (auto last = log.LastPosition(); last.ok() && Snapshot().empty()) {
      head = std::max(head.load(), *last);
      return;
    }
    while (true) {
      auto batch = log.EventsAfter(head.load(), options.batch);
      if (!batch.ok() || batch->empty()) return;
      Deliver(*batch);
      head = batch->back().position;
      if (static_cast<int>(batch->size()) < options.batch) return;
    }
  }

  void Loop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      cv.wait_for(lock, options.poll, [this] { return stopping || wake; });
      if (stopping) break;
      wake = false;
      lock.unlock();
      try {
        Poll();
      } catch (const std::exception&) {
        // A formatting or store failure must not end the hub; the next wake retries.
      }
      lock.lock();
    }
  }
};

EventHub::EventHub(CaseService& cases, store::CaseLog& log, EventHubOptions options)
    : core_(std::make_shared<Core>(cases, log, std::move(options))) {}

EventHub::~EventHub() { Stop(); }

base::Status EventHub::Start() {
  if (thread_.joinable()) return base::Status::Ok();
  auto last = core_->log.LastPosition();
  if (!last.ok()) return last.status();
  core_->head = *last;
  std::weak_ptr<Core> weak = core_;
  core_->cases.AddListener([weak](const std::vector<domain::Event>&) {
    if (auto core = weak.lock()) core->Wake();
  });
  std::shared_ptr<Core> core = core_;
  thread_ = std::thread([core] { core->Loop(); });
  return base::Status::Ok();
}

void EventHub::Stop() {
  std::vector<std::shared_ptr<Subscriber>> subs;
  {
    std::lock_guard lock(core_->mu);
    core_->stopping = true;
    subs.swap(core_->subs);
  }
  core_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
  for (const auto& sub : subs) {
    EndFn end;
    {
      std::lock_guard lock(sub->mu);
      sub->dead = true;
      end = sub->end;
    }
    if (end) end();
  }
}

base::Result<std::shared_ptr<EventHub::Subscriber>> EventHub::Subscribe(
    const domain::Principal& who, std::optional<int64_t> after) {
  auto sub = std::make_shared<Subscriber>(who);
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return base::Unavailable("the server is stopping");
    core_->subs.push_back(sub);
  }
  if (!after) return sub;

  // Registered first, so every event after the replay's end reaches `pending` live.
  const int limit = std::max(1, core_->options.replay_limit);
  auto replay = core_->log.EventsAfter(*after, limit);
  if (!replay.ok()) {
    core_->Remove(sub);
    return replay.status();
  }
  const int64_t scanned = replay->empty() ? *after : replay->back().position;
  const bool cut = static_cast<int>(replay->size()) >= limit;
  std::vector<std::optional<domain::Case>> cases = core_->CasesAfter(*replay);
  std::deque<std::pair<int64_t, std::string>> messages;
  for (size_t i = 0; i < replay->size(); ++i) {
    if (cases[i] && auth::CanSee(who, *cases[i])) {
      messages.emplace_back((*replay)[i].position, core_->options.format((*replay)[i]));
    }
  }
  {
    std::lock_guard lock(sub->mu);
    // A cut replay ends the stream after it: live events beyond the cut would leave a gap
    // before the id the client resumes from.
    for (auto& live : sub->pending) {
      if (!cut && live.first > scanned) messages.push_back(std::move(live));
    }
    sub->pending = std::move(messages);
    sub->skip_through = std::max(sub->skip_through, scanned);
    sub->end_after_replay = cut;
  }
  if (cut) core_->Remove(sub);
  return sub;
}

void EventHub::Attach(const std::shared_ptr<Subscriber>& sub, WriteFn write, EndFn end) {
  bool finish = false;
  {
    std::lock_guard lock(sub->mu);
    if (!sub->dead) {
      for (auto& [position, message] : sub->pending) {
        if (!write(std::move(message))) {
          sub->dead = true;
          break;
        }
      }
    }
    sub->pending.clear();
    sub->write = std::move(write);
    sub->end = end;
    sub->attached = true;
    if (sub->end_after_replay) sub->dead = true;
    finish = sub->dead;
  }
  if (finish) {
    core_->Remove(sub);
    if (end) end();
  }
}

void EventHub::Detach(const std::shared_ptr<Subscriber>& sub) {
  {
    std::lock_guard lock(sub->mu);
    sub->dead = true;
    sub->write = nullptr;
    sub->end = nullptr;
  }
  core_->Remove(sub);
}

void EventHub::Poll() { core_->Poll(); }

size_t EventHub::subscriber_count() const {
  std::lock_guard lock(core_->mu);
  return core_->subs.size();
}

int64_t EventHub::position() const { return core_->head.load(); }

int64_t EventHub::dropped() const { return core_->dropped.load(); }

}  // namespace tillvaxt::service
