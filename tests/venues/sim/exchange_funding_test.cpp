#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"
#include "venues/sim/exchange_actor.hpp"
#include "venues/sim/feed_actor.hpp"

// The embedded exchange and the sim feed together under CAF's deterministic
// scheduler, a manual clock (both actors' injected clock) moving with CAF's
// test clock: perpetual listings publish Binance USD-M markPriceUpdate frames
// once a second, the feed parses them into `funding_update`s and routes them
// to the book following the symbol (here a probe standing in for the book,
// which passes funding on to its subscribers unchanged).
//
// Every actor spawned here takes at least one argument: CAF 0.17's
// init_fun_factory dereferences a null std::shared_ptr<std::tuple<>> for
// argument-less spawns, which UBSan rejects.

using namespace agora;
using namespace agora::sim;

namespace {

const venue_id sim_venue{"sim"};
const symbol_id eth{"ETHUSDT"};
const symbol_id eth_perp{"ETHUSDT-PERP"};
const symbol_id btc_perp{"BTCUSDT-PERP"};
const std::string exchange_path = "venue:sim/exchange";
constexpr nanos step = 100 * ns_per_ms;
constexpr nanos eight_hours = 8 * 3600 * ns_per_s;
/// 2023-11-15 00:00:00 UTC, a funding time.
constexpr nanos midnight = 1'700'006'400 * ns_per_s;

price px(const char* s) {
  return *price::parse(s);
}

rate rt(const char* s) {
  return *rate::parse(s);
}

listed_symbol listing(const symbol_id& symbol, const char* start, const char* tick,
                      bool perpetual, uint64_t seed) {
  listed_symbol l;
  l.spec.symbol = symbol;
  l.spec.tick = px(tick);
  l.spec.lot = *quantity::parse("0.001");
  l.spec.min_notional = *notional::parse("5");
  l.spec.maker_fee = rt("0.0002");
  l.spec.taker_fee = rt("0.0004");
  l.spec.perpetual = perpetual;
  l.params.seed = seed;
  l.params.start_price = px(start);
  l.params.level_qty = *quantity::parse("5");
  l.params.burst_probability = 0;
  return l;
}

/// What a book probe received from the feed.
struct book_log {
  std::vector<funding_update> funding;
  size_t batches = 0;
  size_t trades = 0;
};

/// Follows `symbol` at `feed` and records what the feed sends it.
caf::behavior book_probe(caf::event_based_actor* self,
                         std::shared_ptr<book_log> log, caf::actor feed,
                         symbol_id symbol) {
  install_hygiene(self, "book:" + symbol.str(), logger("book"));
  self->send(feed, follow_symbol{symbol, caf::actor_cast<caf::actor>(self)});
  return {
    [](caf::ok_atom) {},
    [log](book_delta_batch&) { ++log->batches; },
    [log](trade_tick&) { ++log->trades; },
    [log](funding_update& f) { log->funding.push_back(std::move(f)); },
  };
}

/// A directory that knows one path: `path` -> `exchange`.
caf::behavior fake_directory(caf::event_based_actor* self, std::string path,
                             caf::actor exchange) {
  install_hygiene(self, "directory", logger("supervisor"));
  return {
    [path, exchange](lookup_atom, const std::string& name) {
      return name == path ? exchange : caf::actor{};
    },
  };
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

/// An exchange listing ETHUSDT (spot), ETHUSDT-PERP (anchored to ETHUSDT at
/// a steady 20 bps basis) and BTCUSDT-PERP (a perpetual of its own), the sim
/// feed connected to it, and a book probe following each symbol.
struct funding_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  std::vector<caf::actor> spawned;
  std::shared_ptr<book_log> spot = std::make_shared<book_log>();
  std::shared_ptr<book_log> anchored = std::make_shared<book_log>();
  std::shared_ptr<book_log> own = std::make_shared<book_log>();

  explicit funding_fixture(nanos start)
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      clock(start) {
    setup_logging("off", "", nullptr);
    exchange_params p;
    p.venue = sim_venue;
    p.step_interval = step;
    p.latency = ns_per_ms;
    p.jitter = 0;
    auto perp = listing(eth_perp, "3507", "0.01", true, 4);
    perp.params.anchored = true;
    perp.params.basis_mean = 0.002;
    perp.params.basis_reversion = 0.5;
    perp.params.basis_volatility = 0;
    perp.index_symbol = eth;
    p.symbols = {listing(eth, "3500", "0.01", false, 2), perp,
                 listing(btc_perp, "65000", "0.1", true, 3)};
    p.default_symbol = listing(symbol_id{"TEMPLATE"}, "100", "0.01", false, 5);
    p.clock = &clock;
    auto exchange = keep(spawn_exchange(sys, exchange_path, std::move(p)));
    auto directory = keep(sys.spawn(fake_directory, exchange_path, exchange));
    feed_params fp;
    fp.venue = sim_venue;
    fp.exchange_path = exchange_path;
    fp.directory = directory;
    fp.clock = &clock;
    auto feed = keep(spawn_feed(sys, "venue:sim/feed", std::move(fp)));
    sched.run();
    keep(sys.spawn(book_probe, spot, feed, eth));
    keep(sys.spawn(book_probe, anchored, feed, eth_perp));
    keep(sys.spawn(book_probe, own, feed, btc_perp));
    sched.run();
  }

  ~funding_fixture() {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
  }

  caf::actor keep(caf::actor a) {
    spawned.push_back(a);
    return a;
  }

  /// Runs the market for `d` in steps, moving both clocks together.
  void run_for(nanos d) {
    for (nanos t = 0; t < d; t += step) {
      clock.advance(step);
      sched.advance_time(std::chrono::nanoseconds(step));
      sched.run();
    }
  }
};

__extension__ typedef __int128 int128;

/// (mark - index) / index truncated toward zero, in raw units of 1e-8.
int64_t premium_raw(price mark, price index) {
  return static_cast<int64_t>((static_cast<int128>(mark.raw()) - index.raw())
                              * fixed_scale / index.raw());
}

} // namespace

TEST_CASE("a perpetual listing's funding reaches the book following it once a second") {
  constexpr nanos t0 = 1'700'000'000 * ns_per_s; // 2023-11-14 22:13:20 UTC
  funding_fixture f{t0};
  f.run_for(3 * ns_per_s); // 30 steps
  // One markPriceUpdate a second, not one a step.
  REQUIRE(f.anchored->funding.size() == 3);
  REQUIRE(f.own->funding.size() == 3);
  for (size_t k = 0; k < 3; ++k) {
    auto& a = f.anchored->funding[k];
    CHECK(a.venue == sim_venue);
    CHECK(a.symbol == eth_perp);
    CHECK(a.venue_time == t0 + static_cast<nanos>(k + 1) * ns_per_s);
    // The next funding is 2023-11-15 00:00 UTC, an 8 h boundary.
    CHECK(a.next_funding_time == midnight);
    CHECK(a.next_funding_time % eight_hours == 0);
    // The index is the spot's fair mid; the mark, the perp's mid, sits
    // 20 bps above it (within a few ticks), so the premium is ~0.002 and
    // the rate ~0.002 - 0.0005.
    CHECK(a.mark.to_double() / a.index.to_double() - 1 == Approx(0.002).margin(0.00002));
    CHECK(a.funding_rate > rt("0.00148"));
    CHECK(a.funding_rate < rt("0.00152"));
    auto& b = f.own->funding[k];
    CHECK(b.symbol == btc_perp);
    CHECK(b.venue_time == a.venue_time);
    CHECK(b.next_funding_time == midnight);
    // Its index is its own fair mid: the premium is a tick or so, far
    // inside the 0.05% band, so the rate is the interest, 0.01%.
    CHECK(b.mark.to_double() / b.index.to_double() - 1 == Approx(0).margin(0.00001));
    CHECK(b.funding_rate == rt("0.0001"));
  }
  // A spot listing publishes no funding, though its book data flows.
  CHECK(f.spot->funding.empty());
  CHECK(f.spot->batches > 0);
  CHECK(f.anchored->batches > 0);
}

TEST_CASE("at a funding time the next funding moves 8 h on and the rate restarts from the newest premium") {
  funding_fixture f{midnight - 2 * ns_per_s}; // 23:59:58 UTC
  f.run_for(3 * ns_per_s);
  REQUIRE(f.anchored->funding.size() == 3);
  auto& before = f.anchored->funding[0]; // 23:59:59
  auto& at = f.anchored->funding[1];     // 00:00:00
  auto& after = f.anchored->funding[2];  // 00:00:01
  CHECK(before.venue_time == midnight - ns_per_s);
  CHECK(before.next_funding_time == midnight);
  CHECK(at.venue_time == midnight);
  CHECK(at.next_funding_time == midnight + eight_hours);
  CHECK(after.next_funding_time == midnight + eight_hours);
  // The new interval's only sample is this update's premium P (> 0.0006),
  // so the rate is P + (0.0001 - P clamped to -0.0005) = P - 0.0005.
  auto p = premium_raw(at.mark, at.index);
  REQUIRE(p > 60'000);
  CHECK(at.funding_rate == rate::from_raw(p - 50'000));
  // 00:00:01 is in the same 5 s sample slot: the rate holds.
  CHECK(after.funding_rate == at.funding_rate);
  CHECK(f.spot->funding.empty());
}
