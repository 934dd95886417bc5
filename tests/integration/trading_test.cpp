// Integration: orders through risk, the gateway and the sim venue; halt and
// resume; graceful shutdown; a strategy trading on its own.

#include "harness.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

/// The signed position of `symbol` as GET /v1/positions shows it ("" if none).
std::string position_qty(service_fixture& f, const std::string& symbol) {
  auto r = f.http("GET", "/v1/positions");
  if (!r.ok || r.status != 200)
    return {};
  auto d = parse_json(r.body);
  if (!d->ok)
    return {};
  auto* arr = json::get_array(d->doc, "positions");
  if (!arr)
    return {};
  for (auto& p : arr->GetArray())
    if (json::get_string(p, "symbol").value_or("") == symbol)
      return std::string{json::get_string(p, "qty").value_or("")};
  return {};
}

/// Places a post-only buy 5% below the best bid (it rests) and waits for it
/// to be accepted.
submit_order place_resting(service_fixture& f, trader& t, const char* qty) {
  auto view = f.first_view("BTCUSDT");
  REQUIRE(view);
  auto o = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                   shifted(view->bids.front().px, -5), qty_of(qty));
  t.submit(o);
  REQUIRE(t.wait([&](const order_events& e) {
    return e.accepted_of(o.cid) || e.done(o.cid);
  }));
  REQUIRE(t.events.accepted_of(o.cid));
  REQUIRE_FALSE(t.events.done(o.cid));
  return o;
}

} // namespace

TEST_CASE("orders are placed and filled on the sim venue") {
  service_fixture f{standard_config};
  trader t{f};
  auto view = f.first_view("BTCUSDT");
  REQUIRE(view);
  auto best_ask = view->asks.front().px;

  // A crossing IOC buy 1% above the best ask: filled (or partly filled and
  // its remainder canceled).
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(best_ask, 1), qty_of("0.001"));
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  REQUIRE(t.events.accepted_of(ioc.cid));
  CHECK_FALSE(t.events.rejected_of(ioc.cid));
  auto* last = t.events.last_fill_of(ioc.cid);
  REQUIRE(last);
  auto bought = t.events.filled_qty(ioc.cid);
  CHECK(bought == last->cum_qty);
  if (bought == ioc.qty) {
    CHECK(last->leaves_qty.is_zero());
  } else {
    auto* rest = t.events.canceled_of(ioc.cid);
    REQUIRE(rest);
    CHECK(rest->reason == cancel_reason::ioc_remainder);
  }
  CHECK(last->fill_px <= shifted(best_ask, 1));

  // Risk's positions show what was bought.
  CHECK(poll_until(
    [&] { return position_qty(f, "BTCUSDT") == bought.to_string(); }));

  // A post-only buy 5% below the bid rests; 0.000015 BTC is floored to the
  // lot (0.00001).
  auto resting = place_resting(f, t, "0.000015");
  CHECK(t.events.accepted_of(resting.cid)->qty == qty_of("0.00001"));
  auto shown = listed(f, resting.cid);
  REQUIRE(shown);
  CHECK(shown->status == "accepted");
  CHECK(shown->qty == "0.00001");
  CHECK(shown->symbol == "BTCUSDT");

  // Canceled through the gateway.
  t.cancel(resting);
  REQUIRE(t.wait([&](const order_events& e) {
    return e.canceled_of(resting.cid) != nullptr;
  }));
  CHECK(t.events.canceled_of(resting.cid)->reason == cancel_reason::requested);
  CHECK(t.events.canceled_of(resting.cid)->cum_qty.is_zero());
  CHECK(poll_until([&] {
    auto o = listed(f, resting.cid);
    return o && o->status == "canceled";
  }));
  // The cancel changed nothing in the position.
  CHECK(position_qty(f, "BTCUSDT") == bought.to_string());
}

TEST_CASE("open positions are marked to the book's mid as the market moves") {
  service_fixture f{standard_config};
  trader t{f};
  auto ioc = ioc_through_ask(f, t, "BTCUSDT", "0.01");
  REQUIRE(t.events.filled_qty(ioc.cid).is_positive());
  // Risk marks the position to the book's mid every second (mark_interval);
  // the sim market moves every 20 ms, so the mark soon leaves the fill price
  // and unrealized PnL is (mark - average price) x quantity.
  caf::scoped_actor self{f.sys()};
  std::optional<position_view> pos;
  auto marked = poll_until(
    [&] {
      self->request(well_known(f.sys(), risk_name), std::chrono::seconds(2),
                    positions_atom_v)
        .receive(
          [&](positions_report& r) {
            for (auto& p : r.positions)
              if (p.symbol == symbol_id{"BTCUSDT"})
                pos = p;
          },
          [](caf::error&) {});
      return pos && pos->mark != pos->avg_price;
    },
    std::chrono::seconds(10));
  REQUIRE(marked);
  CHECK(pos->unrealized_pnl == mul(pos->mark - pos->avg_price, pos->qty));
}

TEST_CASE("risk denies an intent over the max order notional with "
          "MAX_ORDER_NOTIONAL") {
  service_fixture f{standard_config};
  trader t{f};
  auto view = f.first_view("BTCUSDT");
  REQUIRE(view);
  // 0.1 BTC at ~90% of the bid (~5850 USDT) > max_order_notional 5000.
  auto o = t.order("BTCUSDT", side::buy, time_in_force::gtc,
                   shifted(view->bids.front().px, -10), qty_of("0.1"));
  t.submit(o);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(o.cid); }));
  auto* r = t.events.rejected_of(o.cid);
  REQUIRE(r);
  CHECK(r->reason == reject_reason::max_order_notional);
  CHECK(to_string(r->reason) == "MAX_ORDER_NOTIONAL");
  CHECK_FALSE(t.events.accepted_of(o.cid));
  // Denied by risk: the gateway never saw it.
  auto status = f.http("GET", "/v1/status");
  REQUIRE(status.status == 200);
  CHECK(json_u64(status.body, "denied") == uint64_t{1});
  auto gw = f.node("venue:sim/gateway");
  REQUIRE(gw);
  CHECK(detail_u64(gw->detail, "submitted") == 0);
  CHECK_FALSE(listed(f, o.cid));
}

// (No ';' in the name: CMake would split it into two ctest entries.)
TEST_CASE("halt stops every strategy, cancels resting orders and denies new "
          "intents, and resume works") {
  service_fixture f{standard_config};
  trader t{f};
  auto resting = place_resting(f, t, "0.0002");

  auto h = f.http("POST", "/v1/halt", R"({"reason":"integration test"})");
  REQUIRE(h.ok);
  REQUIRE(h.status == 200);

  // The resting order is canceled by the halt.
  REQUIRE(t.wait([&](const order_events& e) {
    return e.canceled_of(resting.cid) != nullptr;
  }));
  CHECK(t.events.canceled_of(resting.cid)->reason == cancel_reason::halt);
  CHECK(poll_until([&] {
    auto o = listed(f, resting.cid);
    return o && o->status == "canceled";
  }));

  // Every strategy knows.
  std::string strategies;
  bool all_halted = poll_until([&] {
    size_t halted = 0;
    strategies.clear();
    for (auto& n : f.graph().nodes)
      if (n.kind == "strategy") {
        strategies += n.name + " [" + n.state + "] " + n.detail + "\n";
        if (detail_value(n.detail, "trading") == "HALTED")
          ++halted;
      }
    return halted == 2;
  });
  INFO(strategies);
  CHECK(all_halted);

  // New intents are denied.
  auto view = f.first_view("BTCUSDT");
  REQUIRE(view);
  auto denied = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                        shifted(view->bids.front().px, -5), qty_of("0.0002"));
  t.submit(denied);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(denied.cid); }));
  REQUIRE(t.events.rejected_of(denied.cid));
  CHECK(t.events.rejected_of(denied.cid)->reason
        == reject_reason::trading_halted);

  // The status: HALTED, every actor acknowledged, with a measured latency.
  std::string body;
  CHECK(poll_until([&] {
    auto s = f.http("GET", "/v1/status");
    body = s.body;
    return s.status == 200 && json_field(s.body, "state") == "HALTED"
           && json_u64(s.body, "pending_acks") == uint64_t{0}
           && json_i64(s.body, "last_ack_latency_ns").value_or(0) > 0;
  }));
  INFO(body);
  CHECK(json_field(body, "state_reason") == "integration test");

  // A strategy started while halted starts halted.
  REQUIRE(f.http("POST", "/v1/spawn", R"({"symbol":"SOLUSDT"})").status == 200);
  CHECK(poll_until([&] {
    auto n = f.node("strategies/mr:SOLUSDT");
    return n && detail_value(n->detail, "trading") == "HALTED";
  }));

  // Resume: ACTIVE again, and a new intent is accepted.
  auto r = f.http("POST", "/v1/resume");
  REQUIRE(r.status == 200);
  CHECK(json_field(f.http("GET", "/v1/status").body, "state") == "ACTIVE");
  // The gateway hears of the resume asynchronously (risk -> directory ->
  // gateway); an intent sent before that is refused by the gateway.
  REQUIRE(poll_until([&] {
    auto gw = f.node("venue:sim/gateway");
    return gw && gw->state == "ACTIVE";
  }));
  CHECK(poll_until([&] {
    for (auto& n : f.graph().nodes)
      if (n.kind == "strategy"
          && detail_value(n.detail, "trading") != "ACTIVE")
        return false;
    return true;
  }));
  auto again = place_resting(f, t, "0.0002");
  CHECK(t.events.accepted_of(again.cid));
}

TEST_CASE("the service shuts down cleanly with orders resting") {
  service_fixture f{standard_config};
  trader t{f};
  auto resting = place_resting(f, t, "0.0002");
  auto started = std::chrono::steady_clock::now();
  graceful_shutdown(f.sys(), f.handles());
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took < std::chrono::seconds(8));
  // The order was canceled (and the cancel confirmed to its owner) before
  // the tree stopped: the event is already here.
  CHECK(t.wait(
    [&](const order_events& e) { return e.canceled_of(resting.cid); },
    std::chrono::milliseconds(500)));
  // And the tree is gone.
  caf::scoped_actor self{f.sys()};
  self->monitor(f.handles().root);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(2)) >> [] {});
  CHECK(down);
}

TEST_CASE("a mean-reversion strategy trades on its own on the sim venue") {
  // One strategy, a 5-bar window of 0.1 s bars and low thresholds: entries
  // come within seconds.
  service_fixture f{R"({
    "data_dir": "@DATA_DIR@",
    "log_level": "error",
    "scheduler": { "policy": "sharing", "max_threads": 2 },
    "control": { "port": 0 },
    "supervision": { "max_restarts": 5, "within_seconds": 60, "backoff_initial_ms": 50, "backoff_max_ms": 400 },
    "gateway": { "orders_per_minute": 600, "burst": 20 },
    "venues": [ { "name": "sim", "kind": "sim", "sim": {
      "step_interval_ms": 20, "heartbeat_timeout_ms": 1000,
      "symbols": [ { "symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001", "level_qty": "0.5" } ] } } ],
    "strategies": [ { "symbol": "BTCUSDT", "mean_reversion": {
      "window": 5, "bar_seconds": 0.1, "entry_z": 0.3, "exit_z": 0.1,
      "time_stop_minutes": 0.05, "maker_lifetime_seconds": 1, "order_notional": "100" } } ]
  })"};
  CHECK(f.cfg().strategies.at(0).mean_reversion.time_stop == 3 * ns_per_s);
  CHECK(f.cfg().strategies.at(0).mean_reversion.bar_interval
        == 100 * ns_per_ms);
  uint64_t submitted = 0;
  CHECK(poll_until(
    [&] {
      auto gw = f.node("venue:sim/gateway");
      submitted = gw ? detail_u64(gw->detail, "submitted") : 0;
      return submitted >= 1;
    },
    std::chrono::seconds(20), std::chrono::milliseconds(100)));
  auto s = f.node("strategies/mr:BTCUSDT");
  REQUIRE(s);
  INFO(s->detail);
  CHECK(detail_u64(s->detail, "intents") >= 1);
  CHECK(detail_u64(s->detail, "bars") >= 5);
}
