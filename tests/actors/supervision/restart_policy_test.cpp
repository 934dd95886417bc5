#include <catch2/catch.hpp>

#include "actors/supervision/restart_policy.hpp"

using namespace agora;

namespace {

restart_params small_params() {
  restart_params p;
  p.max_restarts = 3;
  p.within = 10 * ns_per_s;
  p.backoff_initial = 100 * ns_per_ms;
  p.backoff_max = 1 * ns_per_s;
  return p;
}

} // namespace

static_assert(should_restart(restart_type::permanent, false));
static_assert(should_restart(restart_type::permanent, true));
static_assert(should_restart(restart_type::transient, true));
static_assert(!should_restart(restart_type::transient, false));

TEST_CASE("restart intensity allows max_restarts within the window, then "
          "escalates",
          "[restart_policy]") {
  restart_policy p{small_params()};
  auto t0 = 1'000 * ns_per_s;
  auto d1 = p.on_failure(t0, 1);
  CHECK_FALSE(d1.escalate);
  CHECK(d1.delay == 100 * ns_per_ms);
  auto d2 = p.on_failure(t0 + 1 * ns_per_s, 2);
  CHECK_FALSE(d2.escalate);
  CHECK(d2.delay == 200 * ns_per_ms);
  auto d3 = p.on_failure(t0 + 2 * ns_per_s, 3);
  CHECK_FALSE(d3.escalate);
  CHECK(d3.delay == 400 * ns_per_ms);
  CHECK(p.recent(t0 + 2 * ns_per_s) == 3);
  auto d4 = p.on_failure(t0 + 3 * ns_per_s, 4);
  CHECK(d4.escalate);
  CHECK(d4.delay == 0);
  // An escalation is not counted as a restart.
  CHECK(p.recent(t0 + 3 * ns_per_s) == 3);
}

TEST_CASE("restarts older than the window free intensity capacity",
          "[restart_policy]") {
  restart_policy p{small_params()};
  auto t0 = 1'000 * ns_per_s;
  p.on_failure(t0, 1);
  p.on_failure(t0 + 1 * ns_per_s, 1);
  p.on_failure(t0 + 2 * ns_per_s, 1);
  // One nanosecond before the first restart leaves the window: still full.
  CHECK(p.recent(t0 + 10 * ns_per_s - 1) == 3);
  CHECK(p.on_failure(t0 + 10 * ns_per_s - 1, 1).escalate);
  // Exactly `within` later the first restart no longer counts.
  CHECK(p.recent(t0 + 10 * ns_per_s) == 2);
  auto d = p.on_failure(t0 + 10 * ns_per_s, 1);
  CHECK_FALSE(d.escalate);
  CHECK(d.delay == 100 * ns_per_ms);
  CHECK(p.recent(t0 + 10 * ns_per_s) == 3);
  // Long after, everything has expired.
  CHECK(p.recent(t0 + 100 * ns_per_s) == 0);
}

TEST_CASE("intensity is shared by all children of a supervisor",
          "[restart_policy]") {
  restart_policy p{small_params()};
  auto t0 = 50 * ns_per_s;
  // Three different children, each failing for the first time.
  CHECK_FALSE(p.on_failure(t0, 1).escalate);
  CHECK_FALSE(p.on_failure(t0 + 1, 1).escalate);
  CHECK_FALSE(p.on_failure(t0 + 2, 1).escalate);
  CHECK(p.on_failure(t0 + 3, 1).escalate);
}

TEST_CASE("a supervisor allowed no restarts escalates on the first failure",
          "[restart_policy]") {
  auto params = small_params();
  params.max_restarts = 0;
  restart_policy p{params};
  CHECK(p.on_failure(0, 1).escalate);
  CHECK(p.recent(0) == 0);
}

TEST_CASE("backoff doubles per consecutive failure and caps", "[restart_policy]") {
  restart_policy p{small_params()};
  CHECK(p.backoff(1) == 100 * ns_per_ms);
  CHECK(p.backoff(2) == 200 * ns_per_ms);
  CHECK(p.backoff(3) == 400 * ns_per_ms);
  CHECK(p.backoff(4) == 800 * ns_per_ms);
  CHECK(p.backoff(5) == 1 * ns_per_s);
  CHECK(p.backoff(6) == 1 * ns_per_s);
  CHECK(p.backoff(1'000'000) == 1 * ns_per_s);
  // Zero failures (a first start that failed) waits the initial backoff.
  CHECK(p.backoff(0) == 100 * ns_per_ms);
  CHECK(p.on_failure(0, 0).delay == 100 * ns_per_ms);
}

TEST_CASE("default backoff runs 200ms, 400ms, ... and caps at 10s",
          "[restart_policy]") {
  restart_policy p{restart_params{}};
  CHECK(p.params().max_restarts == 5);
  CHECK(p.params().within == 60 * ns_per_s);
  CHECK(p.backoff(1) == 200 * ns_per_ms);
  CHECK(p.backoff(2) == 400 * ns_per_ms);
  CHECK(p.backoff(5) == 3'200 * ns_per_ms);
  CHECK(p.backoff(6) == 6'400 * ns_per_ms);
  CHECK(p.backoff(7) == 10 * ns_per_s);
  CHECK(p.backoff(64) == 10 * ns_per_s);
}

TEST_CASE("an initial backoff above the cap is capped", "[restart_policy]") {
  auto params = small_params();
  params.backoff_initial = 5 * ns_per_s;
  restart_policy p{params};
  CHECK(p.backoff(1) == 1 * ns_per_s);
  CHECK(p.backoff(3) == 1 * ns_per_s);
}

TEST_CASE("failure_window counts a child's failures within the window",
          "[restart_policy]") {
  failure_window w;
  auto within = 10 * ns_per_s;
  CHECK(w.record(0, within) == 1);
  CHECK(w.record(5 * ns_per_s, within) == 2);
  CHECK(w.record(10 * ns_per_s - 1, within) == 3);
  // The failure at 0 is exactly `within` old now: it drops out.
  CHECK(w.record(10 * ns_per_s, within) == 3);
  CHECK(w.record(15 * ns_per_s, within) == 3);
  CHECK(w.record(100 * ns_per_s, within) == 1);
}

TEST_CASE("a child's backoff grows with its own failures", "[restart_policy]") {
  restart_policy p{small_params()};
  failure_window w;
  auto within = p.params().within;
  auto t = 1'000 * ns_per_s;
  CHECK(p.on_failure(t, w.record(t, within)).delay == 100 * ns_per_ms);
  t += ns_per_s;
  CHECK(p.on_failure(t, w.record(t, within)).delay == 200 * ns_per_ms);
  t += ns_per_s;
  CHECK(p.on_failure(t, w.record(t, within)).delay == 400 * ns_per_ms);
  // After a quiet window the child starts over at the initial backoff.
  t += 60 * ns_per_s;
  CHECK(p.on_failure(t, w.record(t, within)).delay == 100 * ns_per_ms);
}
