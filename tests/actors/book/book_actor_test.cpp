// The book actor's sync state machine against a scripted feed (a scoped
// actor standing in for a venue's feed), Binance's documented rules:
// buffer diffs, fetch a snapshot, drop what it already covers, the first
// diff must straddle it, then an unbroken chain (spot U == previous u + 1,
// USD-M pu == previous u); anything else resyncs from a new snapshot.

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/others.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/book/book_actor.hpp"
#include "actors/supervision/directory.hpp"
#include "messages/type_ids.hpp"

using namespace agora;
using namespace std::chrono_literals;

namespace {

book_level lv(int64_t px, int64_t qty) {
  return {price::from_units(px), quantity::from_units(qty)};
}

book_delta diff(uint64_t first, uint64_t last, uint64_t prev, book_level bid) {
  book_delta d;
  d.venue = venue_id{"t"};
  d.symbol = symbol_id{"BTCUSDT"};
  d.first_update_id = first;
  d.last_update_id = last;
  d.prev_last_update_id = prev;
  d.bids.push_back(bid);
  return d;
}

book_snapshot snapshot(uint64_t id) {
  book_snapshot s;
  s.venue = venue_id{"t"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.last_update_id = id;
  s.bids = {lv(100, 1), lv(99, 1)};
  s.asks = {lv(101, 1), lv(102, 1)};
  return s;
}

struct book_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> feed;
  caf::actor dir;
  caf::actor book;

  book_fixture() {
    register_message_types(cfg);
    cfg.set("scheduler.max-threads", 1);
    sys = std::make_unique<caf::actor_system>(cfg);
    feed = std::make_unique<caf::scoped_actor>(*sys);
    dir = spawn_directory(*sys, &default_clock());
    caf::anon_send(dir, register_atom_v,
                   actor_entry{"venue:t/feed", "feed", "venue:t", caf::actor{*feed}},
                   uint64_t{0});
    book_params p;
    p.venue = venue_id{"t"};
    p.symbol = symbol_id{"BTCUSDT"};
    p.feed_path = "venue:t/feed";
    p.directory = dir;
    book = spawn_book(*sys, "venue:t/book:BTCUSDT", p);
    // The book follows the symbol, then asks for a snapshot.
    bool followed = false;
    (*feed)->receive([&](follow_symbol&) {
      followed = true;
      return caf::ok_atom_v;
    }, caf::after(5s) >> [] {});
    REQUIRE(followed);
    REQUIRE(next_snapshot_request());
  }

  ~book_fixture() {
    (*feed)->send_exit(book, caf::exit_reason::user_shutdown);
    (*feed)->send_exit(dir, caf::exit_reason::user_shutdown);
  }

  /// Waits for the book's next snapshot_request.
  bool next_snapshot_request(std::chrono::milliseconds bound = 3s) {
    bool got = false;
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!got && std::chrono::steady_clock::now() < deadline)
      (*feed)->receive([&](snapshot_request&) { got = true; },
                       caf::others >> [](caf::message_view&) -> caf::result<caf::message> {
                         return caf::message{};
                       },
                       caf::after(100ms) >> [] {});
    return got;
  }

  /// No snapshot_request within `bound`.
  bool no_snapshot_request(std::chrono::milliseconds bound = 300ms) {
    return !next_snapshot_request(bound);
  }

  void send(std::vector<book_delta> ds) {
    book_delta_batch b{symbol_id{"BTCUSDT"}, std::move(ds)};
    (*feed)->send(book, std::move(b));
  }

  /// The book's top of book, or nullopt while it is stale.
  std::optional<top_of_book> top() {
    std::optional<top_of_book> out;
    (*feed)->request(book, 3s, caf::get_atom_v)
      .receive([&](top_of_book& t) { out = t; }, [](caf::error&) {});
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(book_fixture, "diffs buffered before the snapshot are applied after it") {
  send({diff(95, 99, 0, lv(98, 5)), diff(100, 103, 0, lv(100, 7)), diff(104, 104, 0, lv(100, 8))});
  CHECK_FALSE(top());
  (*feed)->send(book, snapshot(101));
  auto t = top();
  REQUIRE(t);
  // 95..99 is dropped (covered), 100..103 straddles 102, then 104.
  CHECK(t->bid == lv(100, 8));
  CHECK(t->ask == lv(101, 1));
  CHECK(no_snapshot_request());
}

TEST_CASE_METHOD(book_fixture, "a stale snapshot (older than the first buffered diff) is refetched") {
  send({diff(110, 112, 0, lv(100, 3))});
  (*feed)->send(book, snapshot(100)); // 101..109 missing: first-event rule fails
  CHECK(next_snapshot_request());
  CHECK_FALSE(top());
  send({diff(113, 115, 0, lv(100, 4))});
  (*feed)->send(book, snapshot(114));
  auto t = top();
  REQUIRE(t);
  CHECK(t->bid == lv(100, 4));
}

TEST_CASE_METHOD(book_fixture, "a skipped spot update id makes the book stale and resync") {
  (*feed)->send(book, snapshot(100));
  send({diff(101, 102, 0, lv(100, 2))});
  REQUIRE(top());
  send({diff(104, 105, 0, lv(100, 3))}); // 103 skipped
  CHECK(next_snapshot_request());
  CHECK_FALSE(top());
  (*feed)->send(book, snapshot(105));
  CHECK(top());
}

TEST_CASE_METHOD(book_fixture, "a USD-M pu that does not chain to the previous u resyncs") {
  (*feed)->send(book, snapshot(100));
  send({diff(98, 102, 97, lv(100, 2)), diff(103, 106, 102, lv(100, 3))});
  auto t = top();
  REQUIRE(t);
  CHECK(t->bid == lv(100, 3));
  send({diff(108, 110, 107, lv(100, 4))}); // pu 107 != last u 106
  CHECK(next_snapshot_request());
  CHECK_FALSE(top());
}
