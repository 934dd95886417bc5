#include <catch2/catch.hpp>

#include "tests/actors/risk/risk_fixture.hpp"

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
