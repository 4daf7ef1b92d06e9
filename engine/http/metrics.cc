#include "engine/http/metrics.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tillvaxt::http {

namespace {

bool ValidMetricName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendEscaped(std::string* out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c == '"' && quote) {
      *out += "\\\"";
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

MetricFamily::MetricFamily(std::string name, std::string help,
                           std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!ValidMetricName(name_, true)) throw std::invalid_argument("bad metric name '" + name_ + "'");
  for (const auto& l : label_names_) {
    if (!ValidMetricName(l, false) || l == "le" || l.starts_with("__")) {
      throw std::invalid_argument("bad label name '" + l + "' for metric '" + name_ + "'");
    }
  }
}

void MetricFamily::CheckLabels(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric '" + name_ + "' takes " +
                                std::to_string(label_names_.size()) + " label values, got " +
                                std::to_string(values.size()));
  }
}

std::string MetricFamily::SeriesName(std::string_view suffix, const LabelValues& values,
                                     std::string_view extra) const {
  std::string out = name_;
  out += suffix;
  if (values.empty() && extra.empty()) return out;
  out += '{';
  for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    AppendEscaped(&out, values[i], true);
    out += '"';
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

void MetricFamily::Render(std::string* out) const {
  *out += "# HELP ";
  *out += name_;
  *out += ' ';
  AppendEscaped(out, help_, false);
  *out += "\n# TYPE ";
  *out += name_;
  *out += ' ';
  *out += type();
  *out += '\n';
  RenderSamples(out);
}

void CounterFamily::Inc(const LabelValues& labels, double amount) {
  CheckLabels(labels);
  if (!(amount >= 0)) throw std::invalid_argument("counter '" + name() + "' cannot decrease");
  std::lock_guard lock(mu_);
  values_[labels] += amount;
}

double CounterFamily::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void CounterFamily::RenderSamples(std::string* out) const {
  std::lock_guard lock(mu_);
  for (const auto& [labels, value] : values_) {
    *out += SeriesName("", labels) + ' ' + FormatMetricValue(value) + '\n';
  }
}

void GaugeFamily::Set(const LabelValues& labels, double value) {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  values_[labels] = value;
}

void GaugeFamily::Add(const LabelValues& labels, double delta) {
  CheckLabels(labels);
  std::lock_guard lock(mu_);
  values_[labels] += delta;
}

double GaugeFamily::Value(const LabelValues& labels) const {
  Reader reader;
  {
    std::lock_guard lock(mu_);
    if (!reader_) {
      auto it = values_.find(labels);
      return it == values_.end() ? 0 : it->second;
    }
    reader = reader_;
  }
  for (const auto& [l, v] : reader()) {
    if (l == labels) return v;
  }
  return 0;
}

void GaugeFamily::SetReader(Reader reader) {
  std::lock_guard lock(mu_);
  reader_ = std::move(reader);
}

void GaugeFamily::RenderSamples(std::string* out) const {
  Reader reader;
  std::map<LabelValues, double> values;
  {
    std::lock_guard lock(mu_);
    reader = reader_;
    if (!reader) values = values_;
  }
  // The reader runs outside our lock: it may take locks of its own.
  if (reader) {
    for (auto& [labels, value] : reader()) {
      if (labels.size() == label_names().size()) values[std::move(labels)] = value;
    }
  }
  for (const auto& [labels, value] : values) {
    *out += SeriesName("", labels) + ' ' + FormatMetricValue(value) + '\n';
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> buckets)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
      buckets_(std::move(buckets)) {
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (std::isnan(buckets_[i]) || (i > 0 && !(buckets_[i] > buckets_[i - 1]))) {
      throw std::invalid_argument("histogram '" + this->name() +
                                  "' needs strictly increasing buckets");
    }
  }
  if (!buckets_.empty() && std::isinf(buckets_.back())) buckets_.pop_back();  // +Inf is implicit
}

void HistogramFamily::Observe(const LabelValues& labels, double value) {
  CheckLabels(labels);
  size_t bucket = 0;
  while (bucket < buckets_.size() && value > buckets_[bucket]) ++bucket;
  std::lock_guard lock(mu_);
  Series& s = series_[labels];
  if (s.counts.empty()) s.counts.resize(buckets_.size() + 1);
  ++s.counts[bucket];
  s.sum += value;
  ++s.count;
}

uint64_t HistogramFamily::Count(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

double HistogramFamily::Sum(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.sum;
}

void HistogramFamily::RenderSamples(std::string* out) const {
  std::lock_guard lock(mu_);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= buckets_.size(); ++i) {
      cumulative += s.counts[i];
      std::string le = "le=\"" +
                       (i < buckets_.size() ? FormatMetricValue(buckets_[i]) : std::string("+Inf")) +
                       "\"";
      *out += SeriesName("_bucket", labels, le) + ' ' + std::to_string(cumulative) + '\n';
    }
    *out += SeriesName("_sum", labels) + ' ' + FormatMetricValue(s.sum) + '\n';
    *out += SeriesName("_count", labels) + ' ' + std::to_string(s.count) + '\n';
  }
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

template <typename T, typename... Args>
T& Metrics::Register(std::string name, std::vector<std::string> label_names, Args&&... args) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* existing = dynamic_cast<T*>(it->second.get());
    if (!existing || existing->label_names() != label_names) {
      throw std::invalid_argument("metric '" + name + "' is already registered differently");
    }
    return *existing;
  }
  auto family = std::make_unique<T>(name, std::forward<Args>(args)..., std::move(label_names));
  T& ref = *family;
  families_.emplace(std::move(name), std::move(family));
  return ref;
}

CounterFamily& Metrics::AddCounter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  return Register<CounterFamily>(std::move(name), std::move(label_names), std::move(help));
}

GaugeFamily& Metrics::AddGauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  return Register<GaugeFamily>(std::move(name), std::move(label_names), std::move(help));
}

HistogramFamily& Metrics::AddHistogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* existing = dynamic_cast<HistogramFamily*>(it->second.get());
    if (!existing || existing->label_names() != label_names) {
      throw std::invalid_argument("metric '" + name + "' is already registered differently");
    }
    return *existing;
  }
  auto family = std::make_unique<HistogramFamily>(name, std::move(help), std::move(label_names),
                                                  std::move(buckets));
  HistogramFamily& ref = *family;
  families_.emplace(std::move(name), std::move(family));
  return ref;
}

GaugeFamily& Metrics::AddCallbackGauge(std::string name, std::string help,
                                       std::function<double()> read) {
  GaugeFamily& gauge = AddGauge(std::move(name), std::move(help));
  gauge.SetReader([read = std::move(read)]() -> std::vector<std::pair<LabelValues, double>> {
    return {{LabelValues{}, read()}};
  });
  return gauge;
}

GaugeFamily& Metrics::AddCallbackGaugeFamily(std::string name, std::string help,
                                             std::vector<std::string> label_names,
                                             GaugeFamily::Reader read) {
  GaugeFamily& gauge = AddGauge(std::move(name), std::move(help), std::move(label_names));
  gauge.SetReader(std::move(read));
  return gauge;
}

std::string Metrics::Render() const {
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  std::string out;
  for (const MetricFamily* family : families) family->Render(&out);
  return out;
}

}  // namespace tillvaxt::http
