#include "engine/plugin/notifier_host.h"

#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

namespace tillvaxt::plugin {
namespace {

using Clock = std::chrono::steady_clock;

const char* LevelName(int level) {
  switch (level) {
    case TV_LOG_DEBUG: return "debug";
    case TV_LOG_INFO: return "info";
    case TV_LOG_WARNING: return "warning";
    default: return "error";
  }
}

std::string PrometheusLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

LogFn StderrLog() {
  return [](const std::string& line) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    std::cerr << line << '\n' << std::flush;
  };
}

struct NotifierHost::State {
  std::unique_ptr<PluginLibrary> library;
  std::string name;
  std::string path;
  void* instance = nullptr;
  tv_host_v1 host{};
  NotifierOptions options;
  LogFn log;

  std::mutex mu;
  std::condition_variable work_cv;   // the worker waits for notifications
  std::condition_variable idle_cv;   // WaitIdle and Stop wait for the worker
  std::condition_variable watch_cv;  // the watchdog waits for calls
  std::deque<std::string> queue;
  bool stopping = false;
  bool abandoned = false;
  bool finished = false;  // the worker has returned
  bool watch_stop = false;
  bool busy = false;
  Clock::time_point call_start;
  bool call_reported_slow = false;
  NotifierCounters counters;
  std::thread worker;
  std::thread watchdog;

  void Log(const std::string& what) { log("plugin " + name + " (" + path + "): " + what); }

  static void HostLog(void* ctx, int level, const char* message) {
    auto* self = static_cast<State*>(ctx);
    self->log("plugin " + self->name + ": " + LevelName(level) + ": " +
              (message ? message : "(null)"));
  }

  void WorkerLoop() {
    std::unique_lock lock(mu);
    while (true) {
      work_cv.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty() || abandoned) break;
      std::string json = std::move(queue.front());
      queue.pop_front();
      counters.queued = static_cast<int64_t>(queue.size());
      busy = true;
      call_start = Clock::now();
      call_reported_slow = false;
      lock.unlock();
      watch_cv.notify_all();
      int rc = library->table().on_notification(instance, json.c_str(), json.size());
      lock.lock();
      busy = false;
      auto elapsed = std::chrono::duration_cast<base::Millis>(Clock::now() - call_start);
      if (rc == TV_OK) {
        ++counters.delivered;
      } else {
        ++counters.failed;
        Log("notification failed with status " + std::to_string(rc) + " after " +
            std::to_string(elapsed.count()) + " ms");
      }
      if (elapsed > options.call_time_limit && !call_reported_slow) {
        ++counters.slow;
        Log("call took " + std::to_string(elapsed.count()) + " ms, over the limit of " +
            std::to_string(options.call_time_limit.count()) + " ms");
      }
      idle_cv.notify_all();
    }
    bool destroy = !abandoned;
    lock.unlock();
    if (destroy) library->table().destroy(instance);
    lock.lock();
    instance = nullptr;
    finished = true;
    idle_cv.notify_all();
    watch_cv.notify_all();
  }

  void WatchdogLoop() {
    std::unique_lock lock(mu);
    while (!watch_stop) {
      if (busy && !call_reported_slow) {
        auto deadline = call_start + options.call_time_limit;
        if (Clock::now() >= deadline) {
          call_reported_slow = true;
          ++counters.slow;
          Log("call still running after the limit of " +
              std::to_string(options.call_time_limit.count()) +
              " ms; notifications queue up meanwhile");
          continue;
        }
        watch_cv.wait_until(lock, deadline);
      } else {
        watch_cv.wait(lock);
      }
    }
  }
};

base::Result<std::unique_ptr<NotifierHost>> NotifierHost::Create(
    std::unique_ptr<PluginLibrary> library,
    const std::vector<std::pair<std::string, std::string>>& settings, NotifierOptions options,
    LogFn log) {
  auto state = std::make_shared<State>();
  state->name = library->name();
  state->path = library->path();
  state->options = options;
  state->log = log ? std::move(log) : StderrLog();
  state->host.ctx = state.get();
  state->host.log = &State::HostLog;
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : settings) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  char error[512] = {0};
  void* instance = library->table().create(keys.data(), values.data(), keys.size(), &state->host,
                                           error, sizeof error);
  if (instance == nullptr) {
    error[sizeof error - 1] = '\0';
    return base::FailedPrecondition("plugin " + state->path + ": the " + state->name +
                                    " notifier refused its settings: " +
                                    (error[0] ? error : "no reason given"));
  }
  state->instance = instance;
  state->library = std::move(library);
  state->worker = std::thread([state] { state->WorkerLoop(); });
  state->watchdog = std::thread([state] { state->WatchdogLoop(); });
  return std::unique_ptr<NotifierHost>(new NotifierHost(std::move(state)));
}

NotifierHost::~NotifierHost() { Stop(); }

void NotifierHost::Send(const service::Notification& notification) {
  SendJson(notification.ToJson());
}

bool NotifierHost::SendJson(std::string json) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping || state_->queue.size() >= state_->options.queue_capacity) {
      if (++state_->counters.dropped == 1 || state_->counters.dropped % 100 == 0) {
        state_->Log(std::string(state_->stopping ? "stopped" : "queue full") + "; " +
                    std::to_string(state_->counters.dropped) + " notifications dropped so far");
      }
      return false;
    }
    state_->queue.push_back(std::move(json));
    state_->counters.queued = static_cast<int64_t>(state_->queue.size());
  }
  state_->work_cv.notify_one();
  return true;
}

bool NotifierHost::WaitIdle(base::Millis timeout) {
  std::unique_lock lock(state_->mu);
  return state_->idle_cv.wait_for(lock, timeout, [this] {
    return state_->finished || (state_->queue.empty() && !state_->busy);
  });
}

void NotifierHost::Stop() {
  State& s = *state_;
  {
    std::unique_lock lock(s.mu);
    if (!s.worker.joinable()) return;
    s.stopping = true;
    s.work_cv.notify_all();
    if (!s.idle_cv.wait_for(lock, s.options.stop_grace, [&s] { return s.finished; })) {
      // Stuck in a call: leave the thread to it, keep the code loaded, drop the rest.
      s.abandoned = true;
      s.counters.dropped += static_cast<int64_t>(s.queue.size());
      s.queue.clear();
      s.library->Leak();
      s.Log("still in a call after " + std::to_string(s.options.stop_grace.count()) +
            " ms at shutdown; abandoned");
    }
    s.watch_stop = true;
    s.watch_cv.notify_all();
  }
  if (s.abandoned) {
    s.worker.detach();
  } else {
    s.worker.join();
  }
  s.watchdog.join();
}

NotifierCounters NotifierHost::counters() const {
  std::lock_guard lock(state_->mu);
  return state_->counters;
}

const std::string& NotifierHost::name() const { return state_->name; }
const std::string& NotifierHost::path() const { return state_->path; }

std::string ResolvePluginPath(const std::string& path, const std::string& config_dir) {
  std::filesystem::path p(path);
  if (p.is_absolute() || config_dir.empty()) return p.lexically_normal().string();
  return (std::filesystem::path(config_dir) / p).lexically_normal().string();
}

base::Result<std::unique_ptr<PluginSet>> PluginSet::Load(const domain::Config& config,
                                                         const std::string& config_dir,
                                                         NotifierOptions options, LogFn log) {
  auto set = std::unique_ptr<PluginSet>(new PluginSet());
  for (const domain::Plugin& p : config.plugins) {
    std::string path = ResolvePluginPath(p.path, config_dir);
    auto library = PluginLibrary::Open(path, p.kind);
    if (!library.ok()) return library.status();
    auto host = NotifierHost::Create(std::move(*library), p.settings, options, log);
    if (!host.ok()) return host.status();
    std::string label = (*host)->name();
    int same = 0;
    for (const auto& l : set->labels_) {
      if (l == label || l.rfind(label + "-", 0) == 0) ++same;
    }
    if (same > 0) label += "-" + std::to_string(same + 1);
    set->labels_.push_back(label);
    set->notifiers_.push_back(std::move(*host));
  }
  return set;
}

void PluginSet::Send(const service::Notification& notification) {
  if (notifiers_.empty()) return;
  std::string json = notification.ToJson();
  for (auto& n : notifiers_) n->SendJson(json);
}

void PluginSet::Stop() {
  for (auto& n : notifiers_) n->Stop();
}

std::string PluginSet::RenderMetrics() const {
  if (notifiers_.empty()) return "";
  std::vector<NotifierCounters> c;
  for (const auto& n : notifiers_) c.push_back(n->counters());
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (size_t i = 0; i < c.size(); ++i) value(name, PrometheusLabel(labels_[i]), c[i]);
  };
  family("tillvaxt_plugin_calls_total", "counter", "Notifier plugin calls by outcome.",
         [&](const char* name, const std::string& l, const NotifierCounters& k) {
           out += std::string(name) + "{plugin=\"" + l + "\",outcome=\"ok\"} " +
                  std::to_string(k.delivered) + "\n";
           out += std::string(name) + "{plugin=\"" + l + "\",outcome=\"failed\"} " +
                  std::to_string(k.failed) + "\n";
         });
  family("tillvaxt_plugin_slow_calls_total", "counter",
         "Notifier plugin calls that ran past the time limit.",
         [&](const char* name, const std::string& l, const NotifierCounters& k) {
           out += std::string(name) + "{plugin=\"" + l + "\"} " + std::to_string(k.slow) + "\n";
         });
  family("tillvaxt_plugin_dropped_total", "counter",
         "Notifications dropped because a plugin's queue was full.",
         [&](const char* name, const std::string& l, const NotifierCounters& k) {
           out += std::string(name) + "{plugin=\"" + l + "\"} " + std::to_string(k.dropped) + "\n";
         });
  family("tillvaxt_plugin_queue_depth", "gauge", "Notifications waiting for a plugin.",
         [&](const char* name, const std::string& l, const NotifierCounters& k) {
           out += std::string(name) + "{plugin=\"" + l + "\"} " + std::to_string(k.queued) + "\n";
         });
  return out;
}

std::vector<std::string> CheckPlugins(const domain::Config& config, const std::string& config_dir) {
  std::vector<std::string> problems;
  for (const domain::Plugin& p : config.plugins) {
    std::string path = ResolvePluginPath(p.path, config_dir);
    auto library = PluginLibrary::Open(path, p.kind);
    if (!library.ok()) {
      problems.push_back(library.status().message());
      continue;
    }
    NotifierOptions options;
    options.stop_grace = base::Millis(1000);
    auto host = NotifierHost::Create(std::move(*library), p.settings, options,
                                     [](const std::string&) {});
    if (!host.ok()) problems.push_back(host.status().message());
  }
  return problems;
}

}  // namespace tillvaxt::plugin
