// Statistics in their API forms (proto/tillvaxt/api/v1/stats.proto).
#include "engine/api/views.h"

namespace tillvaxt::api {
namespace {

void Fill(google::protobuf::Map<std::string, int32_t>* out, const projection::Counts& counts) {
  for (const auto& [k, v] : counts) (*out)[k] = static_cast<int32_t>(v);
}

void Fill(api::v1::Percentiles* out, const projection::Percentiles& p) {
  out->set_count(static_cast<int32_t>(p.count));
  out->set_p50(p.p50);
  out->set_p90(p.p90);
}

}  // namespace

api::v1::StatsSummary SummaryView(const projection::Summary& s) {
  api::v1::StatsSummary out;
  out.set_total(static_cast<int32_t>(s.total));
  Fill(out.mutable_by_state(), s.by_state);
  Fill(out.mutable_by_node(), s.by_node);
  Fill(out.mutable_by_level_reached(), s.by_level_reached);
  Fill(out.mutable_by_need(), s.by_need);
  Fill(out.mutable_by_area(), s.by_area);
  Fill(out.mutable_by_outcome(), s.by_outcome);
  Fill(out.mutable_by_effect(), s.by_effect);
  Fill(out.mutable_escalations_by_level(), s.escalations_by_level);
  Fill(out.mutable_open_age(), s.open_age);
  out.set_escalation_rate(s.escalation_rate);
  out.set_leakage(s.leakage);
  Fill(out.mutable_time_to_claim(), s.time_to_claim_hours);
  Fill(out.mutable_time_to_resolve(), s.time_to_resolve_hours);
  Fill(out.mutable_idle_time(), s.idle_hours);
  Fill(out.mutable_time_to_claim_business_days(), s.time_to_claim_business_days);
  Fill(out.mutable_time_to_resolve_business_days(), s.time_to_resolve_business_days);
  Fill(out.mutable_idle_time_business_days(), s.idle_business_days);
  out.set_sla_breaches(static_cast<int32_t>(s.sla_breaches));
  out.set_sla_breached_cases(static_cast<int32_t>(s.sla_breached_cases));
  out.set_escalated(static_cast<int32_t>(s.escalated));
  out.set_leaked(static_cast<int32_t>(s.leaked));
  out.set_declines(static_cast<int32_t>(s.declines));
  return out;
}

api::v1::StatsFlow FlowView(const std::vector<projection::FlowLink>& links) {
  api::v1::StatsFlow out;
  for (const projection::FlowLink& l : links) {
    api::v1::FlowLink* p = out.add_links();
    p->set_source(l.source);
    p->set_target(l.target);
    p->set_value(static_cast<int32_t>(l.value));
  }
  return out;
}

api::v1::StatsTimeSeries TimeSeriesView(const std::vector<projection::TimePoint>& points,
                                        const std::string& bucket, const std::string& metric) {
  api::v1::StatsTimeSeries out;
  out.set_bucket(bucket.empty() ? "month" : bucket);
  out.set_metric(metric.empty() ? "created" : metric);
  for (const projection::TimePoint& p : points) {
    api::v1::TimeSeriesPoint* q = out.add_points();
    q->set_start(p.start);
    q->set_value(static_cast<int32_t>(p.value));
  }
  return out;
}

}  // namespace tillvaxt::api
