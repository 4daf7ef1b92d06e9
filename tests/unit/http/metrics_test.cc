#include "engine/http/metrics.h"

#include <catch2/catch.hpp>

#include <thread>

#include <boost/json/parse.hpp>

#include "engine/http/access_log.h"

using namespace tillvaxt;
using namespace tillvaxt::http;

TEST_CASE("Metrics render counters, gauges and histograms in text format 0.0.4") {
  Metrics metrics;
  auto& requests = metrics.AddCounter("tillvaxt_http_requests_total", "HTTP requests.",
                                      {"route", "status"});
  requests.Inc({"cases.claim", "200"});
  requests.Inc({"cases.claim", "200"});
  requests.Inc({"cases.claim", "409"}, 3);
  auto& latency = metrics.AddHistogram("tillvaxt_http_request_duration_seconds", "Latency.",
                                       {"route"}, {0.01, 0.1, 1});
  latency.Observe({"cases.claim"}, 0.005);
  latency.Observe({"cases.claim"}, 0.05);
  latency.Observe({"cases.claim"}, 5);
  int connections = 7;
  metrics.AddCallbackGauge("tillvaxt_http_connections", "Open connections.",
                           [&] { return static_cast<double>(connections); });
  metrics.AddCallbackGaugeFamily("tillvaxt_cases", "Cases by state.", {"state"}, [] {
    return std::vector<std::pair<LabelValues, double>>{{{"NEW"}, 4}, {{"CLAIMED"}, 2}};
  });
  auto& odd = metrics.AddGauge("odd_labels", "Escapes \\ and\nnewlines.", {"v"});
  odd.Set({"a\"b\\c\nd"}, 1.5);

  std::string text = metrics.Render();
  CHECK(text.find("# HELP tillvaxt_http_requests_total HTTP requests.\n"
                  "# TYPE tillvaxt_http_requests_total counter\n"
                  "tillvaxt_http_requests_total{route=\"cases.claim\",status=\"200\"} 2\n"
                  "tillvaxt_http_requests_total{route=\"cases.claim\",status=\"409\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE tillvaxt_http_request_duration_seconds histogram\n"
                  "tillvaxt_http_request_duration_seconds_bucket{route=\"cases.claim\",le=\"0.01\"} 1\n"
                  "tillvaxt_http_request_duration_seconds_bucket{route=\"cases.claim\",le=\"0.1\"} 2\n"
                  "tillvaxt_http_request_duration_seconds_bucket{route=\"cases.claim\",le=\"1\"} 2\n"
                  "tillvaxt_http_request_duration_seconds_bucket{route=\"cases.claim\",le=\"+Inf\"} 3\n"
                  "tillvaxt_http_request_duration_seconds_sum{route=\"cases.claim\"} 5.055\n"
                  "tillvaxt_http_request_duration_seconds_count{route=\"cases.claim\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE tillvaxt_http_connections gauge\ntillvaxt_http_connections 7\n") !=
        std::string::npos);
  connections = 9;
  CHECK(metrics.Render().find("tillvaxt_http_connections 9\n") != std::string::npos);
  CHECK(text.find("tillvaxt_cases{state=\"CLAIMED\"} 2\ntillvaxt_cases{state=\"NEW\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("# HELP odd_labels Escapes \\\\ and\\nnewlines.\n") != std::string::npos);
  CHECK(text.find("odd_labels{v=\"a\\\"b\\\\c\\nd\"} 1.5\n") != std::string::npos);
  // Families come out in name order.
  CHECK(text.find("odd_labels") < text.find("tillvaxt_cases"));
}

TEST_CASE("Metrics registration is idempotent and rejects misuse") {
  Metrics metrics;
  auto& a = metrics.AddCounter("x_total", "x", {"k"});
  auto& b = metrics.AddCounter("x_total", "x", {"k"});
  CHECK(&a == &b);
  CHECK_THROWS_AS(metrics.AddGauge("x_total", "x", {"k"}), std::invalid_argument);
  CHECK_THROWS_AS(metrics.AddCounter("x_total", "x", {"other"}), std::invalid_argument);
  CHECK_THROWS_AS(metrics.AddCounter("bad-name", "x"), std::invalid_argument);
  CHECK_THROWS_AS(metrics.AddHistogram("h", "h", {}, {1, 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(a.Inc({}), std::invalid_argument);
  CHECK_THROWS_AS(a.Inc({"v"}, -1), std::invalid_argument);
  CHECK(FormatMetricValue(1e300) == "1e+300");
  CHECK(FormatMetricValue(0.1) == "0.1");
  CHECK(FormatMetricValue(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("Metrics counters are thread-safe") {
  Metrics metrics;
  auto& c = metrics.AddCounter("c_total", "c", {"t"});
  auto& h = metrics.AddHistogram("h_seconds", "h", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc({"x"});
        h.Observe({"x"}, 0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.Value({"x"}) == 40000);
  CHECK(h.Count({"x"}) == 40000);
}

TEST_CASE("Access log lines are one JSON object each") {
  AccessLogEntry e;
  e.time = base::FromUnixMillis(1795340102123);
  e.request_id = "abc-1";
  e.remote = "127.0.0.1:5000";
  e.method = "POST";
  e.path = "/v1/cases/c \"1\":claim";
  e.route = "cases.claim";
  e.status = 409;
  e.bytes = 321;
  e.duration_ms = 1.23456;
  e.user = "actor.almi";
  std::string line = FormatAccessLog(e);
  CHECK(line.find('\n') == std::string::npos);
  auto v = boost::json::parse(line);
  CHECK(v.at("time").as_string() == base::FormatRfc3339(e.time));
  CHECK(v.at("requestId").as_string() == "abc-1");
  CHECK(v.at("remote").as_string() == "127.0.0.1:5000");
  CHECK(v.at("method").as_string() == "POST");
  CHECK(v.at("path").as_string() == "/v1/cases/c \"1\":claim");
  CHECK(v.at("route").as_string() == "cases.claim");
  CHECK(v.at("status").as_int64() == 409);
  CHECK(v.at("bytes").to_number<int64_t>() == 321);
  CHECK(v.at("durationMs").as_double() == Approx(1.235));
  CHECK(v.at("user").as_string() == "actor.almi");
  e.user.clear();
  CHECK_FALSE(boost::json::parse(FormatAccessLog(e)).as_object().contains("user"));
}
