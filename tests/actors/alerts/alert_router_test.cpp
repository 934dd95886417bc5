#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/alerts/alert_router.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

// The alert router under CAF's deterministic scheduler with a manual clock:
// nothing runs until the test says so. A fake journal records what the
// router journals; a fake risk (registered as "risk") answers the summary.

using namespace agora;

namespace {

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

constexpr nanos throttle = 10 * ns_per_s;
constexpr nanos nov23 = 1'795'392'000 * ns_per_s; // 2026-11-23T00:00:00Z
constexpr nanos nov24 = nov23 + 86'400 * ns_per_s;

using alert_log = std::shared_ptr<std::vector<alert_raised>>;

struct alert_router_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  alert_log journaled = std::make_shared<std::vector<alert_raised>>();
  std::shared_ptr<daily_summary> day = std::make_shared<daily_summary>();
  caf::actor journal;
  caf::actor risk;
  caf::actor router;

  alert_router_fixture()
      : sys(testing_config(cfg)),
        sched(
            dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    journal = sys.spawn(
        [](caf::event_based_actor*, alert_log log) -> caf::behavior {
          return {[log](record_atom, alert_raised& a) {
            log->push_back(std::move(a));
          }};
        },
        journaled);
    sys.registry().put(journal_name,
                       caf::actor_cast<caf::strong_actor_ptr>(journal));
    sched.run();
  }

  ~alert_router_fixture() {
    sys.registry().erase(journal_name);
    sys.registry().erase(risk_name);
    for (auto* a : {&router, &journal, &risk})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::kill);
    sched.run();
  }

  void start(alert_settings s) {
    router = spawn_alert_router(sys, "alerts", &clock, std::move(s));
    sched.run();
  }

  void start_old() {
    router = spawn_alert_router(sys, "alerts", &clock, throttle);
    sched.run();
  }

  /// Registers a fake risk answering `summary_atom` with `*day`.
  void start_risk() {
    risk = sys.spawn(
        [](caf::event_based_actor*, std::shared_ptr<daily_summary> d)
            -> caf::behavior { return {[d](summary_atom) { return *d; }}; },
        day);
    sys.registry().put(risk_name, caf::actor_cast<caf::strong_actor_ptr>(risk));
    sched.run();
  }

  void raise(alert_level level, std::string source, std::string text,
             std::string key = {}) {
    caf::anon_send(router,
                   alert_raised{level, std::move(source), std::move(text),
                                clock.now(), std::move(key)});
    sched.run();
  }

  /// Moves the router's clock (it reads time only from it).
  void advance(nanos d) { clock.advance(d); }

  /// Asks `to` from a throwaway actor (each argument-taking: CAF 0.17 trips
  /// UBSan on argument-less spawns).
  template <class Answer, class Atom>
  std::optional<Answer> ask(Atom what, caf::error* failure = nullptr) {
    auto out = std::make_shared<std::optional<Answer>>();
    auto err = std::make_shared<caf::error>();
    sys.spawn(
        [what](caf::event_based_actor* self,
               std::shared_ptr<std::optional<Answer>> result,
               std::shared_ptr<caf::error> e, caf::actor to) {
          self->request(to, caf::infinite, what)
              .then([result](Answer& x) { *result = std::move(x); },
                    [e](caf::error& x) { *e = std::move(x); });
        },
        out, err, router);
    sched.run();
    if (failure)
      *failure = *err;
    return *out;
  }

  actor_stats stats() {
    auto s = ask<actor_stats>(stats_atom_v);
    REQUIRE(s);
    return *s;
  }
};

std::string levels(int info, int warning, int critical, int s_info,
                   int s_warning, int s_critical) {
  return "info=" + std::to_string(info) + " warning=" + std::to_string(warning)
         + " critical=" + std::to_string(critical)
         + " suppressed=" + std::to_string(s_info + s_warning + s_critical)
         + " suppressed_info=" + std::to_string(s_info)
         + " suppressed_warning=" + std::to_string(s_warning)
         + " suppressed_critical=" + std::to_string(s_critical);
}

alert_settings throttled(nanos info, nanos warning, nanos critical,
                         int summary_hour) {
  alert_settings s;
  s.throttle_info = info;
  s.throttle_warning = warning;
  s.throttle_critical = critical;
  s.summary_hour_utc = summary_hour;
  return s;
}

daily_summary sample_day() {
  daily_summary d;
  d.day_start = nov23;
  d.taken = nov24;
  d.realized_pnl = *notional::parse("12.5");
  d.unrealized_pnl = *notional::parse("-3");
  d.fees = *notional::parse("0.75");
  d.fills = 14;
  d.round_trips = 3;
  d.wins = 2;
  d.equity = *notional::parse("10012.5");
  d.peak_equity = *notional::parse("10020");
  return d;
}

const std::string sample_text
    = "daily summary 2026-11-23: realized PnL 12.5, unrealized -3, fees 0.75, "
      "fills 14, "
      "round trips 3, win rate 66.7% (2/3), equity 10012.5 (peak 10020)";

} // namespace

TEST_CASE_METHOD(alert_router_fixture,
                 "every alert is delivered and counted by level",
                 "[alert_router]") {
  start_old();
  auto empty = stats();
  CHECK(empty.state == "running");
  CHECK(empty.processed == 0);
  CHECK(empty.detail == levels(0, 0, 0, 0, 0, 0));

  raise(alert_level::info, "risk", "trading ACTIVE by cli");
  raise(alert_level::warning, "venue.sim", "feed lagging");
  raise(alert_level::critical, "risk", "trading HALTED by cli");
  raise(alert_level::critical, "supervisor", "book restarted too often");
  auto s = stats();
  CHECK(s.processed == 4);
  CHECK(s.detail == levels(1, 1, 2, 0, 0, 0));
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "an identical alert within the throttle window is suppressed and counted",
    "[alert_router]") {
  start_old();
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  advance(1 * ns_per_s);
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  advance(throttle - 1 * ns_per_s - 1); // 1 ns short of the window
  raise(alert_level::critical, "risk", "not acknowledged by: gw");
  auto s = stats();
  CHECK(s.processed == 1);
  CHECK(s.detail == levels(0, 0, 1, 0, 0, 2));
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "the same alert is delivered again once the throttle window has passed",
    "[alert_router]") {
  start_old();
  raise(alert_level::warning, "gateway", "rate limited");
  advance(4 * ns_per_s);
  raise(alert_level::warning, "gateway", "rate limited"); // suppressed
  advance(throttle - 4 * ns_per_s); // exactly the window since delivery
  raise(alert_level::warning, "gateway", "rate limited");
  auto s = stats();
  CHECK(s.processed == 2);
  CHECK(s.detail == levels(0, 2, 0, 0, 1, 0));
  // The window restarts at the second delivery.
  advance(throttle - 1);
  raise(alert_level::warning, "gateway", "rate limited");
  CHECK(stats().detail == levels(0, 2, 0, 0, 2, 0));
  advance(1);
  raise(alert_level::warning, "gateway", "rate limited");
  auto later = stats();
  CHECK(later.processed == 3);
  CHECK(later.detail == levels(0, 3, 0, 0, 2, 0));
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "alerts differing in text, source or level are not throttled against each "
    "other",
    "[alert_router]") {
  start_old();
  raise(alert_level::critical, "risk", "not acknowledged by: a");
  raise(alert_level::critical, "risk", "not acknowledged by: b");
  raise(alert_level::critical, "control", "not acknowledged by: a");
  raise(alert_level::warning, "risk", "not acknowledged by: a");
  raise(alert_level::critical, "risk", "not acknowledged by: a"); // repeat
  auto s = stats();
  CHECK(s.processed == 4);
  CHECK(s.detail == levels(0, 1, 3, 0, 0, 1));
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "each level throttles with its own window and the key de-duplicates",
    "[alert_router]") {
  start(throttled(300 * ns_per_s, 60 * ns_per_s, 10 * ns_per_s, -1));
  raise(alert_level::info, "risk", "a");
  raise(alert_level::warning, "risk", "a");
  raise(alert_level::critical, "gateway", "leg risk 0.5", "leg_risk:BTCUSDT");
  advance(30 * ns_per_s);
  raise(alert_level::info, "risk", "a");    // suppressed
  raise(alert_level::warning, "risk", "a"); // suppressed
  raise(alert_level::critical, "gateway", "leg risk 0.7",
        "leg_risk:BTCUSDT"); // delivered
  advance(30 * ns_per_s);
  raise(alert_level::info, "risk", "a");    // suppressed
  raise(alert_level::warning, "risk", "a"); // delivered
  CHECK(stats().detail == levels(1, 2, 2, 2, 1, 0));
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "delivered alerts are journaled; suppressed repeats are only counted",
    "[alert_router]") {
  start_old();
  raise(alert_level::critical, "risk", "halted", "halt");
  raise(alert_level::critical, "risk", "halted again", "halt");
  raise(alert_level::warning, "venue.sim", "reconnected");
  REQUIRE(journaled->size() == 2);
  CHECK((*journaled)[0].text == "halted");
  CHECK((*journaled)[0].key == "halt");
  CHECK((*journaled)[0].level == alert_level::critical);
  CHECK((*journaled)[1].text == "reconnected");
  CHECK(stats().detail == levels(0, 1, 1, 0, 0, 1));
  // An alert raised without a time gets the router's.
  advance(5 * ns_per_s);
  caf::anon_send(router,
                 alert_raised{alert_level::info, "cli", "hello", 0, ""});
  sched.run();
  REQUIRE(journaled->size() == 3);
  CHECK((*journaled)[0].local_time == clock.now() - 5 * ns_per_s);
  CHECK((*journaled)[2].local_time == clock.now());
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "the daily summary is raised at the summary hour from risk's numbers",
    "[alert_router]") {
  clock.set(nov24 - 60 * ns_per_s); // 23:59 UTC
  *day = sample_day();
  start_risk();
  start(throttled(300 * ns_per_s, 60 * ns_per_s, 10 * ns_per_s, 0));
  CHECK(journaled->empty());
  // The timer fires a little early: nothing yet, it re-arms.
  clock.set(nov24 - 1);
  sched.trigger_timeouts();
  sched.run();
  CHECK(journaled->empty());
  clock.set(nov24);
  sched.trigger_timeouts();
  sched.run();
  REQUIRE(journaled->size() == 1);
  auto& a = journaled->front();
  CHECK(a.level == alert_level::info);
  CHECK(a.source == "alerts");
  CHECK(a.text == sample_text);
  CHECK(a.local_time == nov24);
  CHECK(stats().detail == levels(1, 0, 0, 0, 0, 0));
  // Re-armed for the next day: an hour later nothing happens.
  clock.set(nov24 + 3600 * ns_per_s);
  sched.trigger_timeouts();
  sched.run();
  CHECK(journaled->size() == 1);
  clock.set(nov24 + 86'400 * ns_per_s);
  day->wins = 3;
  sched.trigger_timeouts();
  sched.run();
  REQUIRE(journaled->size() == 2);
  CHECK(journaled->back().text.find("win rate 100.0% (3/3)")
        != std::string::npos);
}

TEST_CASE_METHOD(alert_router_fixture,
                 "by default the summary of the closed day is raised right "
                 "after midnight UTC and a partial day is labelled",
                 "[alert_router]") {
  CHECK(alert_settings{}.summary_hour_utc == 0);
  clock.set(nov23 + 23 * 3600 * ns_per_s); // 23:00 UTC: nothing then
  *day = sample_day();
  start_risk();
  start(alert_settings{});
  sched.trigger_timeouts();
  sched.run();
  CHECK(journaled->empty());
  clock.set(nov24);
  sched.trigger_timeouts();
  sched.run();
  REQUIRE(journaled->size() == 1);
  CHECK(journaled->front().level == alert_level::info);
  CHECK(journaled->front().text == sample_text);
  // Risk answering before any day closed: the day so far, labelled.
  day->day_start = nov24;
  day->taken = nov24 + 9 * 3600 * ns_per_s + 30 * ns_per_s;
  day->partial = true;
  auto text = ask<std::string>(summary_atom_v);
  REQUIRE(text);
  CHECK(text->rfind("daily summary 2026-11-24 (partial, so far to 09:00:30Z): "
                    "realized PnL 12.5, ",
                    0)
        == 0);
  REQUIRE(journaled->size() == 2);
  CHECK(journaled->back().text == *text);
}

TEST_CASE_METHOD(alert_router_fixture,
                 "asking the router for the summary answers at once",
                 "[alert_router]") {
  *day = sample_day();
  start_risk();
  start(throttled(300 * ns_per_s, 60 * ns_per_s, 10 * ns_per_s, -1));
  CHECK(ask<std::string>(summary_atom_v)
        == std::optional<std::string>{sample_text});
  REQUIRE(journaled->size() == 1);
  CHECK(journaled->front().text == sample_text);
}

TEST_CASE_METHOD(
    alert_router_fixture,
    "without risk the summary request fails and the scheduled one warns",
    "[alert_router]") {
  clock.set(nov24 - 1);
  start(throttled(300 * ns_per_s, 60 * ns_per_s, 10 * ns_per_s, 0));
  caf::error failure;
  CHECK_FALSE(ask<std::string>(summary_atom_v, &failure));
  CHECK(failure);
  CHECK(journaled->empty());
  clock.set(nov24);
  sched.trigger_timeouts();
  sched.run();
  REQUIRE(journaled->size() == 1);
  CHECK(journaled->front().level == alert_level::warning);
  CHECK(journaled->front().text.rfind("daily summary unavailable: ", 0) == 0);
  CHECK(journaled->front().text.find("risk is not running")
        != std::string::npos);
}
