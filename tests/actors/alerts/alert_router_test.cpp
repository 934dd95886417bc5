#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/alerts/alert_router.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/logging.hpp"

// The alert router under CAF's deterministic scheduler with a manual clock:
// nothing runs until the test says so.

using namespace agora;

namespace {

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

constexpr nanos throttle = 10 * ns_per_s;

struct alert_router_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  caf::actor router;

  alert_router_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    router = spawn_alert_router(sys, "alerts", &clock, throttle);
    sched.run();
  }

  ~alert_router_fixture() {
    caf::anon_send_exit(router, caf::exit_reason::kill);
    sched.run();
  }

  void raise(alert_level level, std::string source, std::string text) {
    caf::anon_send(router, alert_raised{level, std::move(source),
                                        std::move(text), clock.now()});
    sched.run();
  }

  /// Moves the router's clock (it keeps no timers of its own).
  void advance(nanos d) { clock.advance(d); }

  /// The router's stats, asked from a throwaway actor (each argument-taking:
  /// CAF 0.17 trips UBSan on argument-less spawns).
  actor_stats stats() {
    auto out = std::make_shared<std::optional<actor_stats>>();
    sys.spawn(
      [](caf::event_based_actor* self,
         std::shared_ptr<std::optional<actor_stats>> result, caf::actor to) {
        self->request(to, caf::infinite, stats_atom_v)
          .then([result](actor_stats& x) { *result = std::move(x); },
                [](caf::error&) {});
      },
      out, router);
    sched.run();
    REQUIRE(*out);
    return **out;
  }
};

} // namespace

TEST_CASE_METHOD(alert_router_fixture,
                 "every alert is delivered and counted by level",
                 "[alert_router]") {
  auto empty = stats();
  CHECK(empty.state == "running");
  CHECK(empty.processed == 0);
  CHECK(empty.detail == "info=0 warning=0 critical=0 suppressed=0");

  raise(alert_level::info, "risk", "trading ACTIVE by cli");
  raise(alert_level::warning, "venue.sim", "feed lagging");
  raise(alert_level::critical, "risk", "trading HALTED by cli");
  raise(alert_level::critical, "supervisor", "book restarted too often");
  auto s = stats();
  CHECK(s.processed == 4);
  CHECK(s.detail == "info=1 warning=1 critical=2 suppressed=0");
}

TEST_CASE_METHOD(alert_router_fixture,
                 "an identical alert within the throttle window is suppressed "
                 "and counted",
                 "[alert_router]") {
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  advance(1 * ns_per_s);
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  advance(throttle - 1 * ns_per_s - 1); // 1 ns short of the window
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  auto s = stats();
  CHECK(s.processed == 1);
  CHECK(s.detail == "info=0 warning=0 critical=1 suppressed=2");
}

TEST_CASE_METHOD(alert_router_fixture,
                 "the same alert is delivered again once the throttle window "
                 "has passed",
                 "[alert_router]") {
  raise(alert_level::warning, "gateway", "rate limited");
  advance(4 * ns_per_s);
  raise(alert_level::warning, "gateway", "rate limited"); // suppressed
  advance(throttle - 4 * ns_per_s); // exactly the window since delivery
  raise(alert_level::warning, "gateway", "rate limited");
  auto s = stats();
  CHECK(s.processed == 2);
  CHECK(s.detail == "info=0 warning=2 critical=0 suppressed=1");
  // The window restarts at the second delivery.
  advance(throttle - 1);
  raise(alert_level::warning, "gateway", "rate limited");
  CHECK(stats().detail == "info=0 warning=2 critical=0 suppressed=2");
  advance(1);
  raise(alert_level::warning, "gateway", "rate limited");
  auto later = stats();
  CHECK(later.processed == 3);
  CHECK(later.detail == "info=0 warning=3 critical=0 suppressed=2");
}

TEST_CASE_METHOD(alert_router_fixture,
                 "alerts differing in text, source or level are not throttled "
                 "against each other",
                 "[alert_router]") {
  raise(alert_level::critical, "risk", "not acknowledged by: a");
  raise(alert_level::critical, "risk", "not acknowledged by: b");
  raise(alert_level::critical, "control", "not acknowledged by: a");
  raise(alert_level::warning, "risk", "not acknowledged by: a");
  raise(alert_level::critical, "risk", "not acknowledged by: a"); // repeat
  auto s = stats();
  CHECK(s.processed == 4);
  CHECK(s.detail == "info=0 warning=1 critical=3 suppressed=1");
}
