// NotifierHost: one notifier plugin instance, isolated from the engine.
//
// Each host owns its plugin instance, a bounded queue and a worker thread that makes the calls,
// so a slow, hanging or failing plugin never blocks or fails a command: Send only copies the
// notification JSON into the queue (dropping it, counted, when the queue is full). Calls that
// return an error are logged and counted as failed; calls running longer than the time limit
// are logged and counted as slow by a watchdog while they run (a C call cannot be interrupted;
// the queue keeps filling and overflowing meanwhile). Stop lets the queue drain for a grace
// period, then abandons a plugin stuck in a call (its thread is detached and the shared object
// stays loaded, so nothing is unloaded under it).
//
// PluginSet is every plugin of the configuration, loaded at start-up; the server refuses to
// start when one cannot be loaded. Thread-safety: Send, counters and RenderMetrics may be
// called from any thread; Stop from one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/config.h"
#include "engine/plugin/loader.h"
#include "engine/service/notifications.h"

namespace tillvaxt::plugin {

// One line for the log (no newline), e.g. "plugin email: connect to 127.0.0.1:25: refused".
using LogFn = std::function<void(const std::string& line)>;
// Writes to stderr.
LogFn StderrLog();

struct NotifierOptions {
  size_t queue_capacity = 1000;
  base::Millis call_time_limit{std::chrono::seconds(30)};
  base::Millis stop_grace{std::chrono::seconds(5)};
};

struct NotifierCounters {
  int64_t delivered = 0;  // calls that returned TV_OK
  int64_t failed = 0;     // calls that returned an error
  int64_t slow = 0;       // calls that ran past the time limit (also counted above on return)
  int64_t dropped = 0;    // notifications refused because the queue was full or stopped
  int64_t queued = 0;     // waiting now
};

class NotifierHost final : public service::NotificationSink {
 public:
  // Creates the plugin instance from `settings` (a refusal names the file and the plugin's
  // reason) and starts the worker.
  static base::Result<std::unique_ptr<NotifierHost>> Create(
      std::unique_ptr<PluginLibrary> library,
      const std::vector<std::pair<std::string, std::string>>& settings,
      NotifierOptions options = {}, LogFn log = StderrLog());
  ~NotifierHost() override;  // Stop()

  void Send(const service::Notification& notification) override;
  // Queues raw JSON; false when dropped.
  bool SendJson(std::string json);

  // Waits until the queue is empty and no call is running; false on timeout (for tests and an
  // orderly shutdown).
  bool WaitIdle(base::Millis timeout);
  void Stop();

  NotifierCounters counters() const;
  const std::string& name() const;
  const std::string& path() const;

  struct State;  // shared with the worker and watchdog threads

 private:
  explicit NotifierHost(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Resolves a configured plugin path: absolute as is, relative against the configuration file's
// folder (`config_dir`; empty = the working directory).
std::string ResolvePluginPath(const std::string& path, const std::string& config_dir);

class PluginSet final : public service::NotificationSink {
 public:
  // Loads every plugin of `config` (paths resolved against `config_dir`). The first one that
  // cannot be loaded or created fails the whole set, naming the file and why.
  static base::Result<std::unique_ptr<PluginSet>> Load(const domain::Config& config,
                                                       const std::string& config_dir,
                                                       NotifierOptions options = {},
                                                       LogFn log = StderrLog());
  // Sends to every notifier (the JSON is made once).
  void Send(const service::Notification& notification) override;
  void Stop();

  const std::vector<std::unique_ptr<NotifierHost>>& notifiers() const { return notifiers_; }
  // Prometheus text: tillvaxt_plugin_calls_total{plugin,outcome}, tillvaxt_plugin_slow_calls_total,
  // tillvaxt_plugin_dropped_total, tillvaxt_plugin_queue_depth.
  std::string RenderMetrics() const;

 private:
  std::vector<std::unique_ptr<NotifierHost>> notifiers_;
  std::vector<std::string> labels_;  // unique metric label per notifier
};

// For `tillvaxt check-config`: loads and creates (then destroys) each configured plugin and
// returns one message per plugin that fails. Empty = all good.
std::vector<std::string> CheckPlugins(const domain::Config& config, const std::string& config_dir);

}  // namespace tillvaxt::plugin
