#include <catch2/catch.hpp>

#include <string>

#include "actors/alerts/alert_policy.hpp"

// The router's pure core: throttling, repeat counts, bounded memory and the
// summary schedule, at hand-picked times.

using namespace agora;

namespace {

constexpr nanos t0 = 1'795'417'200'123 * ns_per_ms; // 2026-11-23T07:00:00.123Z

alert_settings settings() {
  alert_settings s;
  s.throttle_info = 300 * ns_per_s;
  s.throttle_warning = 60 * ns_per_s;
  s.throttle_critical = 10 * ns_per_s;
  s.summary_hour_utc = 0;
  return s;
}

alert_raised alert(alert_level level, std::string source, std::string text,
                   std::string key = {}) {
  return alert_raised{level, std::move(source), std::move(text), t0,
                      std::move(key)};
}

} // namespace

TEST_CASE("an identical alert within its throttle is suppressed and its "
          "repeats ride with the "
          "next delivery",
          "[alert_policy]") {
  alert_policy p{settings()};
  auto a = alert(alert_level::critical, "risk", "halted: daily loss 2.1%");
  auto first = p.on_alert(a, t0);
  CHECK(first.deliver);
  CHECK(first.repeats == 0);
  CHECK_FALSE(p.on_alert(a, t0 + 1 * ns_per_s).deliver);
  CHECK_FALSE(p.on_alert(a, t0 + 5 * ns_per_s).deliver);
  CHECK_FALSE(p.on_alert(a, t0 + 10 * ns_per_s - 1).deliver);
  auto next = p.on_alert(a, t0 + 10 * ns_per_s);
  CHECK(next.deliver);
  CHECK(next.repeats == 3);
  // The count restarts with each delivery.
  auto after = p.on_alert(a, t0 + 20 * ns_per_s);
  CHECK(after.deliver);
  CHECK(after.repeats == 0);
  CHECK(p.delivered(alert_level::critical) == 3);
  CHECK(p.suppressed(alert_level::critical) == 3);
  CHECK(p.delivered_total() == 3);
  CHECK(p.suppressed_total() == 3);
}

TEST_CASE("each level has its own throttle window", "[alert_policy]") {
  alert_policy p{settings()};
  auto info = alert(alert_level::info, "risk", "x");
  auto warning = alert(alert_level::warning, "risk", "x");
  auto critical = alert(alert_level::critical, "risk", "x");
  CHECK(p.throttle(alert_level::info) == 300 * ns_per_s);
  CHECK(p.throttle(alert_level::warning) == 60 * ns_per_s);
  CHECK(p.throttle(alert_level::critical) == 10 * ns_per_s);
  for (auto* a : {&info, &warning, &critical})
    CHECK(p.on_alert(*a, t0).deliver);
  auto at = t0 + 59 * ns_per_s;
  CHECK_FALSE(p.on_alert(info, at).deliver);
  CHECK_FALSE(p.on_alert(warning, at).deliver);
  CHECK(p.on_alert(critical, at).deliver);
  at = t0 + 60 * ns_per_s;
  CHECK_FALSE(p.on_alert(info, at).deliver);
  CHECK(p.on_alert(warning, at).repeats == 1);
  at = t0 + 300 * ns_per_s;
  CHECK(p.on_alert(info, at).repeats == 2);
  CHECK(p.delivered(alert_level::info) == 2);
  CHECK(p.suppressed(alert_level::info) == 2);
  CHECK(p.suppressed(alert_level::warning) == 1);
  CHECK(p.suppressed(alert_level::critical) == 0);
}

TEST_CASE("the de-duplication key replaces the text when set",
          "[alert_policy]") {
  alert_policy p{settings()};
  auto a = alert(alert_level::critical, "gateway", "leg risk: 0.5 BTC naked",
                 "leg_risk:BTCUSDT");
  auto b = alert(alert_level::critical, "gateway", "leg risk: 0.7 BTC naked",
                 "leg_risk:BTCUSDT");
  auto c = alert(alert_level::critical, "gateway", "leg risk: 0.5 BTC naked",
                 "leg_risk:ETHUSDT");
  auto d = alert(alert_level::critical, "risk", "leg risk: 0.5 BTC naked",
                 "leg_risk:BTCUSDT");
  CHECK(alert_policy::key_of(a) == "CRITICAL|gateway|leg_risk:BTCUSDT");
  CHECK(alert_policy::key_of(alert(alert_level::info, "risk", "hello"))
        == "INFO|risk|hello");
  CHECK(p.on_alert(a, t0).deliver);
  CHECK_FALSE(p.on_alert(b, t0 + 1).deliver); // Same key, other text.
  CHECK(p.on_alert(c, t0 + 2).deliver);       // Other key.
  CHECK(p.on_alert(d, t0 + 3).deliver);       // Other source.
  CHECK(p.tracked() == 3);
}

TEST_CASE("remembered alerts are pruned: expired first, then the least "
          "recently delivered",
          "[alert_policy]") {
  alert_policy p{settings(), 4};
  auto crit = [](int i) {
    return alert(alert_level::critical, "s", "a" + std::to_string(i));
  };
  for (int i = 0; i < 4; ++i)
    CHECK(p.on_alert(crit(i), t0).deliver);
  CHECK(p.tracked() == 4);
  // Past every window: the fifth alert finds the old ones expired.
  CHECK(p.on_alert(crit(4), t0 + 10 * ns_per_s).deliver);
  CHECK(p.tracked() == 1);

  // All within their window: the least recent go, down to 3 of 4.
  alert_policy q{settings(), 4};
  auto base = t0 + 100 * ns_per_s;
  for (int i = 0; i < 5; ++i)
    CHECK(q.on_alert(crit(i), base + i).deliver);
  CHECK(q.tracked() == 3);
  CHECK_FALSE(q.on_alert(crit(2), base + 6).deliver); // Still remembered.
  CHECK(q.on_alert(crit(0), base + 7).deliver); // Forgotten: delivered again.

  // A storm of distinct alerts never grows the memory past the bound.
  alert_policy r{settings(), 64};
  for (int i = 0; i < 10'000; ++i) {
    CHECK(r.on_alert(crit(i), base + i).deliver);
    REQUIRE(r.tracked() <= 64);
  }
  CHECK(r.delivered_total() == 10'000);
}

TEST_CASE("the next summary is the next summary-hour boundary, UTC",
          "[alert_policy]") {
  constexpr nanos nov23 = 1'795'392'000 * ns_per_s; // 2026-11-23T00:00:00Z
  constexpr nanos nov24 = 1'795'478'400 * ns_per_s; // 2026-11-24T00:00:00Z
  constexpr nanos hour = 3600 * ns_per_s;
  auto s = settings();
  CHECK(alert_policy{s}.next_summary_after(t0) == nov24);
  CHECK(alert_policy{s}.next_summary_after(nov23)
        == nov24); // At a boundary: the next one.
  CHECK(alert_policy{s}.next_summary_after(nov23 - 1) == nov23);
  s.summary_hour_utc = 8;
  CHECK(alert_policy{s}.next_summary_after(t0) == nov23 + 8 * hour);
  CHECK(alert_policy{s}.next_summary_after(nov23 + 8 * hour)
        == nov24 + 8 * hour);
  s.summary_hour_utc = 7; // 07:00:00.123 is already past 07:00.
  CHECK(alert_policy{s}.next_summary_after(t0) == nov24 + 7 * hour);
  s.summary_hour_utc = 23;
  CHECK(alert_policy{s}.next_summary_after(0) == 23 * hour);
  CHECK(alert_policy{s}.next_summary_after(-2 * hour)
        == -hour); // 1969-12-31T23:00Z
  CHECK(alert_policy{s}.next_summary_after(-1) == 23 * hour);
  s.summary_hour_utc = -1;
  CHECK(alert_policy{s}.next_summary_after(t0) == 0);
  s.summary_hour_utc = 24;
  CHECK(alert_policy{s}.next_summary_after(t0) == 0);
}
