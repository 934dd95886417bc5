#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/gateway/gateway_actor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

// The gateway's side of scoped trading states, under CAF's deterministic
// scheduler: a narrower halt cancels only the matching resting orders, a
// halt of its venue (or global) also rejects new orders, and every change
// is acknowledged to risk. The directory, venue endpoint and risk are
// probes (each spawned with an argument: see tests/actors/risk).

using namespace agora;

namespace {

const venue_id sim{"sim"};
const symbol_id btc{"BTCUSDT"};
const symbol_id eth{"ETHUSDT"};

struct seen {
  std::vector<submit_order> orders;
  std::vector<cancel_order> cancels;
  std::vector<trading_state_acknowledged> acks;
  std::vector<order_rejected> rejects;
};

caf::behavior endpoint_probe(caf::event_based_actor* self,
                             std::shared_ptr<seen> log) {
  install_hygiene(self, "venue:sim/orders", logger("gateway"));
  return {
      [](spec_atom) {
        std::vector<instrument_spec> specs;
        for (auto& s : {btc, eth})
          specs.push_back(instrument_spec{
              sim, s, price::from_raw(1'000'000), quantity::from_raw(100'000),
              notional::from_units(1), rate{}, rate{}, false});
        return specs;
      },
      [log](submit_order& o) { log->orders.push_back(std::move(o)); },
      [log](cancel_order& c) { log->cancels.push_back(std::move(c)); },
  };
}

caf::behavior risk_probe(caf::event_based_actor* self,
                         std::shared_ptr<seen> log) {
  install_hygiene(self, "risk", logger("gateway"));
  return {
      [log](trading_state_acknowledged& a) {
        log->acks.push_back(std::move(a));
      },
      [log](order_rejected& e) { log->rejects.push_back(std::move(e)); },
      [](order_accepted&) {},
      [](order_canceled&) {},
  };
}

caf::behavior directory_probe(caf::event_based_actor* self,
                              caf::actor endpoint) {
  install_hygiene(self, "directory", logger("gateway"));
  return {
      [endpoint](lookup_atom, const std::string&) { return endpoint; },
  };
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

submit_order order(uint64_t cid, const symbol_id& s,
                   const std::string& strategy) {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = sim;
  o.symbol = s;
  o.sd = side::buy;
  o.px = price::from_units(100);
  o.qty = quantity::from_units(1);
  o.strategy = strategy;
  return o;
}

struct gateway_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  std::shared_ptr<seen> venue_log = std::make_shared<seen>();
  std::shared_ptr<seen> risk_log = std::make_shared<seen>();
  std::vector<caf::actor> spawned;
  caf::actor gateway;
  caf::actor risk;

  gateway_fixture()
      : sys(testing_config(cfg)),
        sched(
            dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    auto endpoint = keep(sys.spawn(endpoint_probe, venue_log));
    risk = keep(sys.spawn(risk_probe, risk_log));
    sys.registry().put(risk_name, caf::actor_cast<caf::strong_actor_ptr>(risk));
    auto dir = keep(sys.spawn(directory_probe, endpoint));
    gateway_params p;
    p.venue = sim;
    p.endpoint_path = "venue:sim/orders";
    p.directory = dir;
    p.clock = &clock;
    p.burst = 100;
    gateway = keep(spawn_gateway(sys, "venue:sim/gateway", std::move(p)));
    sched.run();
    // Three resting orders: two strategies, two symbols.
    caf::anon_send(gateway, order(1, btc, "mr:BTCUSDT"));
    caf::anon_send(gateway, order(2, eth, "mr:ETHUSDT"));
    caf::anon_send(gateway, order(3, btc, "basis"));
    sched.run();
    REQUIRE(venue_log->orders.size() == 3);
  }

  ~gateway_fixture() {
    sys.registry().erase(risk_name);
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  caf::actor keep(caf::actor a) {
    spawned.push_back(a);
    return a;
  }

  /// Sends an order through the gateway and lets everything run.
  void place(uint64_t cid, const symbol_id& s, const std::string& strategy) {
    caf::anon_send(gateway, order(cid, s, strategy));
    sched.run();
  }

  void change(scope_kind kind, std::string name, trading_state to,
              uint64_t epoch) {
    trading_state_changed c;
    c.from = trading_state::active;
    c.to = to;
    c.reason = "drill";
    c.epoch = epoch;
    c.scope = trading_scope{kind, std::move(name)};
    caf::anon_send(gateway, c);
    sched.run();
  }

  std::vector<uint64_t> canceled_cids() const {
    std::vector<uint64_t> out;
    for (auto& c : venue_log->cancels)
      out.push_back(c.cid.value);
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(gateway_fixture,
                 "a strategy halt cancels only that strategy's resting orders "
                 "and new orders still pass the gateway",
                 "[gateway]") {
  change(scope_kind::strategy, "basis", trading_state::halted, 1);
  CHECK(canceled_cids() == std::vector<uint64_t>{3});
  REQUIRE(risk_log->acks.size() == 1);
  CHECK(risk_log->acks[0].who == "venue:sim/gateway");
  CHECK(risk_log->acks[0].epoch == 1);
  CHECK(risk_log->acks[0].canceled_orders == 1);
  place(4, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 4);
}

TEST_CASE_METHOD(
    gateway_fixture,
    "a symbol halt of this venue cancels that symbol's resting orders",
    "[gateway]") {
  change(scope_kind::symbol, "sim/BTCUSDT", trading_state::halted, 1);
  CHECK(canceled_cids() == std::vector<uint64_t>{1, 3});
  REQUIRE(risk_log->acks.size() == 1);
  CHECK(risk_log->acks[0].canceled_orders == 2);
  // Another venue's symbol: acknowledged, nothing cancelled.
  change(scope_kind::symbol, "binance/ETHUSDT", trading_state::halted, 2);
  CHECK(canceled_cids().size() == 2);
  REQUIRE(risk_log->acks.size() == 2);
  CHECK(risk_log->acks[1].canceled_orders == 0);
}

TEST_CASE_METHOD(
    gateway_fixture,
    "a halt of this venue cancels everything and rejects new orders "
    "until the venue resumes",
    "[gateway]") {
  change(scope_kind::venue, "binance", trading_state::halted, 1);
  CHECK(venue_log->cancels.empty());
  change(scope_kind::venue, "sim", trading_state::halted, 2);
  CHECK(canceled_cids() == std::vector<uint64_t>{1, 2, 3});
  place(4, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 3);
  REQUIRE(risk_log->rejects.size() == 1);
  CHECK(risk_log->rejects[0].reason == reject_reason::trading_halted);
  change(scope_kind::venue, "sim", trading_state::active, 3);
  place(5, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 4);
  CHECK(risk_log->acks.size() == 3);
}

TEST_CASE_METHOD(
    gateway_fixture,
    "a re-send of a superseded change is acknowledged but not applied",
    "[gateway]") {
  // Risk re-sends a change nobody acknowledged in time; by then a newer one
  // (here a halt) may have gone out: the older one must not undo it.
  change(scope_kind::global, "", trading_state::halted, 5);
  CHECK(canceled_cids() == std::vector<uint64_t>{1, 2, 3});
  change(scope_kind::global, "", trading_state::active, 4);
  REQUIRE(risk_log->acks.size() == 2);
  CHECK(risk_log->acks[1].epoch == 4);
  place(4, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 3);
  REQUIRE(risk_log->rejects.size() == 1);
  CHECK(risk_log->rejects[0].reason == reject_reason::trading_halted);
  // Per scope: an older venue change is not superseded by a global one.
  change(scope_kind::venue, "sim", trading_state::halted, 3);
  change(scope_kind::global, "", trading_state::active, 6);
  place(5, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 3); // the venue is halted
  change(scope_kind::venue, "sim", trading_state::active, 7);
  place(6, btc, "mr:BTCUSDT");
  CHECK(venue_log->orders.size() == 4);
  CHECK(risk_log->acks.size() == 5);
}
