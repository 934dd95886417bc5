// Integration: two-leg trades through risk, the gateway and the sim venue,
// with the second leg rejected, expired or partly filled by the venue; the
// basis strategy end to end (PAPER and SHADOW).

#include "harness.hpp"

#include "actors/strategy/two_leg_coordinator.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

/// The sim venue with a spot and a perpetual anchored to it (basis 20 bps).
std::string two_leg_config(const std::string& strategies = "[]") {
  return std::string{R"({
  "data_dir": "@DATA_DIR@",
  "log_level": "warn",
  "status_interval_seconds": 60,
  "scheduler": { "policy": "sharing", "max_threads": 2 },
  "control": { "port": 0 },
  "supervision": { "max_restarts": 5, "within_seconds": 60, "backoff_initial_ms": 50, "backoff_max_ms": 400 },
  "risk": { "max_order_notional": "5000", "max_position_notional": "20000", "max_gross_exposure": "50000" },
  "gateway": { "orders_per_minute": 600, "burst": 20 },
  "venues": [ { "name": "sim", "kind": "sim", "sim": {
    "step_interval_ms": 20, "latency_us": 1000, "jitter_us": 500, "heartbeat_timeout_ms": 1000,
    "symbols": [
      { "symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001", "min_notional": "5", "level_qty": "0.5", "seed": 1 },
      { "symbol": "BTCUSDT-PERP", "start_price": "65130", "tick": "0.1", "lot": "0.001", "min_notional": "5", "level_qty": "0.5",
        "perpetual": true, "seed": 3, "index_symbol": "BTCUSDT", "basis_bps": 20, "basis_volatility_bps": 0.2 }
    ] } } ],
  "strategies": )"} + strategies + R"(,
  "strategy_template": { "window": 5, "entry_z": 10, "exit_z": 5, "bar_seconds": 0.1, "order_notional": "100" }
})";
}

std::string fault(const std::string& kind, const std::string& symbol) {
  return R"({"kind":")" + kind + R"(","symbol":")" + symbol + "\"}";
}

instrument_spec spec_of(service_fixture& f, const char* symbol) {
  caf::scoped_actor self{f.sys()};
  instrument_spec out;
  self->request(f.lookup("venue:sim/gateway"), std::chrono::seconds(5), spec_atom_v,
                symbol_id{symbol})
    .receive([&](instrument_spec& s) { out = s; }, [](caf::error&) {});
  REQUIRE(out.symbol.valid());
  return out;
}

positions_report positions(service_fixture& f) {
  caf::scoped_actor self{f.sys()};
  positions_report out;
  self->request(well_known(f.sys(), risk_name), std::chrono::seconds(5), positions_atom_v)
    .receive([&](positions_report& r) { out = std::move(r); }, [](caf::error&) {});
  return out;
}

quantity position_of(service_fixture& f, const char* symbol) {
  for (auto& p : positions(f).positions)
    if (p.symbol.str() == symbol)
      return p.qty;
  return {};
}

status_report status(service_fixture& f) {
  caf::scoped_actor self{f.sys()};
  status_report out;
  self->request(well_known(f.sys(), risk_name), std::chrono::seconds(5), status_atom_v)
    .receive([&](status_report& r) { out = std::move(r); }, [](caf::error&) {});
  return out;
}

uint64_t critical_alerts(service_fixture& f) {
  auto n = f.node("alerts");
  return n ? detail_u64(n->detail, "critical") : 0;
}

/// The strategy scope's state as risk lists it (ACTIVE when not listed).
trading_state strategy_state(service_fixture& f, const std::string& name) {
  for (auto& s : status(f).scopes)
    if (s.scope.kind == scope_kind::strategy && s.scope.name == name)
      return s.state;
  return trading_state::active;
}

/// A hedge of `qty` BTC: buy spot, sell the perpetual, both IOC with limits
/// `cross_percent` through the touch (negative: resting away from it, GTC).
two_leg_request hedge(service_fixture& f, const char* qty, int64_t cross_percent,
                      nanos deadline, uint64_t trade = 1) {
  auto spot = f.first_view("BTCUSDT");
  auto perp = f.first_view("BTCUSDT-PERP");
  REQUIRE(spot);
  REQUIRE(perp);
  auto tif = cross_percent > 0 ? time_in_force::ioc : time_in_force::gtc;
  two_leg_request r;
  r.trade = trade;
  r.strategy = "basis:itest";
  r.purpose = "open";
  r.deadline = deadline;
  r.legs.push_back(leg_order{venue_id{"sim"}, symbol_id{"BTCUSDT"}, side::buy, tif,
                             shifted(spot->asks.front().px, cross_percent), qty_of(qty), false});
  r.legs.push_back(leg_order{venue_id{"sim"}, symbol_id{"BTCUSDT-PERP"}, side::sell, tif,
                             shifted(perp->bids.front().px, -cross_percent), qty_of(qty), false});
  r.local_time = default_clock().now();
  return r;
}

/// Runs one trade through a coordinator owned by `self`; its result.
std::optional<two_leg_result> run_trade(service_fixture& f, caf::scoped_actor& self,
                                        two_leg_request req,
                                        std::function<void()> while_running = {}) {
  coordinator_params p;
  p.specs = {spec_of(f, "BTCUSDT"), spec_of(f, "BTCUSDT-PERP")};
  auto gw = f.lookup("venue:sim/gateway");
  p.gateways = {gw, gw};
  p.cid_base = 7'000'000 + req.trade * 16;
  p.owner_path = "strategies/" + req.strategy;
  p.owner = caf::actor(self);
  p.directory = f.handles().directory;
  p.request = std::move(req);
  spawn_two_leg_coordinator(f.sys(), std::move(p));
  if (while_running)
    while_running();
  std::optional<two_leg_result> out;
  self->receive([&](two_leg_result& r) { out = std::move(r); },
                caf::after(std::chrono::seconds(15)) >> [] {});
  return out;
}

} // namespace

TEST_CASE("both legs of a hedge fill together: no leg risk, no halt") {
  service_fixture f{two_leg_config()};
  caf::scoped_actor self{f.sys()};
  auto alerts0 = critical_alerts(f);
  auto r = run_trade(f, self, hedge(f, "0.01", 1, 2 * ns_per_s));
  REQUIRE(r);
  INFO(r->detail);
  CHECK(r->outcome == two_leg_outcome::filled);
  REQUIRE(r->legs.size() == 2);
  CHECK(r->legs[0].filled == qty_of("0.01"));
  CHECK(r->legs[1].filled == qty_of("0.01"));
  CHECK(r->unwinds.empty());
  CHECK(r->legs_sent - r->started < 5 * ns_per_ms);
  CHECK(poll_until([&] { return position_of(f, "BTCUSDT") == qty_of("0.01"); }));
  CHECK(position_of(f, "BTCUSDT-PERP") == qty_of("-0.01"));
  CHECK(critical_alerts(f) == alerts0);
  CHECK(strategy_state(f, "basis:itest") == trading_state::active);
  CHECK(status(f).state == trading_state::active);
}

TEST_CASE("a rejected, expired or partly filled second leg is unwound to flat within the "
          "deadline, alerted, and halts the strategy") {
  auto kind = GENERATE(std::string{"reject-next"}, std::string{"expire-next"},
                       std::string{"partial-next"});
  INFO("fault " << kind);
  service_fixture f{two_leg_config()};
  caf::scoped_actor self{f.sys()};
  auto alerts0 = critical_alerts(f);
  auto armed = f.http("POST", "/v1/fault", fault(kind, "BTCUSDT-PERP"));
  REQUIRE(armed.status == 200);
  const nanos deadline = 2 * ns_per_s;
  auto r = run_trade(f, self, hedge(f, "0.01", 1, deadline));
  REQUIRE(r);
  INFO(r->detail);
  CHECK(r->outcome == two_leg_outcome::unwound);
  REQUIRE(r->legs.size() == 2);
  CHECK(r->legs[0].filled == qty_of("0.01"));
  if (kind == "reject-next") {
    CHECK(r->legs[1].status == order_status::rejected);
    CHECK(r->legs[1].filled.is_zero());
  } else if (kind == "expire-next") {
    CHECK(r->legs[1].status == order_status::expired);
    CHECK(r->legs[1].filled.is_zero());
  } else {
    CHECK(r->legs[1].filled == qty_of("0.005"));
  }
  // The naked part went back at once, within the deadline.
  REQUIRE_FALSE(r->unwinds.empty());
  quantity unwound;
  for (auto& u : r->unwinds) {
    CHECK(u.sd == side::sell);
    CHECK(u.symbol == symbol_id{"BTCUSDT"});
    unwound = unwound + u.filled;
  }
  CHECK(unwound == r->legs[0].filled - r->legs[1].filled);
  CHECK(r->finished - r->started < deadline);
  // Net exposure flat: what is left is hedged (spot + perp == 0).
  CHECK(poll_until([&] {
    return (position_of(f, "BTCUSDT") + position_of(f, "BTCUSDT-PERP")).is_zero();
  }));
  CHECK(position_of(f, "BTCUSDT") == r->legs[1].filled);
  // CRITICAL alert, the strategy halted (and only it).
  CHECK(poll_until([&] { return critical_alerts(f) > alerts0; }));
  CHECK(poll_until([&] { return strategy_state(f, "basis:itest") == trading_state::halted; }));
  auto s = status(f);
  INFO("global: " << to_string(s.state) << " (" << s.state_reason << ")");
  for (auto& x : s.scopes)
    INFO("scope " << x.scope.to_string() << ": " << to_string(x.state) << " (" << x.reason << ")");
  CHECK(s.state == trading_state::active);
  // The coordinator is gone from the graph.
  CHECK(poll_until([&] { return !f.node("strategies/basis:itest/leg:1"); }));
}

TEST_CASE("a trade's coordinator shows in the graph while it lives and unfilled legs are "
          "cancelled at the deadline") {
  service_fixture f{two_leg_config()};
  caf::scoped_actor self{f.sys()};
  bool seen = false;
  std::string kind;
  // Both legs rest 5% away from the touch: nothing fills before the deadline.
  auto r = run_trade(f, self, hedge(f, "0.01", -5, 1500 * ns_per_ms), [&] {
    seen = poll_until([&] {
      auto n = f.node("strategies/basis:itest/leg:1");
      if (n)
        kind = n->kind;
      return n.has_value();
    }, std::chrono::milliseconds(1200));
  });
  CHECK(seen);
  CHECK(kind == "coordinator");
  REQUIRE(r);
  INFO(r->detail);
  CHECK(r->outcome == two_leg_outcome::none);
  CHECK(r->legs[0].status == order_status::canceled);
  CHECK(r->legs[1].status == order_status::canceled);
  CHECK(r->finished - r->started >= 1500 * ns_per_ms);
  CHECK(strategy_state(f, "basis:itest") == trading_state::active);
  CHECK(poll_until([&] { return !f.node("strategies/basis:itest/leg:1"); }));
}

namespace {

/// A basis strategy that wants to open at once (any net above -1000 bps).
std::string eager_basis(const std::string& mode) {
  return R"([{ "name": "basis:BTCUSDT", "kind": "basis", "mode": ")" + mode + R"(",
    "basis": { "spot": {"venue": "sim", "symbol": "BTCUSDT"},
               "perp": {"venue": "sim", "symbol": "BTCUSDT-PERP"},
               "trade_notional": "1000", "entry_threshold_bps": -1000,
               "exit_threshold_bps": -2000, "leg_deadline_ms": 2000, "cooldown_seconds": 60 } }])";
}

} // namespace

TEST_CASE("a PAPER basis strategy opens a hedged position through its coordinator") {
  service_fixture f{two_leg_config(eager_basis("paper"))};
  std::string detail;
  CHECK(poll_until([&] {
    auto n = f.node("strategies/basis:BTCUSDT");
    if (n)
      detail = n->state + " " + n->detail;
    return n && n->state == "open";
  }));
  INFO(detail);
  // 1000 USDT of BTC at ~65000, floored to the perp's 0.001 lot: 0.015.
  CHECK(poll_until([&] { return position_of(f, "BTCUSDT") == qty_of("0.015"); }));
  CHECK(position_of(f, "BTCUSDT-PERP") == qty_of("-0.015"));
  CHECK(detail.find("spot=0.015") != std::string::npos);
  CHECK(detail.find("perp=-0.015") != std::string::npos);
  CHECK(strategy_state(f, "basis:BTCUSDT") == trading_state::active);
  // Both legs are journaled as the strategy's orders.
  auto orders = list_orders(f);
  size_t legs = 0;
  for (auto& o : orders)
    legs += (o.symbol == "BTCUSDT" || o.symbol == "BTCUSDT-PERP") ? 1 : 0;
  CHECK(legs == 2);
}

TEST_CASE("a SHADOW basis strategy decides but sends nothing") {
  service_fixture f{two_leg_config(eager_basis("shadow"))};
  CHECK(poll_until([&] {
    auto n = f.node("strategies/basis:BTCUSDT");
    return n && detail_u64(n->detail, "trades") >= 1;
  }));
  auto n = f.node("strategies/basis:BTCUSDT");
  REQUIRE(n);
  INFO(n->state << " " << n->detail);
  CHECK(n->state == "cooldown");
  CHECK(list_orders(f).empty());
  CHECK(position_of(f, "BTCUSDT").is_zero());
  CHECK(position_of(f, "BTCUSDT-PERP").is_zero());
  CHECK_FALSE(f.node("strategies/basis:BTCUSDT/leg:1"));
}
