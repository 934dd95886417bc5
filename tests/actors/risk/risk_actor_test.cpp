#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/risk/risk_actor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

// Risk under CAF's deterministic scheduler: nothing runs until the test says
// so, and a manual clock moves together with CAF's test clock. The directory,
// strategy, gateway, book and alert router are probes written here (the real
// directory lives in agora_supervision, which agora_risk does not link).
//
// Every actor spawned here takes at least one argument: CAF 0.17's
// init_fun_factory dereferences a null std::shared_ptr<std::tuple<>> for
// argument-less spawns, which UBSan rejects.

using namespace agora;

namespace {

/// Tells a probe to send the enclosed message to the given actor.
using relay_atom = caf::atom_constant<caf::atom("relay")>;
inline constexpr relay_atom relay_atom_v = relay_atom{};

const venue_id sim{"sim"};
const symbol_id btc{"BTCUSDT"};
const std::string strategy_name = "strategy:mr";
const std::string gateway_name = "venue:sim/gateway";
const std::string book_name = "venue:sim/book:BTCUSDT";

/// What a probe saw, in arrival order.
struct probe_log {
  std::vector<submit_order> orders;
  std::vector<caf::actor_addr> order_senders;
  std::vector<order_rejected> rejects;
  std::vector<trading_state_changed> changes;
  std::vector<alert_raised> alerts;
};

/// Stands in for a strategy, a gateway or the alert router: records what it
/// gets and sends what the test hands it with `relay_atom`.
caf::behavior probe(caf::event_based_actor* self,
                    std::shared_ptr<probe_log> log, std::string name) {
  install_hygiene(self, std::move(name), logger("risk"));
  return {
    [self, log](submit_order& o) {
      log->orders.push_back(std::move(o));
      log->order_senders.push_back(
        caf::actor_cast<caf::actor_addr>(self->current_sender()));
    },
    [log](order_rejected& e) { log->rejects.push_back(std::move(e)); },
    [log](trading_state_changed& c) { log->changes.push_back(std::move(c)); },
    [log](alert_raised& a) { log->alerts.push_back(std::move(a)); },
    [self](relay_atom, const caf::actor& to, submit_order& o) {
      self->send(to, std::move(o));
    },
    [self](relay_atom, const caf::actor& to, order_filled& f) {
      self->send(to, std::move(f));
    },
    [self](relay_atom, const caf::actor& to, trading_state_acknowledged& a) {
      self->send(to, std::move(a));
    },
  };
}

/// A book that answers `get_atom` with whatever top the test set.
caf::behavior book_probe(caf::event_based_actor* self,
                         std::shared_ptr<top_of_book> top) {
  install_hygiene(self, book_name, logger("risk"));
  return {
    [top](caf::get_atom) { return *top; },
  };
}

/// What the fake directory knows and how it misbehaves.
struct directory_script {
  /// Listed by `list_atom` (filtered by kind).
  std::vector<actor_entry> entries;
  /// Answered by `lookup_atom` and `caf::subscribe_atom`.
  std::map<std::string, caf::actor> paths;
  /// The first this many list requests are never answered.
  int ignore_lists = 0;
  /// List requests received so far.
  int list_requests = 0;
  /// The first this many subscriptions are answered with an error.
  int fail_subscribes = 0;
  /// Subscriptions received so far.
  int subscribe_requests = 0;
};

/// The directory protocol as risk uses it: list, subscribe, lookup.
caf::behavior fake_directory(caf::event_based_actor* self,
                             std::shared_ptr<directory_script> script) {
  install_hygiene(self, "directory", logger("risk"));
  return {
    [self, script](list_atom, const std::string& kind)
      -> caf::result<std::vector<actor_entry>> {
      if (++script->list_requests <= script->ignore_lists)
        // A promise dropped undelivered: the requester hears nothing and
        // runs into its request timeout.
        return self->make_response_promise<std::vector<actor_entry>>();
      std::vector<actor_entry> out;
      for (auto& e : script->entries)
        if (kind.empty() || e.kind == kind)
          out.push_back(e);
      return out;
    },
    [script](caf::subscribe_atom,
             const std::string& path) -> caf::result<caf::actor> {
      if (++script->subscribe_requests <= script->fail_subscribes)
        return caf::sec::runtime_error;
      auto i = script->paths.find(path);
      return i == script->paths.end() ? caf::actor{} : i->second;
    },
    [script](lookup_atom, const std::string& path) {
      auto i = script->paths.find(path);
      return i == script->paths.end() ? caf::actor{} : i->second;
    },
  };
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

price px(int64_t units) { return price::from_units(units); }

/// Hundredths of a unit of base asset (0.01 BTC = qty_centi(1)).
quantity qty_centi(int64_t n) { return quantity::from_raw(n * 1'000'000); }

submit_order intent(uint64_t cid, price p, quantity q) {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = sim;
  o.symbol = btc;
  o.sd = side::buy;
  o.type = order_type::limit;
  o.tif = time_in_force::gtc;
  o.px = p;
  o.qty = q;
  o.strategy = strategy_name;
  return o;
}

trading_state_acknowledged ack(const std::string& who, uint64_t epoch,
                               trading_state s) {
  return trading_state_acknowledged{who, epoch, s, 0};
}

struct risk_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  std::shared_ptr<probe_log> strategy_log = std::make_shared<probe_log>();
  std::shared_ptr<probe_log> gateway_log = std::make_shared<probe_log>();
  std::shared_ptr<probe_log> alerts_log = std::make_shared<probe_log>();
  std::shared_ptr<top_of_book> top = std::make_shared<top_of_book>();
  std::shared_ptr<directory_script> script
    = std::make_shared<directory_script>();
  caf::actor strategy;
  caf::actor gateway;
  caf::actor alerts;
  caf::actor book;
  caf::actor dir;
  caf::actor risk;
  /// Every long-lived actor the test spawned itself; killed at the end.
  std::vector<caf::actor> spawned;

  risk_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    strategy = keep(sys.spawn(probe, strategy_log, strategy_name));
    gateway = keep(sys.spawn(probe, gateway_log, gateway_name));
    alerts = keep(sys.spawn(probe, alerts_log, std::string{"alerts"}));
    book = keep(sys.spawn(book_probe, top));
    sys.registry().put(alerts_name,
                       caf::actor_cast<caf::strong_actor_ptr>(alerts));
    script->entries = {
      actor_entry{strategy_name, "strategy", "strategies", strategy},
      actor_entry{gateway_name, "gateway", "venue:sim", gateway},
    };
    script->paths[gateway_name] = gateway;
    script->paths[book_name] = book;
    dir = keep(sys.spawn(fake_directory, script));
    sched.run();
  }

  ~risk_fixture() {
    sys.registry().erase(alerts_name);
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
    script->entries.clear();
    script->paths.clear();
  }

  caf::actor keep(caf::actor a) {
    spawned.push_back(a);
    return a;
  }

  /// Spawns risk (default limits: 5000 per order) and lets it subscribe to
  /// the sim gateway.
  void start_risk() {
    risk_params p;
    p.venues = {sim};
    p.directory = dir;
    p.clock = &clock;
    p.ack_timeout = 3 * ns_per_s;
    p.mark_interval = 1 * ns_per_s;
    p.status_interval = 10 * ns_per_s;
    risk = keep(spawn_risk(sys, "risk", std::move(p)));
    sched.run();
  }

  /// Moves both the risk clock and CAF's test clock, then runs everything
  /// that became due.
  void advance(nanos d) {
    clock.advance(d);
    sched.advance_time(std::chrono::nanoseconds(d));
    sched.run();
  }

  /// Sends a request from a throwaway actor and runs until it is answered.
  template <class T, class... Ts>
  std::optional<T> ask(const caf::actor& dest, Ts... xs) {
    auto out = std::make_shared<std::optional<T>>();
    sys.spawn(
      [](caf::event_based_actor* self, std::shared_ptr<std::optional<T>> result,
         caf::actor to, Ts... args) {
        self->request(to, caf::infinite, std::move(args)...)
          .then([result](T& x) { *result = std::move(x); },
                [](caf::error&) {});
      },
      out, dest, std::move(xs)...);
    sched.run();
    return *out;
  }

  /// The strategy probe sends `o` to risk.
  void send_intent(submit_order o) {
    caf::anon_send(strategy, relay_atom_v, risk, std::move(o));
    sched.run();
  }

  /// `from` (a probe) acknowledges `epoch` under `who`.
  void acknowledge(const caf::actor& from, const std::string& who,
                   uint64_t epoch, trading_state s) {
    caf::anon_send(from, relay_atom_v, risk, ack(who, epoch, s));
    sched.run();
  }

  std::optional<std::string> halt(std::string reason) {
    return ask<std::string>(risk, halt_trading{std::move(reason), "cli"});
  }

  status_report status() {
    auto r = ask<status_report>(risk, status_atom_v);
    REQUIRE(r);
    return *r;
  }

  positions_report positions() {
    auto r = ask<positions_report>(risk, positions_atom_v);
    REQUIRE(r);
    return *r;
  }

  /// Alerts whose text contains `part`.
  std::vector<alert_raised> alerts_with(const std::string& part) const {
    std::vector<alert_raised> out;
    for (auto& a : alerts_log->alerts)
      if (a.text.find(part) != std::string::npos)
        out.push_back(a);
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(risk_fixture,
                 "an intent within limits is delegated to the venue's gateway "
                 "with the strategy as sender",
                 "[risk_actor]") {
  start_risk();
  send_intent(intent(1, px(60'000), qty_centi(1)));
  REQUIRE(gateway_log->orders.size() == 1);
  CHECK(gateway_log->orders[0].cid == client_order_id{1});
  CHECK(gateway_log->orders[0].px == px(60'000));
  CHECK(gateway_log->orders[0].qty == qty_centi(1));
  CHECK(gateway_log->orders[0].strategy == strategy_name);
  CHECK(gateway_log->order_senders[0] == strategy.address());
  CHECK(strategy_log->rejects.empty());
  auto s = status();
  CHECK(s.intents == 1);
  CHECK(s.denied == 0);
  CHECK(s.open_orders == 1);
}

TEST_CASE_METHOD(risk_fixture,
                 "an intent over the order notional limit is rejected to the "
                 "strategy and never reaches the gateway",
                 "[risk_actor]") {
  start_risk();
  // 60000 x 0.1 = 6000 > 5000.
  send_intent(intent(7, px(60'000), qty_centi(10)));
  CHECK(gateway_log->orders.empty());
  REQUIRE(strategy_log->rejects.size() == 1);
  auto& r = strategy_log->rejects[0];
  CHECK(r.cid == client_order_id{7});
  CHECK(r.reason == reject_reason::max_order_notional);
  CHECK(r.venue == sim);
  CHECK(r.symbol == btc);
  CHECK(r.strategy == strategy_name);
  CHECK(r.local_time == clock.now());
  auto s = status();
  CHECK(s.intents == 1);
  CHECK(s.denied == 1);
  CHECK(s.open_orders == 0);
}

TEST_CASE_METHOD(risk_fixture,
                 "a halt reaches every strategy and gateway and completes "
                 "once all acknowledged",
                 "[risk_actor]") {
  start_risk();
  auto halted_at = clock.now();
  auto answer = halt("drill");
  REQUIRE(answer);
  CHECK(*answer == "HALTED");
  for (auto* log : {strategy_log.get(), gateway_log.get()}) {
    REQUIRE(log->changes.size() == 1);
    CHECK(log->changes[0].from == trading_state::active);
    CHECK(log->changes[0].to == trading_state::halted);
    CHECK(log->changes[0].reason == "drill");
    CHECK(log->changes[0].epoch == 1);
    CHECK(log->changes[0].local_time == halted_at);
  }
  auto before = status();
  CHECK(before.state == trading_state::halted);
  CHECK(before.state_epoch == 1);
  CHECK(before.pending_acks == 2);
  CHECK(before.last_ack_latency == 0);

  advance(250 * ns_per_ms);
  acknowledge(strategy, strategy_name, 1, trading_state::halted);
  auto half = status();
  CHECK(half.pending_acks == 1);
  CHECK(half.last_ack_latency == 0);
  acknowledge(gateway, gateway_name, 1, trading_state::halted);
  auto after = status();
  CHECK(after.pending_acks == 0);
  CHECK(after.last_ack_latency == 250 * ns_per_ms);

  // The halt itself is announced, but nothing is missing.
  advance(3 * ns_per_s);
  REQUIRE(alerts_log->alerts.size() == 1);
  CHECK(alerts_log->alerts[0].level == alert_level::critical);
  CHECK(alerts_log->alerts[0].text == "trading HALTED by cli: drill");
}

TEST_CASE_METHOD(risk_fixture,
                 "a missing halt acknowledgement raises a critical alert "
                 "naming the silent actor",
                 "[risk_actor]") {
  start_risk();
  REQUIRE(halt("drill"));
  acknowledge(strategy, strategy_name, 1, trading_state::halted);
  advance(3 * ns_per_s - 1);
  CHECK(alerts_with("not acknowledged").empty());
  CHECK(status().pending_acks == 1);
  advance(1);
  auto missing = alerts_with("not acknowledged");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].level == alert_level::critical);
  CHECK(missing[0].source == "risk");
  CHECK(missing[0].text
        == "trading state change 1 not acknowledged by: venue:sim/gateway");
  CHECK(missing[0].local_time == clock.now());
  CHECK(status().pending_acks == 0);
}

TEST_CASE_METHOD(risk_fixture,
                 "a halt reaches everyone on a retry when the directory does "
                 "not answer the first listing",
                 "[risk_actor]") {
  script->ignore_lists = 2; // the first strategy and gateway listings
  start_risk();
  REQUIRE(halt("drill"));
  CHECK(script->list_requests == 2);
  CHECK(strategy_log->changes.empty());
  CHECK(gateway_log->changes.empty());
  advance(2 * ns_per_s - 1);
  CHECK(script->list_requests == 2);
  CHECK(gateway_log->changes.empty());
  advance(1); // the listing requests time out and are asked again
  CHECK(script->list_requests == 4);
  REQUIRE(strategy_log->changes.size() == 1);
  REQUIRE(gateway_log->changes.size() == 1);
  CHECK(gateway_log->changes[0].to == trading_state::halted);
  CHECK(gateway_log->changes[0].epoch == 1);
  CHECK(status().pending_acks == 2);

  advance(100 * ns_per_ms);
  acknowledge(strategy, strategy_name, 1, trading_state::halted);
  acknowledge(gateway, gateway_name, 1, trading_state::halted);
  auto s = status();
  CHECK(s.pending_acks == 0);
  CHECK(s.last_ack_latency == 2100 * ns_per_ms);
  advance(1 * ns_per_s);
  CHECK(alerts_with("not broadcast").empty());
  CHECK(alerts_with("not acknowledged").empty());
}

TEST_CASE_METHOD(risk_fixture,
                 "a halt the directory never lists raises a critical alert "
                 "after five attempts",
                 "[risk_actor]") {
  script->ignore_lists = 1'000;
  start_risk();
  REQUIRE(halt("drill"));
  for (int i = 0; i < 4; ++i)
    advance(2 * ns_per_s);
  CHECK(script->list_requests == 10); // 5 attempts x (strategy, gateway)
  CHECK(alerts_with("not broadcast").empty());
  advance(2 * ns_per_s);
  CHECK(script->list_requests == 10);
  auto failed = alerts_with("not broadcast");
  REQUIRE(failed.size() == 2);
  CHECK(failed[0].level == alert_level::critical);
  CHECK(failed[1].level == alert_level::critical);
  CHECK(failed[0].text.find("trading state change 1 not broadcast to strategy "
                            "after 5 attempts")
        == 0);
  CHECK(failed[1].text.find("trading state change 1 not broadcast to gateway "
                            "after 5 attempts")
        == 0);
  CHECK(strategy_log->changes.empty());
  CHECK(gateway_log->changes.empty());
  // No more asking, and the halt holds regardless.
  advance(10 * ns_per_s);
  CHECK(script->list_requests == 10);
  send_intent(intent(2, px(60'000), qty_centi(1)));
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::trading_halted);
}

TEST_CASE_METHOD(risk_fixture,
                 "intents are rejected while halted and pass again after "
                 "resume",
                 "[risk_actor]") {
  start_risk();
  REQUIRE(halt("drill"));
  send_intent(intent(3, px(60'000), qty_centi(1)));
  CHECK(gateway_log->orders.empty());
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].cid == client_order_id{3});
  CHECK(strategy_log->rejects[0].reason == reject_reason::trading_halted);

  auto answer = ask<std::string>(risk, resume_trading{"cli"});
  REQUIRE(answer);
  CHECK(*answer == "ACTIVE");
  auto s = status();
  CHECK(s.state == trading_state::active);
  CHECK(s.state_epoch == 2);
  REQUIRE(gateway_log->changes.size() == 2);
  CHECK(gateway_log->changes[1].from == trading_state::halted);
  CHECK(gateway_log->changes[1].to == trading_state::active);
  CHECK(gateway_log->changes[1].epoch == 2);

  send_intent(intent(4, px(60'000), qty_centi(1)));
  REQUIRE(gateway_log->orders.size() == 1);
  CHECK(gateway_log->orders[0].cid == client_order_id{4});
  CHECK(strategy_log->rejects.size() == 1);
}

TEST_CASE_METHOD(risk_fixture,
                 "fills update positions and open positions are marked to "
                 "the book's mid",
                 "[risk_actor]") {
  start_risk();
  send_intent(intent(5, px(60'000), qty_centi(1)));
  REQUIRE(gateway_log->orders.size() == 1);

  order_filled f;
  f.cid = client_order_id{5};
  f.oid = order_id{900};
  f.venue = sim;
  f.symbol = btc;
  f.sd = side::buy;
  f.tid = trade_id{77};
  f.fill_px = px(60'000);
  f.fill_qty = qty_centi(1);
  f.cum_qty = qty_centi(1);
  f.leaves_qty = quantity{};
  f.fee = notional::from_raw(60'000'000); // 0.6
  f.strategy = strategy_name;
  caf::anon_send(gateway, relay_atom_v, risk, f);
  sched.run();

  auto filled = positions();
  REQUIRE(filled.positions.size() == 1);
  CHECK(filled.positions[0].venue == sim);
  CHECK(filled.positions[0].symbol == btc);
  CHECK(filled.positions[0].qty == qty_centi(1));
  CHECK(filled.positions[0].avg_price == px(60'000));
  CHECK(filled.positions[0].mark == px(60'000));
  CHECK(filled.positions[0].unrealized_pnl == notional{});
  CHECK(filled.realized_pnl == notional::from_raw(-60'000'000));
  auto s = status();
  CHECK(s.fills == 1);
  CHECK(s.open_orders == 0);

  top->venue = sim;
  top->symbol = btc;
  top->bid = book_level{px(60'990), qty_centi(50)};
  top->ask = book_level{px(61'010), qty_centi(30)};
  advance(1 * ns_per_s - 1);
  CHECK(positions().positions[0].mark == px(60'000));
  advance(1); // the mark interval since risk started
  auto marked = positions();
  REQUIRE(marked.positions.size() == 1);
  CHECK(marked.positions[0].mark == px(61'000));
  // (61000 - 60000) x 0.01 = 10; exposure 0.01 x 61000 = 610.
  CHECK(marked.positions[0].unrealized_pnl == notional::from_units(10));
  CHECK(marked.unrealized_pnl == notional::from_units(10));
  CHECK(marked.gross_exposure == notional::from_units(610));
  CHECK(marked.realized_pnl == notional::from_raw(-60'000'000));
}

TEST_CASE_METHOD(risk_fixture,
                 "a failed gateway subscription is asked again after a pause "
                 "and intents reach the gateway once it succeeds",
                 "[risk_actor]") {
  script->fail_subscribes = 1;
  start_risk();
  CHECK(script->subscribe_requests == 1);
  send_intent(intent(8, px(60'000), qty_centi(1)));
  CHECK(gateway_log->orders.empty());
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::venue_unavailable);
  advance(1 * ns_per_s - 1);
  CHECK(script->subscribe_requests == 1);
  advance(1);
  CHECK(script->subscribe_requests == 2);
  send_intent(intent(9, px(60'000), qty_centi(1)));
  REQUIRE(gateway_log->orders.size() == 1);
  CHECK(gateway_log->orders[0].cid == client_order_id{9});
}

TEST_CASE_METHOD(risk_fixture,
                 "risk does not spin when its directory is gone",
                 "[risk_actor]") {
  caf::anon_send_exit(dir, caf::exit_reason::kill);
  sched.run();
  risk_params p;
  p.venues = {sim};
  p.directory = dir;
  p.clock = &clock;
  risk = keep(spawn_risk(sys, "risk", std::move(p)));
  // Every subscription fails at once; before the pause, risk asked again
  // right away and never went idle.
  constexpr size_t bound = 1'000;
  CHECK(sched.run(bound) < bound);
  for (int i = 0; i < 3; ++i) {
    sched.advance_time(std::chrono::seconds(1));
    CHECK(sched.run(bound) < bound);
  }
  send_intent(intent(10, px(60'000), qty_centi(1)));
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::venue_unavailable);
}
