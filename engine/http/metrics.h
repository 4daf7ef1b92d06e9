// Metrics: a small Prometheus registry (text exposition format 0.0.4) for /metrics.
//
// Families are registered once (at start-up) and then updated from any thread: counters and
// gauges with label values, histograms with fixed buckets, and gauges read by a callback at
// render time (connections open, cases by state). Family references stay valid for the
// registry's lifetime. Thread-safe throughout. Programming errors (a bad metric name, the same
// name registered with another type or label set, a wrong number of label values) throw
// std::invalid_argument.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/thread_annotations.h"

namespace tillvaxt::http {

using LabelValues = std::vector<std::string>;

// Prometheus' default-like latency buckets in seconds, 1 ms to 10 s.
const std::vector<double>& DefaultLatencyBuckets();

class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual const char* type() const = 0;
  // Appends the HELP, TYPE and sample lines.
  void Render(std::string* out) const;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void CheckLabels(const LabelValues& values) const;
  // "name{a=\"x\",b=\"y\"}" with `extra` (e.g. le="0.1") appended to the labels.
  std::string SeriesName(std::string_view suffix, const LabelValues& values,
                         std::string_view extra = {}) const;
  virtual void RenderSamples(std::string* out) const = 0;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

class CounterFamily final : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {}
  const char* type() const override { return "counter"; }
  // REQUIRES: amount >= 0.
  void Inc(const LabelValues& labels = {}, double amount = 1);
  double Value(const LabelValues& labels = {}) const;

 private:
  void RenderSamples(std::string* out) const override;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_ GUARDED_BY(mu_);
};

class GaugeFamily final : public MetricFamily {
 public:
  using Reader = std::function<std::vector<std::pair<LabelValues, double>>()>;
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {}
  const char* type() const override { return "gauge"; }
  void Set(const LabelValues& labels, double value);
  void Add(const LabelValues& labels, double delta);
  double Value(const LabelValues& labels = {}) const;
  // Replaces stored values by a callback read at render time. It must be thread-safe and quick.
  void SetReader(Reader reader);

 private:
  void RenderSamples(std::string* out) const override;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_ GUARDED_BY(mu_);
  Reader reader_;
};

class HistogramFamily final : public MetricFamily {
 public:
  // REQUIRES: buckets strictly increasing (checked; throws otherwise).
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets);
  const char* type() const override { return "histogram"; }
  void Observe(const LabelValues& labels, double value);
  uint64_t Count(const LabelValues& labels = {}) const;
  double Sum(const LabelValues& labels = {}) const;
  const std::vector<double>& buckets() const { return buckets_; }

 private:
  struct Series {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  void RenderSamples(std::string* out) const override;
  std::vector<double> buckets_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_ GUARDED_BY(mu_);
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Each returns the existing family when one of the same name, type and labels exists.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> buckets = DefaultLatencyBuckets());
  // A gauge without labels read by `read` at render time (replaces an earlier reader).
  GaugeFamily& AddCallbackGauge(std::string name, std::string help, std::function<double()> read);
  // A labelled gauge read by `read` at render time (e.g. cases by state).
  GaugeFamily& AddCallbackGaugeFamily(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      GaugeFamily::Reader read);

  // All families in name order, in text format 0.0.4
  // (Content-Type: text/plain; version=0.0.4; charset=utf-8).
  std::string Render() const;

 private:
  template <typename T, typename... Args>
  T& Register(std::string name, std::vector<std::string> label_names, Args&&... args);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_ GUARDED_BY(mu_);
};

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Formats a sample value as Prometheus expects: shortest round-trip decimal, "+Inf", "NaN".
std::string FormatMetricValue(double value);

}  // namespace tillvaxt::http
