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
#include "venues/sim/feed_actor.hpp"
#include "venues/sim/wire.hpp"

// The sim feed under CAF's deterministic scheduler: nothing runs until the
// test says so, and a manual clock (the feed's injected clock) moves together
// with CAF's test clock. The directory, the exchange and the book are fakes
// written here: the directory answers lookups with the fake exchange, the
// exchange answers connects and snapshot requests, and the book follows a
// symbol and records everything the feed sends it. Frames are sent to the
// feed directly, as the exchange would.
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
const std::string exchange_path = "venue:sim/exchange";
constexpr nanos t0 = 1'700'000'000 * ns_per_s;

price px(const char* s) {
  return *price::parse(s);
}

quantity qty(const char* s) {
  return *quantity::parse(s);
}

/// The k-th diff of a sequenced stream (k from 1): update ids
/// 1000 + 2k - 1 .. 1000 + 2k, a bid whose size is k lots of 0.001.
book_delta diff(uint64_t k, const symbol_id& symbol = btc) {
  book_delta d;
  d.venue = sim_venue;
  d.symbol = symbol;
  d.first_update_id = 1000 + 2 * k - 1;
  d.last_update_id = 1000 + 2 * k;
  d.bids = {{px("65000.1"), quantity::from_raw(static_cast<int64_t>(k) * 100'000)}};
  d.asks = {{px("65000.2"), qty("1.5")}};
  d.venue_time = t0 + static_cast<nanos>(k) * ns_per_ms;
  return d;
}

trade_tick trade(uint64_t id, const symbol_id& symbol = btc) {
  trade_tick t;
  t.venue = sim_venue;
  t.symbol = symbol;
  t.id = trade_id{id};
  t.px = px("65000.1");
  t.qty = qty("0.25");
  t.aggressor = side::sell;
  t.venue_time = t0 + 500 * ns_per_ms;
  return t;
}

book_snapshot btc_snapshot() {
  book_snapshot s;
  s.venue = sim_venue;
  s.symbol = btc;
  s.last_update_id = 1000;
  s.bids = {{px("65000.1"), qty("0.5")}, {px("64999.9"), qty("2")}};
  s.asks = {{px("65000.2"), qty("1.25")}};
  s.venue_time = t0 + 42 * ns_per_ms;
  return s;
}

instrument_spec btc_spec() {
  instrument_spec s;
  s.venue = sim_venue;
  s.symbol = btc;
  s.tick = px("0.1");
  s.lot = qty("0.001");
  s.min_notional = *notional::parse("5");
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  return s;
}

/// Something the book received from the feed.
using book_event
  = std::variant<book_delta_batch, trade_tick, book_snapshot, book_stale>;

/// What the book probe saw, in arrival order.
struct book_log {
  std::vector<book_event> events;
  int follows_acknowledged = 0;
};

/// Follows `symbol` at `feed` and records everything the feed sends; a
/// `snapshot_request` from the test is passed on to the feed as the book's
/// own.
caf::behavior book_probe(caf::event_based_actor* self,
                         std::shared_ptr<book_log> log, caf::actor feed,
                         symbol_id symbol) {
  install_hygiene(self, "book:" + symbol.str(), logger("book"));
  self->send(feed, follow_symbol{symbol, caf::actor_cast<caf::actor>(self)});
  return {
    [log](caf::ok_atom) { ++log->follows_acknowledged; },
    [log](book_delta_batch& b) { log->events.emplace_back(std::move(b)); },
    [log](trade_tick& t) { log->events.emplace_back(std::move(t)); },
    [log](book_snapshot& s) { log->events.emplace_back(std::move(s)); },
    [log](book_stale& s) { log->events.emplace_back(std::move(s)); },
    [self, feed](snapshot_request& r) { self->send(feed, std::move(r)); },
  };
}

/// The market-data side of the exchange: lists `specs` on connect and
/// answers snapshot requests for `snapshot.symbol` (an error for any other).
caf::behavior fake_exchange(caf::event_based_actor* self,
                            std::vector<instrument_spec> specs,
                            book_snapshot snapshot) {
  install_hygiene(self, exchange_path, logger("venue.sim"));
  return {
    [specs](caf::connect_atom) { return specs; },
    [snapshot](const snapshot_request& r) -> caf::result<std::string> {
      if (r.symbol != snapshot.symbol)
        return caf::make_error(caf::sec::runtime_error,
                               "no such symbol " + r.symbol.str());
      return encode_snapshot(snapshot);
    },
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

/// Records the exit reason of `who` once it terminates.
caf::behavior watcher(caf::event_based_actor* self,
                      std::shared_ptr<std::optional<caf::error>> out,
                      caf::actor who) {
  self->monitor(who);
  self->set_down_handler([self, out](caf::down_msg& msg) {
    *out = msg.reason;
    self->quit();
  });
  return {[](caf::ok_atom) {}};
}

/// Asks `dest` for its stats and stores the answer.
caf::behavior stats_asker(caf::event_based_actor* self,
                          std::shared_ptr<std::optional<actor_stats>> out,
                          caf::actor dest) {
  self->request(dest, caf::infinite, stats_atom_v)
    .then([out](actor_stats& s) { *out = std::move(s); });
  return {};
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

struct feed_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock{t0};
  caf::actor exchange;
  caf::actor directory;
  caf::actor feed;
  /// The feed's exit reason, once it exited.
  std::shared_ptr<std::optional<caf::error>> feed_exit;
  std::shared_ptr<book_log> book = std::make_shared<book_log>();
  caf::actor book_actor;
  /// Every long-lived actor the test spawned; killed at the end.
  std::vector<caf::actor> spawned;

  /// A connected feed with a book following BTCUSDT.
  explicit feed_fixture(std::string path = exchange_path)
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    exchange = keep(sys.spawn(fake_exchange,
                              std::vector<instrument_spec>{btc_spec()},
                              btc_snapshot()));
    directory = keep(sys.spawn(fake_directory, exchange_path, exchange));
    feed_params p;
    p.venue = sim_venue;
    p.exchange_path = std::move(path);
    p.directory = directory;
    p.heartbeat_timeout = 3 * ns_per_s;
    p.clock = &clock;
    feed = keep(spawn_feed(sys, "venue:sim/feed", std::move(p)));
    feed_exit = std::make_shared<std::optional<caf::error>>();
    keep(sys.spawn(watcher, feed_exit, feed));
    sched.run();
    if (!feed_exit->has_value()) {
      book_actor = keep(sys.spawn(book_probe, book, feed, btc));
      sched.run();
    }
  }

  ~feed_fixture() {
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

  /// Puts one frame into the feed's mailbox, as the exchange would (nothing
  /// runs until the test runs the scheduler).
  void frame(std::string text) {
    caf::anon_send(feed, wire_frame{sim_venue, std::move(text), clock.now()});
  }

  /// Moves both the feed's clock and CAF's test clock, then runs everything
  /// that became due.
  void advance(nanos d) {
    clock.advance(d);
    sched.advance_time(std::chrono::nanoseconds(d));
    sched.run();
  }

  actor_stats stats() {
    auto out = std::make_shared<std::optional<actor_stats>>();
    sys.spawn(stats_asker, out, feed);
    sched.run();
    REQUIRE(out->has_value());
    return **out;
  }

  /// Spawns another book probe that follows `symbol`.
  std::shared_ptr<book_log> follow(const symbol_id& symbol) {
    auto log = std::make_shared<book_log>();
    keep(sys.spawn(book_probe, log, feed, symbol));
    sched.run();
    return log;
  }

  bool feed_alive() const {
    return !feed_exit->has_value();
  }
};

const book_delta_batch& batch_at(const book_log& log, size_t i) {
  REQUIRE(i < log.events.size());
  REQUIRE(std::holds_alternative<book_delta_batch>(log.events[i]));
  return std::get<book_delta_batch>(log.events[i]);
}

/// Checks that `b` holds diffs first..last of the stream, in order.
void check_run(const book_delta_batch& b, uint64_t first, uint64_t last) {
  CHECK(b.symbol == btc);
  REQUIRE(b.deltas.size() == last - first + 1);
  for (uint64_t k = first; k <= last; ++k) {
    auto& d = b.deltas[k - first];
    CHECK(d.first_update_id == 1000 + 2 * k - 1);
    CHECK(d.last_update_id == 1000 + 2 * k);
  }
}

std::string render(caf::actor_system& sys, const std::optional<caf::error>& e) {
  REQUIRE(e.has_value());
  return sys.render(*e);
}

} // namespace

TEST_CASE("the feed connects and acknowledges a book that follows a symbol") {
  feed_fixture f;
  CHECK(f.feed_alive());
  CHECK(f.book->follows_acknowledged == 1);
  CHECK(f.book->events.empty());
  auto s = f.stats();
  CHECK(s.state == "connected");
  CHECK(s.detail == "frames=0 malformed=0 books=1 unrouted=0 batches=0 deltas=0");
}

TEST_CASE("a burst of diffs reaches the book as one batch") {
  feed_fixture f;
  for (uint64_t k = 1; k <= 10; ++k)
    f.frame(encode_depth(diff(k)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  auto& b = batch_at(*f.book, 0);
  check_run(b, 1, 10);
  CHECK(b.deltas.front().first_update_id == 1001);
  CHECK(b.deltas.back().last_update_id == 1020);
  // The diffs arrive parsed: venue, time stamps and levels as sent.
  auto& d = b.deltas[2];
  CHECK(d.venue == sim_venue);
  CHECK(d.symbol == btc);
  CHECK(d.venue_time == t0 + 3 * ns_per_ms);
  CHECK(d.local_time == t0);
  REQUIRE(d.bids.size() == 1);
  CHECK(d.bids[0] == book_level{px("65000.1"), qty("0.003")});
  REQUIRE(d.asks.size() == 1);
  CHECK(d.asks[0] == book_level{px("65000.2"), qty("1.5")});
  CHECK(f.stats().detail
        == "frames=10 malformed=0 books=1 unrouted=0 batches=1 deltas=10");
}

TEST_CASE("a single diff is delivered after the flush") {
  feed_fixture f;
  f.frame(encode_depth(diff(1)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  auto& b = batch_at(*f.book, 0);
  check_run(b, 1, 1);
  CHECK(b.deltas[0].first_update_id == 1001);
  CHECK(b.deltas[0].last_update_id == 1002);
  // A later diff is a new burst: it gets its own flush and its own batch.
  f.frame(encode_depth(diff(2)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 2);
  check_run(batch_at(*f.book, 1), 2, 2);
  CHECK(f.stats().detail
        == "frames=2 malformed=0 books=1 unrouted=0 batches=2 deltas=2");
}

TEST_CASE("a trade is sent after the diffs that came before it") {
  feed_fixture f;
  f.frame(encode_depth(diff(1)));
  f.frame(encode_depth(diff(2)));
  f.frame(encode_trade(trade(77)));
  f.frame(encode_depth(diff(3)));
  f.sched.run();
  auto& ev = f.book->events;
  REQUIRE(ev.size() == 3);
  check_run(batch_at(*f.book, 0), 1, 2);
  REQUIRE(std::holds_alternative<trade_tick>(ev[1]));
  auto& t = std::get<trade_tick>(ev[1]);
  CHECK(t.id == trade_id{77});
  CHECK(t.symbol == btc);
  CHECK(t.px == px("65000.1"));
  CHECK(t.qty == qty("0.25"));
  CHECK(t.aggressor == side::sell);
  CHECK(t.venue_time == t0 + 500 * ns_per_ms);
  check_run(batch_at(*f.book, 2), 3, 3);
  CHECK(f.stats().detail
        == "frames=4 malformed=0 books=1 unrouted=0 batches=2 deltas=3");
}

TEST_CASE("batches are capped at 256 diffs") {
  feed_fixture f;
  for (uint64_t k = 1; k <= 300; ++k)
    f.frame(encode_depth(diff(k)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 2);
  auto& first = batch_at(*f.book, 0);
  auto& second = batch_at(*f.book, 1);
  check_run(first, 1, 256);
  check_run(second, 257, 300);
  CHECK(first.deltas.front().first_update_id == 1001);
  CHECK(first.deltas.back().last_update_id == 1512);
  CHECK(second.deltas.front().first_update_id == 1513);
  CHECK(second.deltas.back().last_update_id == 1600);
  CHECK(f.stats().detail
        == "frames=300 malformed=0 books=1 unrouted=0 batches=2 deltas=300");
}

TEST_CASE("a burst of diffs for two symbols leaves as one batch per symbol") {
  feed_fixture f;
  auto eth_book = f.follow(eth);
  REQUIRE(eth_book->follows_acknowledged == 1);
  f.frame(encode_depth(diff(1)));
  f.frame(encode_depth(diff(1, eth)));
  f.frame(encode_depth(diff(2)));
  f.frame(encode_trade(trade(9, eth)));
  f.frame(encode_depth(diff(2, eth)));
  f.frame(encode_depth(diff(3)));
  f.sched.run();
  // BTCUSDT never saw a trade: its three diffs leave together at the flush.
  REQUIRE(f.book->events.size() == 1);
  check_run(batch_at(*f.book, 0), 1, 3);
  // ETHUSDT's trade sends its one pending diff first.
  auto& ev = eth_book->events;
  REQUIRE(ev.size() == 3);
  auto& e1 = batch_at(*eth_book, 0);
  CHECK(e1.symbol == eth);
  REQUIRE(e1.deltas.size() == 1);
  CHECK(e1.deltas[0].first_update_id == 1001);
  REQUIRE(std::holds_alternative<trade_tick>(ev[1]));
  CHECK(std::get<trade_tick>(ev[1]).id == trade_id{9});
  auto& e2 = batch_at(*eth_book, 2);
  CHECK(e2.symbol == eth);
  REQUIRE(e2.deltas.size() == 1);
  CHECK(e2.deltas[0].first_update_id == 1003);
  CHECK(f.stats().detail
        == "frames=6 malformed=0 books=2 unrouted=0 batches=3 deltas=5");
}

TEST_CASE("malformed frames are counted and dropped") {
  feed_fixture f;
  std::string bad_decimal
    = R"({"e":"depthUpdate","E":1700000000001,"s":"BTCUSDT","U":1001,)"
      R"("u":1002,"b":[["65000.1x","0.5"]],"a":[]})";
  // The second frame is well-formed JSON whose only fault is the price.
  auto parsed = binance::parse_stream(bad_decimal, binance::market::spot,
                                      sim_venue, t0);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code()
        == static_cast<uint8_t>(binance::codec_errc::bad_decimal));
  f.frame("this is not json {");
  f.frame(bad_decimal);
  f.sched.run();
  CHECK(f.book->events.empty());
  CHECK(f.feed_alive());
  auto s = f.stats();
  CHECK(s.state == "connected");
  CHECK(s.detail == "frames=2 malformed=2 books=1 unrouted=0 batches=0 deltas=0");
  // heartbeat, follow_symbol and the two frames.
  CHECK(s.processed == 4);
  f.frame(encode_depth(diff(1)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  check_run(batch_at(*f.book, 0), 1, 1);
  CHECK(f.stats().detail
        == "frames=3 malformed=2 books=1 unrouted=0 batches=1 deltas=1");
}

TEST_CASE("frames for a symbol nobody follows are counted as unrouted") {
  feed_fixture f;
  f.frame(encode_depth(diff(1, eth)));
  f.frame(encode_trade(trade(5, eth)));
  f.frame(encode_depth(diff(2, eth)));
  f.frame(encode_depth(diff(1)));
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  check_run(batch_at(*f.book, 0), 1, 1);
  CHECK(f.feed_alive());
  CHECK(f.stats().detail
        == "frames=4 malformed=0 books=1 unrouted=3 batches=1 deltas=1");
}

TEST_CASE("diffs of a symbol unfollowed before the flush are counted as unrouted") {
  feed_fixture f;
  f.frame(encode_depth(diff(1)));
  f.frame(encode_depth(diff(2)));
  caf::anon_send(f.feed, unfollow_symbol{btc});
  f.sched.run();
  CHECK(f.book->events.empty());
  CHECK(f.stats().detail
        == "frames=2 malformed=0 books=0 unrouted=2 batches=0 deltas=0");
}

TEST_CASE("a dropped connection ends the feed with an error") {
  feed_fixture f;
  REQUIRE(f.feed_alive());
  caf::anon_send(f.feed, connection_lost{sim_venue, "peer reset"});
  f.sched.run();
  REQUIRE_FALSE(f.feed_alive());
  auto& reason = **f.feed_exit;
  CHECK(reason != caf::exit_reason::normal);
  CHECK(reason == caf::sec::runtime_error);
  CHECK_THAT(render(f.sys, *f.feed_exit),
             Catch::Matchers::Contains("feed lost: peer reset"));
}

TEST_CASE("an exchange that goes down ends the feed with an error") {
  feed_fixture f;
  caf::anon_send_exit(f.exchange, caf::exit_reason::kill);
  f.sched.run();
  REQUIRE_FALSE(f.feed_alive());
  CHECK(**f.feed_exit == caf::sec::runtime_error);
  CHECK_THAT(render(f.sys, *f.feed_exit),
             Catch::Matchers::Contains("feed lost: exchange went down"));
}

TEST_CASE("a feed whose exchange is not in the directory ends with an error") {
  feed_fixture f{"venue:sim/nowhere"};
  REQUIRE_FALSE(f.feed_alive());
  CHECK(**f.feed_exit == caf::sec::runtime_error);
  CHECK_THAT(render(f.sys, *f.feed_exit),
             Catch::Matchers::Contains("exchange venue:sim/nowhere not found"));
}

TEST_CASE("a silent connection ends the feed after the heartbeat timeout") {
  feed_fixture f;
  // Silent for 2.5 s when a heartbeat runs: within the 3 s timeout.
  f.advance(2500 * ns_per_ms);
  CHECK(f.feed_alive());
  // Silent for 3.5 s (> 3 s) when the next heartbeat runs.
  f.clock.advance(1000 * ns_per_ms);
  f.sched.trigger_timeouts();
  f.sched.run();
  REQUIRE_FALSE(f.feed_alive());
  CHECK(**f.feed_exit != caf::exit_reason::normal);
  CHECK(**f.feed_exit == caf::sec::runtime_error);
  CHECK_THAT(render(f.sys, *f.feed_exit),
             Catch::Matchers::Contains("feed lost: silent for 3500 ms"));
}

TEST_CASE("frames keep a connection alive past the heartbeat timeout") {
  feed_fixture f;
  f.advance(2 * ns_per_s);
  f.frame(encode_depth(diff(1)));
  f.sched.run();
  // 4.5 s after connecting, but only 2.5 s after the last frame.
  f.advance(2500 * ns_per_ms);
  CHECK(f.feed_alive());
  f.clock.advance(1000 * ns_per_ms);
  f.sched.trigger_timeouts();
  f.sched.run();
  REQUIRE_FALSE(f.feed_alive());
  CHECK_THAT(render(f.sys, *f.feed_exit),
             Catch::Matchers::Contains("feed lost: silent for 3500 ms"));
}

TEST_CASE("a snapshot request is answered with the parsed snapshot") {
  feed_fixture f;
  f.clock.advance(7 * ns_per_ms);
  caf::anon_send(f.book_actor, snapshot_request{btc});
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  REQUIRE(std::holds_alternative<book_snapshot>(f.book->events[0]));
  auto& s = std::get<book_snapshot>(f.book->events[0]);
  CHECK(s.venue == sim_venue);
  CHECK(s.symbol == btc);
  CHECK(s.last_update_id == 1000);
  CHECK(s.bids
        == std::vector<book_level>{{px("65000.1"), qty("0.5")},
                                   {px("64999.9"), qty("2")}});
  CHECK(s.asks == std::vector<book_level>{{px("65000.2"), qty("1.25")}});
  CHECK(s.venue_time == t0 + 42 * ns_per_ms);
  CHECK(s.local_time == t0 + 7 * ns_per_ms);
  CHECK(f.feed_alive());
}

TEST_CASE("a failed snapshot request is answered with book_stale") {
  feed_fixture f;
  caf::anon_send(f.book_actor, snapshot_request{eth});
  f.sched.run();
  REQUIRE(f.book->events.size() == 1);
  REQUIRE(std::holds_alternative<book_stale>(f.book->events[0]));
  auto& s = std::get<book_stale>(f.book->events[0]);
  CHECK(s.venue == sim_venue);
  CHECK(s.symbol == eth);
  CHECK(s.reason == stale_reason::awaiting_snapshot);
  CHECK(s.detail == "snapshot failed");
  CHECK(s.local_time == t0);
  CHECK(f.feed_alive());
}
