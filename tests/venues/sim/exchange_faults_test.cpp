#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "messages/type_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"
#include "venues/sim/exchange_actor.hpp"

// The embedded exchange's order-entry faults under CAF's deterministic
// scheduler: a manual clock (the exchange's injected clock) moves together
// with CAF's test clock, and a gateway probe sends orders to the real
// exchange actor and records every order event it gets back.
//
// Every actor spawned here takes at least one argument: CAF 0.17's
// init_fun_factory dereferences a null std::shared_ptr<std::tuple<>> for
// argument-less spawns, which UBSan rejects.

using namespace agora;
using namespace agora::sim;

namespace {

const venue_id sim_venue{"sim"};
const symbol_id btc{"BTCUSDT"};
const symbol_id eth{"ETHUSDT"};
constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr nanos latency = 1 * ns_per_ms;

price px(const char* s) {
  return *price::parse(s);
}

quantity qty(const char* s) {
  return *quantity::parse(s);
}

listed_symbol listing(const symbol_id& symbol, const char* start) {
  listed_symbol l;
  l.spec.symbol = symbol;
  l.spec.tick = px("0.1");
  l.spec.lot = qty("0.001");
  l.spec.min_notional = *notional::parse("5");
  l.spec.maker_fee = *rate::parse("0.0002");
  l.spec.taker_fee = *rate::parse("0.0004");
  l.params.seed = 11;
  l.params.start_price = px(start);
  return l;
}

/// An order event the gateway probe received.
using order_event
  = std::variant<order_accepted, order_rejected, order_filled, order_canceled>;

/// Forwards the test's orders to the exchange (so the exchange answers the
/// probe) and records the answers in arrival order.
caf::behavior gateway_probe(caf::event_based_actor* self,
                            std::shared_ptr<std::vector<order_event>> log,
                            caf::actor exchange) {
  install_hygiene(self, "venue:sim/gateway", logger("gateway"));
  return {
    [self, exchange](submit_order& o) { self->send(exchange, std::move(o)); },
    [log](order_accepted& e) { log->emplace_back(std::move(e)); },
    [log](order_rejected& e) { log->emplace_back(std::move(e)); },
    [log](order_filled& e) { log->emplace_back(std::move(e)); },
    [log](order_canceled& e) { log->emplace_back(std::move(e)); },
  };
}

/// Sends `msg` to `dest` as a request and stores the answer.
template <class Answer, class Message>
caf::behavior asker(caf::event_based_actor* self,
                    std::shared_ptr<std::optional<Answer>> out, caf::actor dest,
                    Message msg) {
  self->request(dest, caf::infinite, std::move(msg))
    .then([out](Answer& a) { *out = std::move(a); });
  return {};
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

struct exchange_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock{t0};
  caf::actor exchange;
  caf::actor gateway;
  std::shared_ptr<std::vector<order_event>> events
    = std::make_shared<std::vector<order_event>>();
  uint64_t next_cid = 100;

  /// An exchange listing BTCUSDT and ETHUSDT, 1 ms order-entry latency
  /// without jitter, and a gateway probe.
  exchange_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    exchange_params p;
    p.venue = sim_venue;
    p.step_interval = 100 * ns_per_ms;
    p.latency = latency;
    p.jitter = 0;
    p.symbols = {listing(btc, "65000"), listing(eth, "3000")};
    p.default_symbol = listing(symbol_id{"TEMPLATE"}, "100");
    p.clock = &clock;
    exchange = spawn_exchange(sys, "venue:sim/exchange", std::move(p));
    gateway = sys.spawn(gateway_probe, events, exchange);
    sched.run();
  }

  ~exchange_fixture() {
    for (auto& a : {exchange, gateway})
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
  }

  /// Moves both the exchange's clock and CAF's test clock, then runs
  /// everything that became due.
  void advance(nanos d) {
    clock.advance(d);
    sched.advance_time(std::chrono::nanoseconds(d));
    sched.run();
  }

  std::string fault(const char* kind, symbol_id symbol = {}) {
    auto out = std::make_shared<std::optional<std::string>>();
    sys.spawn(asker<std::string, inject_fault>, out, exchange,
              inject_fault{kind, std::move(symbol), 0});
    sched.run();
    REQUIRE(out->has_value());
    return **out;
  }

  /// The published best price on `sd`'s side of `symbol`'s book.
  price best(const symbol_id& symbol, side sd) {
    auto out = std::make_shared<std::optional<std::string>>();
    sys.spawn(asker<std::string, snapshot_request>, out, exchange,
              snapshot_request{symbol});
    sched.run();
    REQUIRE(out->has_value());
    auto snap = binance::parse_depth_snapshot(**out, sim_venue, symbol, t0);
    REQUIRE(snap);
    auto& levels = sd == side::buy ? snap->bids : snap->asks;
    REQUIRE(!levels.empty());
    return levels.front().px;
  }

  /// Sends an order through the probe and lets the latency pass; returns
  /// its client order id.
  client_order_id submit(const symbol_id& symbol, side sd, order_type type,
                         time_in_force tif, price limit, quantity q) {
    submit_order o;
    o.cid = client_order_id{++next_cid};
    o.venue = sim_venue;
    o.symbol = symbol;
    o.sd = sd;
    o.type = type;
    o.tif = tif;
    o.px = limit;
    o.qty = q;
    o.strategy = "drill";
    o.local_time = clock.now();
    caf::anon_send(gateway, o);
    sched.run();
    // Nothing comes back before the latency.
    CHECK(events->empty());
    advance(latency);
    return o.cid;
  }

  template <class Event>
  const Event& at(size_t i) const {
    REQUIRE(i < events->size());
    REQUIRE(std::holds_alternative<Event>((*events)[i]));
    return std::get<Event>((*events)[i]);
  }
};

} // namespace

TEST_CASE("reject-next makes the venue reject the next new order on its symbol") {
  exchange_fixture f;
  CHECK(f.fault("reject-next", btc) == "the next new order on BTCUSDT is rejected");
  auto cid = f.submit(btc, side::buy, order_type::limit, time_in_force::gtc,
                      px("60000"), qty("0.01"));
  REQUIRE(f.events->size() == 1);
  auto& r = f.at<order_rejected>(0);
  CHECK(r.cid == cid);
  CHECK(r.venue == sim_venue);
  CHECK(r.symbol == btc);
  CHECK(r.reason == reject_reason::venue_rejected);
  CHECK(r.detail == "injected reject");
  CHECK(r.strategy == "drill");
  CHECK(r.venue_time == t0 + latency);
  // One shot: the next order rests as usual.
  f.events->clear();
  auto next = f.submit(btc, side::buy, order_type::limit, time_in_force::gtc,
                       px("60000"), qty("0.01"));
  REQUIRE(f.events->size() == 1);
  CHECK(f.at<order_accepted>(0).cid == next);
}

TEST_CASE("expire-next accepts the next order and expires it unfilled though it could match") {
  exchange_fixture f;
  CHECK(f.fault("expire-next", btc)
        == "the next new order on BTCUSDT is accepted, then expires");
  // An IOC buy far through the ask: it would trade at once.
  auto through = f.best(btc, side::sell) + px("100");
  auto cid = f.submit(btc, side::buy, order_type::limit, time_in_force::ioc,
                      through, qty("0.01"));
  REQUIRE(f.events->size() == 2);
  auto& a = f.at<order_accepted>(0);
  CHECK(a.cid == cid);
  CHECK(a.px == through);
  CHECK(a.qty == qty("0.01"));
  auto& c = f.at<order_canceled>(1);
  CHECK(c.cid == cid);
  CHECK(c.oid == a.oid);
  CHECK(c.reason == cancel_reason::expired);
  CHECK(c.cum_qty.is_zero());
  CHECK(c.strategy == "drill");
  // Without the fault the same order trades.
  f.events->clear();
  f.submit(btc, side::buy, order_type::limit, time_in_force::ioc, through,
           qty("0.01"));
  REQUIRE(f.events->size() >= 2);
  CHECK(std::holds_alternative<order_filled>((*f.events)[1]));
}

TEST_CASE("partial-next fills half the next order at its limit price then expires the rest") {
  exchange_fixture f;
  CHECK(f.fault("partial-next")
        == "the next new order on any symbol fills half, then the rest expires");
  auto cid = f.submit(btc, side::buy, order_type::limit, time_in_force::gtc,
                      px("60000"), qty("0.015"));
  REQUIRE(f.events->size() == 3);
  auto& a = f.at<order_accepted>(0);
  CHECK(a.cid == cid);
  auto& fill = f.at<order_filled>(1);
  CHECK(fill.cid == cid);
  CHECK(fill.oid == a.oid);
  CHECK(fill.symbol == btc);
  CHECK(fill.sd == side::buy);
  CHECK(fill.fill_px == px("60000"));
  CHECK(fill.fill_qty == qty("0.007"));
  CHECK(fill.cum_qty == qty("0.007"));
  CHECK(fill.leaves_qty == qty("0.008"));
  // 60000 x 0.007 = 420 at the 4 bps taker fee.
  CHECK(fill.fee == *notional::parse("0.168"));
  CHECK(fill.liq == liquidity::taker);
  CHECK(fill.strategy == "drill");
  auto& c = f.at<order_canceled>(2);
  CHECK(c.cid == cid);
  CHECK(c.reason == cancel_reason::expired);
  CHECK(c.cum_qty == qty("0.007"));
}

TEST_CASE("partial-next fills a market order at the book's touch") {
  exchange_fixture f;
  f.fault("partial-next", eth);
  auto touch = f.best(eth, side::buy);
  auto cid = f.submit(eth, side::sell, order_type::market, time_in_force::ioc,
                      price{}, qty("0.4"));
  REQUIRE(f.events->size() == 3);
  auto& fill = f.at<order_filled>(1);
  CHECK(fill.cid == cid);
  CHECK(fill.fill_px == touch);
  CHECK(fill.fill_qty == qty("0.2"));
  CHECK(f.at<order_canceled>(2).reason == cancel_reason::expired);
}

TEST_CASE("order faults take orders only on their symbol, first armed first") {
  exchange_fixture f;
  f.fault("expire-next", eth);
  f.fault("reject-next");
  // BTCUSDT passes the ETHUSDT fault by and takes the any-symbol reject.
  f.submit(btc, side::buy, order_type::limit, time_in_force::gtc, px("60000"),
           qty("0.01"));
  REQUIRE(f.events->size() == 1);
  CHECK(f.at<order_rejected>(0).detail == "injected reject");
  f.events->clear();
  f.submit(eth, side::buy, order_type::limit, time_in_force::gtc, px("2000"),
           qty("0.1"));
  REQUIRE(f.events->size() == 2);
  CHECK(f.at<order_canceled>(1).reason == cancel_reason::expired);
  f.events->clear();
  f.submit(eth, side::buy, order_type::limit, time_in_force::gtc, px("2000"),
           qty("0.1"));
  REQUIRE(f.events->size() == 1);
  CHECK(std::holds_alternative<order_accepted>((*f.events)[0]));
}

TEST_CASE("an order fault on an unlisted symbol or of an unknown kind is refused") {
  exchange_fixture f;
  CHECK(f.fault("reject-next", symbol_id{"NOPEUSDT"})
        == "error: unknown symbol NOPEUSDT");
  CHECK(f.fault("reject-all")
        == "error: unknown fault kind 'reject-all' (feed-drop, seq-gap, "
           "malformed, stall, reject-next, expire-next, partial-next)");
  // Nothing was armed.
  f.submit(btc, side::buy, order_type::limit, time_in_force::gtc, px("60000"),
           qty("0.01"));
  REQUIRE(f.events->size() == 1);
  CHECK(std::holds_alternative<order_accepted>((*f.events)[0]));
}
