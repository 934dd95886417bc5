// Integration: injected faults (feed drop, sequence gap, malformed frames, a
// crashing book) and how supervision and the books recover.

#include "harness.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

std::string fault(const std::string& kind, const std::string& symbol = "") {
  std::string body = R"({"kind":")" + kind + "\"";
  if (!symbol.empty())
    body += R"(,"symbol":")" + symbol + "\"";
  return body + "}";
}

uint64_t processed_of(service_fixture& f, const std::string& name) {
  auto n = f.node(name);
  return n ? n->processed : 0;
}

} // namespace

TEST_CASE("a dropped feed is restarted with backoff, its books resync and the "
          "strategy resumes") {
  service_fixture f{standard_config};
  auto before = f.node("venue:sim/feed");
  REQUIRE(before);
  REQUIRE(before->restarts == 0);
  auto dropped_at = default_clock().now();

  auto r = f.http("POST", "/v1/fault", fault("feed-drop"));
  REQUIRE(r.status == 200);
  INFO(r.body);

  // The feed comes back, restarted by its supervisor after the backoff.
  REQUIRE(poll_until([&] {
    auto n = f.node("venue:sim/feed");
    return n && n->restarts >= 1 && n->state == "connected";
  }));
  auto feed = f.node("venue:sim/feed");
  REQUIRE(feed);
  CHECK(feed->started - dropped_at >= 50 * ns_per_ms); // backoff_initial_ms

  // Its books are not restarted: they follow the new feed and resync from
  // a snapshot.
  REQUIRE(f.wait_ready());
  for (auto symbol : {"BTCUSDT", "ETHUSDT"}) {
    auto b = f.node(std::string{"venue:sim/book:"} + symbol);
    REQUIRE(b);
    INFO(b->detail);
    CHECK(b->state == "fresh");
    CHECK(b->restarts == 0);
    CHECK(detail_u64(b->detail, "feeds") == 2);
    CHECK(detail_u64(b->detail, "resyncs") >= 2);
  }

  // The strategy found the new book and receives its views again: about 50
  // a second (20 ms steps) against one timer tick a second.
  REQUIRE(poll_until([&] {
    auto b = f.node("venue:sim/book:BTCUSDT");
    return b && detail_u64(b->detail, "subscribers") >= 1;
  }));
  auto p0 = processed_of(f, "strategies/mr:BTCUSDT");
  CHECK(poll_until(
    [&] { return processed_of(f, "strategies/mr:BTCUSDT") >= p0 + 25; },
    std::chrono::seconds(5)));
  auto s = f.node("strategies/mr:BTCUSDT");
  REQUIRE(s);
  CHECK(s->restarts == 0);
}

TEST_CASE("a sequence gap makes the book resync from a snapshot") {
  service_fixture f{standard_config};
  auto r = f.http("POST", "/v1/fault", fault("seq-gap", "BTCUSDT"));
  REQUIRE(r.status == 200);
  std::string detail;
  CHECK(poll_until([&] {
    auto b = f.node("venue:sim/book:BTCUSDT");
    if (!b)
      return false;
    detail = b->detail;
    return detail_u64(b->detail, "gaps") >= 1
           && detail_u64(b->detail, "resyncs") >= 2 && b->state == "fresh";
  }));
  INFO(detail);
  auto b = f.node("venue:sim/book:BTCUSDT");
  REQUIRE(b);
  CHECK(b->restarts == 0); // resynced in place, not restarted
  auto eth = f.node("venue:sim/book:ETHUSDT");
  REQUIRE(eth);
  CHECK(detail_u64(eth->detail, "gaps") == 0);
  CHECK(detail_u64(eth->detail, "resyncs") == 1);
  // A bad symbol is refused.
  auto bad = f.http("POST", "/v1/fault", fault("seq-gap", "NOPEUSDT"));
  CHECK(bad.status == 400);
}

TEST_CASE("malformed frames are dropped and counted without a crash") {
  service_fixture f{standard_config};
  auto book_before = f.node("venue:sim/book:BTCUSDT");
  REQUIRE(book_before);
  auto last_before = detail_u64(book_before->detail, "last_id");
  auto r = f.http("POST", "/v1/fault", fault("malformed", "BTCUSDT"));
  REQUIRE(r.status == 200);
  std::string detail;
  CHECK(poll_until([&] {
    auto n = f.node("venue:sim/feed");
    detail = n ? n->detail : "";
    return n && detail_u64(n->detail, "malformed") >= 3;
  }));
  INFO(detail);
  auto feed = f.node("venue:sim/feed");
  REQUIRE(feed);
  CHECK(feed->restarts == 0);
  CHECK(feed->state == "connected");
  CHECK(detail_u64(feed->detail, "malformed") == 3);
  // The books never noticed: still fresh, still updating, not restarted.
  CHECK(f.all_fresh());
  CHECK(poll_until([&] {
    auto b = f.node("venue:sim/book:BTCUSDT");
    return b && detail_u64(b->detail, "last_id") > last_before;
  }));
  for (auto& n : f.graph().nodes) {
    INFO(n.name << ": " << n.detail);
    CHECK(n.restarts == 0);
  }
}

TEST_CASE("a book crashing past the restart intensity escalates to its "
          "supervisor") {
  service_fixture f{R"({
    "data_dir": "@DATA_DIR@",
    "log_level": "error",
    "scheduler": { "policy": "sharing", "max_threads": 2 },
    "control": { "port": 0 },
    "supervision": { "max_restarts": 2, "within_seconds": 60, "backoff_initial_ms": 50, "backoff_max_ms": 200 },
    "venues": [ { "name": "sim", "kind": "sim", "sim": {
      "step_interval_ms": 20, "heartbeat_timeout_ms": 1000,
      "symbols": [
        { "symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001", "level_qty": "0.5", "seed": 1 },
        { "symbol": "ETHUSDT", "start_price": "3500", "tick": "0.01", "lot": "0.0001", "level_qty": "5", "seed": 2 }
      ] } } ],
    "strategies": [ { "symbol": "BTCUSDT", "mean_reversion": { "entry_z": 10, "exit_z": 5, "window": 5, "bar_seconds": 0.1 } } ]
  })"};
  // Crash the book each time it is back, until the venue supervisor gives
  // up (third failure within the window) and the root restarts it.
  int crashes = 0;
  uint64_t book_restarts_seen = 0;
  CHECK(poll_until(
    [&] {
      auto sup = f.node("venue:sim");
      if (sup && sup->restarts >= 1)
        return true;
      auto book = f.node("venue:sim/book:BTCUSDT");
      if (!book || book->state != "fresh")
        return false;
      // Only crash an incarnation not crashed yet.
      if (crashes > 0 && book->restarts < book_restarts_seen + 1)
        return false;
      auto r = f.http("POST", "/v1/fault", fault("crash-book", "BTCUSDT"));
      if (r.status == 200) {
        ++crashes;
        book_restarts_seen = book->restarts;
      }
      return false;
    },
    std::chrono::seconds(15), std::chrono::milliseconds(50)));
  CHECK(crashes == 3);
  auto sup = f.node("venue:sim");
  REQUIRE(sup);
  CHECK(sup->restarts == 1);
  CHECK(sup->parent == "agora");

  // Afterwards the tree is whole again: every child of the venue is back,
  // the books are fresh, the strategy subscribed to the new book.
  REQUIRE(f.wait_ready());
  for (auto name : {"venue:sim/exchange", "venue:sim/gateway",
                    "venue:sim/feed", "venue:sim/book:BTCUSDT",
                    "venue:sim/book:ETHUSDT", "risk", "strategies",
                    "strategies/mr:BTCUSDT", "control", "alerts"}) {
    auto n = f.node(name);
    INFO(name);
    REQUIRE(n);
    CHECK(n->state != "down");
    CHECK(n->state != "unresponsive");
  }
  // The new venue supervisor's children start with a clean record.
  CHECK(f.node("venue:sim/book:BTCUSDT")->restarts == 0);
  CHECK(poll_until([&] {
    auto b = f.node("venue:sim/book:BTCUSDT");
    return b && detail_u64(b->detail, "subscribers") >= 1;
  }));
  // Orders go through the new gateway: risk found it again.
  trader t{f};
  auto o = ioc_through_ask(f, t, "BTCUSDT", "0.001");
  CHECK(t.events.accepted_of(o.cid));
  CHECK(t.events.last_fill_of(o.cid));
}
