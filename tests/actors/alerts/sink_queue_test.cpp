#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/alerts/sink_queue.hpp"
#include "actors/alerts/sink_retry.hpp"

// A sink's bounded queue and its retry verdicts.

using namespace agora;

namespace {

queued_alert q(alert_level level, std::string text, uint64_t repeats = 0) {
  return queued_alert{alert_raised{level, "s", std::move(text), 0, ""},
                      repeats};
}

std::vector<std::string> drain(sink_queue& queue) {
  std::vector<std::string> out;
  while (!queue.empty())
    out.push_back(queue.pop().alert.text);
  return out;
}

} // namespace

TEST_CASE("a sink queue keeps arrival order across levels", "[sink_queue]") {
  sink_queue queue{8};
  CHECK_FALSE(queue.push(q(alert_level::warning, "w1")));
  CHECK_FALSE(queue.push(q(alert_level::critical, "c1", 2)));
  CHECK_FALSE(queue.push(q(alert_level::info, "i1")));
  CHECK_FALSE(queue.push(q(alert_level::warning, "w2")));
  CHECK(queue.size() == 4);
  CHECK(queue.front().alert.text == "w1");
  CHECK(queue.pop().alert.text == "w1");
  auto c = queue.pop();
  CHECK(c.alert.text == "c1");
  CHECK(c.repeats == 2);
  CHECK(drain(queue) == std::vector<std::string>{"i1", "w2"});
  CHECK(queue.dropped() == 0);
}

TEST_CASE("a full sink queue drops the oldest alert of the lowest level",
          "[sink_queue]") {
  sink_queue queue{3};
  queue.push(q(alert_level::critical, "c1"));
  queue.push(q(alert_level::warning, "w1"));
  queue.push(q(alert_level::warning, "w2"));
  CHECK(queue.push(q(alert_level::critical, "c2"))); // w1 goes.
  CHECK(queue.push(q(alert_level::info, "i1")));     // i1 itself goes.
  CHECK(queue.push(q(alert_level::critical, "c3"))); // w2 goes.
  CHECK(queue.push(
      q(alert_level::critical, "c4"))); // Only CRITICAL left: c1 goes.
  CHECK(queue.size() == 3);
  CHECK(queue.dropped() == 4);
  CHECK(drain(queue) == std::vector<std::string>{"c2", "c3", "c4"});
}

TEST_CASE("a sink queue with no room drops every alert", "[sink_queue]") {
  sink_queue queue{0};
  CHECK(queue.push(q(alert_level::critical, "c1")));
  CHECK(queue.empty());
  CHECK(queue.dropped() == 1);
}

TEST_CASE("2xx delivers; 5xx, 429 and connection failures retry with doubling "
          "backoff",
          "[sink_retry]") {
  constexpr nanos s = ns_per_s;
  auto ok = judge_delivery(true, 200, "", std::nullopt, "", 1, 3, s);
  CHECK(ok.result == delivery_result::delivered);
  CHECK(judge_delivery(true, 204, "", std::nullopt, "", 3, 3, s).result
        == delivery_result::delivered);

  auto first = judge_delivery(true, 500, "", std::nullopt, "", 1, 3, s);
  CHECK(first.result == delivery_result::retry);
  CHECK(first.delay == 1 * s);
  CHECK(first.reason == "HTTP 500");
  auto second
      = judge_delivery(false, 0, "connect 127.0.0.1:1: Connection refused",
                       std::nullopt, "", 2, 3, s);
  CHECK(second.result == delivery_result::retry);
  CHECK(second.delay == 2 * s);
  CHECK(second.reason == "connect 127.0.0.1:1: Connection refused");
  auto last = judge_delivery(true, 503, "", std::nullopt, "", 3, 3, s);
  CHECK(last.result == delivery_result::failed);
  CHECK(last.reason == "HTTP 503");
  CHECK(judge_delivery(true, 502, "", std::nullopt, "", 4, 5, 100 * ns_per_ms)
            .delay
        == 800 * ns_per_ms);
}

TEST_CASE("429 waits as long as the server says; other 4xx fail at once",
          "[sink_retry]") {
  constexpr nanos s = ns_per_s;
  CHECK(judge_delivery(true, 429, "", std::string_view{"7"}, "", 1, 3, s).delay
        == 7 * s);
  CHECK(
      judge_delivery(true, 429, "", std::string_view{" 0 "}, "", 1, 3, s).delay
      == 0);
  CHECK(judge_delivery(true, 429, "",
                       std::string_view{"Wed, 21 Oct 2026 07:28:00 GMT"}, "", 2,
                       3, s)
            .delay
        == 2 * s); // A date is not understood: plain backoff.
  auto telegram = judge_delivery(
      true, 429, "", std::nullopt,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 12",)"
      R"("parameters":{"retry_after":12}})",
      1, 3, s);
  CHECK(telegram.result == delivery_result::retry);
  CHECK(telegram.delay == 12 * s);
  CHECK(judge_delivery(true, 429, "", std::string_view{"99999"}, "", 1, 3, s)
            .delay
        == max_retry_after);
  for (unsigned status : {400u, 401u, 403u, 404u, 301u}) {
    auto v = judge_delivery(true, status, "", std::nullopt, "", 1, 3, s);
    CHECK(v.result == delivery_result::failed);
    CHECK(v.reason == "HTTP " + std::to_string(status));
  }
}
