#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <utility>

#include "actors/gateway/order_tracker.hpp"

using namespace agora;

namespace {

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

client_order_id cid(uint64_t x) {
  return client_order_id{x};
}

submit_order new_order(uint64_t id, const char* q = "1") {
  submit_order o;
  o.cid = cid(id);
  o.venue = venue_id{"sim"};
  o.symbol = symbol_id{"BTCUSDT"};
  o.sd = side::buy;
  o.px = price::from_units(100);
  o.qty = qty(q);
  o.strategy = "obi";
  return o;
}

order_accepted accepted(uint64_t id, nanos t = 0) {
  order_accepted e;
  e.cid = cid(id);
  e.oid = order_id{id + 1000};
  e.local_time = t;
  return e;
}

order_rejected rejected(uint64_t id, nanos t = 0) {
  order_rejected e;
  e.cid = cid(id);
  e.local_time = t;
  return e;
}

order_filled filled(uint64_t id, uint64_t tid, const char* q, nanos t = 0) {
  order_filled e;
  e.cid = cid(id);
  e.oid = order_id{id + 1000};
  e.tid = trade_id{tid};
  e.fill_px = price::from_units(100);
  e.fill_qty = qty(q);
  e.local_time = t;
  return e;
}

order_canceled canceled(uint64_t id, nanos t = 0) {
  order_canceled e;
  e.cid = cid(id);
  e.oid = order_id{id + 1000};
  e.local_time = t;
  return e;
}

order_status status_of(const order_tracker& t, uint64_t id) {
  auto* v = t.find(cid(id));
  REQUIRE(v != nullptr);
  return v->status;
}

} // namespace

TEST_CASE("an order goes pending_new, accepted, partially filled, filled") {
  order_tracker t;
  CHECK(t.on_new(new_order(1), 10) == track_outcome::ok);
  auto* v = t.find(cid(1));
  REQUIRE(v != nullptr);
  CHECK(v->status == order_status::pending_new);
  CHECK(v->created == 10);
  CHECK(v->strategy == "obi");
  CHECK(t.open_count() == 1);
  CHECK(t.on_accepted(accepted(1, 20)) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::accepted);
  CHECK(t.find(cid(1))->oid == order_id{1001});
  CHECK(t.on_fill(filled(1, 7, "0.4", 30)) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::partially_filled);
  CHECK(t.find(cid(1))->cum_qty == qty("0.4"));
  CHECK(t.on_fill(filled(1, 8, "0.6", 40)) == track_outcome::ok);
  v = t.find(cid(1));
  CHECK(v->status == order_status::filled);
  CHECK(v->cum_qty == qty("1"));
  CHECK(v->created == 10);
  CHECK(v->updated == 40);
  CHECK(t.open_count() == 0);
  CHECK(t.open_orders().empty());
  CHECK(t.fills_seen() == 2);
}

TEST_CASE("partial fills then a cancel end canceled with the fills kept") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1, "2"), 0) == track_outcome::ok);
  REQUIRE(t.on_accepted(accepted(1)) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 1, "0.5")) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 2, "0.25")) == track_outcome::ok);
  CHECK(t.on_cancel_requested(cid(1), 5) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::pending_cancel);
  CHECK(t.on_cancel_requested(cid(1), 6) == track_outcome::duplicate);
  CHECK(t.on_canceled(canceled(1, 7)) == track_outcome::ok);
  auto* v = t.find(cid(1));
  CHECK(v->status == order_status::canceled);
  CHECK(v->cum_qty == qty("0.75"));
  CHECK(v->updated == 7);
  CHECK(t.on_canceled(canceled(1)) == track_outcome::duplicate);
  CHECK(t.open_count() == 0);
}

TEST_CASE("a live duplicate client id is refused, a finished one starts anew") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  CHECK(t.on_new(new_order(1, "5"), 1) == track_outcome::duplicate);
  CHECK(t.find(cid(1))->qty == qty("1"));
  REQUIRE(t.on_rejected(rejected(1)) == track_outcome::ok);
  CHECK(t.on_new(new_order(1, "5"), 2) == track_outcome::ok);
  CHECK(t.find(cid(1))->qty == qty("5"));
  CHECK(t.find(cid(1))->status == order_status::pending_new);
  CHECK(t.size() == 1);
  CHECK(t.open_count() == 1);
}

TEST_CASE("a fill with a trade id already seen is ignored") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_accepted(accepted(1)) == track_outcome::ok);
  REQUIRE(t.on_fill(filled(1, 42, "0.3", 1)) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 42, "0.3", 2)) == track_outcome::duplicate_fill);
  CHECK(t.find(cid(1))->cum_qty == qty("0.3"));
  CHECK(t.find(cid(1))->updated == 1);
  CHECK(t.fills_seen() == 1);
  // The same trade id on another order is another execution.
  REQUIRE(t.on_new(new_order(2), 0) == track_outcome::ok);
  CHECK(t.on_fill(filled(2, 42, "0.3")) == track_outcome::ok);
}

TEST_CASE("a fill is known by its cumulative quantity: this run's, and what an adopted order had") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  auto f = filled(1, 42, "0.3", 1);
  f.cum_qty = qty("0.3");
  CHECK_FALSE(t.has_fill_at(cid(1), qty("0.3")));
  REQUIRE(t.on_fill(f) == track_outcome::ok);
  CHECK(t.has_fill_at(cid(1), qty("0.3")));
  CHECK_FALSE(t.has_fill_at(cid(1), qty("0.2"))); // out of order, not seen: not a duplicate
  CHECK_FALSE(t.has_fill_at(cid(1), qty("0.5")));
  CHECK_FALSE(t.has_fill_at(cid(1), quantity{}));  // a venue that sends no cumulative
  CHECK_FALSE(t.has_fill_at(cid(9), qty("0.3")));  // unknown order
  // Adopted with 0.4 filled: the journal holds every fill up to it.
  auto o = new_order(2);
  REQUIRE(t.adopt(o, order_id{77}, qty("0.4"), order_status::partially_filled, 0)
          == track_outcome::ok);
  CHECK(t.has_fill_at(cid(2), qty("0.1")));
  CHECK(t.has_fill_at(cid(2), qty("0.4")));
  CHECK_FALSE(t.has_fill_at(cid(2), qty("0.5")));
}

TEST_CASE("a fill that would exceed the ordered quantity is refused") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_fill(filled(1, 1, "0.7")) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 2, "0.30000001")) == track_outcome::overfill);
  CHECK(t.find(cid(1))->cum_qty == qty("0.7"));
  CHECK(t.find(cid(1))->status == order_status::partially_filled);
  CHECK(t.on_fill(filled(1, 3, "0")) == track_outcome::invalid_fill);
  CHECK(t.on_fill(filled(1, 3, "0.3")) == track_outcome::ok);
  CHECK(t.find(cid(1))->status == order_status::filled);
  CHECK(t.on_fill(filled(1, 4, "0.00000001")) == track_outcome::overfill);
  CHECK(t.fills_seen() == 2);
}

TEST_CASE("a fill before the accept counts as accepted plus fill") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 1, "0.5", 3)) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::partially_filled);
  CHECK(t.find(cid(1))->oid == order_id{1001});
  // The late accept changes nothing but is not an error; a second one is.
  CHECK(t.on_accepted(accepted(1, 4)) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::partially_filled);
  CHECK(t.on_accepted(accepted(1, 5)) == track_outcome::duplicate);
  // Completely filled before the accept: the late accept leaves it filled.
  REQUIRE(t.on_new(new_order(2), 0) == track_outcome::ok);
  CHECK(t.on_fill(filled(2, 1, "1")) == track_outcome::ok);
  CHECK(status_of(t, 2) == order_status::filled);
  CHECK(t.on_accepted(accepted(2)) == track_outcome::ok);
  CHECK(status_of(t, 2) == order_status::filled);
}

TEST_CASE("cancelling a filled order is an illegal transition") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_accepted(accepted(1)) == track_outcome::ok);
  REQUIRE(t.on_fill(filled(1, 1, "1")) == track_outcome::ok);
  CHECK(t.on_cancel_requested(cid(1), 1) == track_outcome::illegal_transition);
  CHECK(t.on_canceled(canceled(1)) == track_outcome::illegal_transition);
  CHECK(status_of(t, 1) == order_status::filled);
}

TEST_CASE("a fill after a cancel request still counts") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_accepted(accepted(1)) == track_outcome::ok);
  REQUIRE(t.on_cancel_requested(cid(1), 1) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 1, "0.4")) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::pending_cancel);
  CHECK(t.find(cid(1))->cum_qty == qty("0.4"));
  CHECK(t.on_fill(filled(1, 2, "0.6")) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::filled);
  CHECK(t.on_canceled(canceled(1)) == track_outcome::illegal_transition);
}

TEST_CASE("a fill trailing the cancel confirmation counts, status stays") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_cancel_requested(cid(1), 1) == track_outcome::ok);
  REQUIRE(t.on_canceled(canceled(1)) == track_outcome::ok);
  CHECK(t.on_fill(filled(1, 1, "0.2")) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::canceled);
  CHECK(t.find(cid(1))->cum_qty == qty("0.2"));
  CHECK(t.fills_seen() == 1);
}

TEST_CASE("a rejected order takes no fills, accepts or cancels") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  CHECK(t.on_rejected(rejected(1, 2)) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::rejected);
  CHECK(t.find(cid(1))->updated == 2);
  CHECK(t.on_rejected(rejected(1)) == track_outcome::duplicate);
  CHECK(t.on_fill(filled(1, 1, "0.1")) == track_outcome::illegal_transition);
  CHECK(t.on_accepted(accepted(1)) == track_outcome::illegal_transition);
  CHECK(t.on_canceled(canceled(1)) == track_outcome::illegal_transition);
  CHECK(t.on_cancel_requested(cid(1), 3) == track_outcome::illegal_transition);
  // An accepted order cannot be rejected afterwards.
  REQUIRE(t.on_new(new_order(2), 0) == track_outcome::ok);
  REQUIRE(t.on_accepted(accepted(2)) == track_outcome::ok);
  CHECK(t.on_rejected(rejected(2)) == track_outcome::illegal_transition);
  CHECK(t.open_count() == 1);
}

TEST_CASE("a refused cancel returns the order to its live status") {
  order_tracker t;
  REQUIRE(t.on_new(new_order(1), 0) == track_outcome::ok);
  REQUIRE(t.on_cancel_requested(cid(1), 1) == track_outcome::ok);
  CHECK(t.on_cancel_rejected(cid(1), 2) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::pending_new);
  REQUIRE(t.on_accepted(accepted(1)) == track_outcome::ok);
  REQUIRE(t.on_cancel_requested(cid(1), 3) == track_outcome::ok);
  CHECK(t.on_cancel_rejected(cid(1), 4) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::accepted);
  REQUIRE(t.on_fill(filled(1, 1, "0.5")) == track_outcome::ok);
  REQUIRE(t.on_cancel_requested(cid(1), 5) == track_outcome::ok);
  CHECK(t.on_cancel_rejected(cid(1), 6) == track_outcome::ok);
  CHECK(status_of(t, 1) == order_status::partially_filled);
  CHECK(t.on_cancel_rejected(cid(1), 7) == track_outcome::illegal_transition);
}

TEST_CASE("events for unknown orders are reported as unknown") {
  order_tracker t;
  CHECK(t.on_accepted(accepted(9)) == track_outcome::unknown_order);
  CHECK(t.on_rejected(rejected(9)) == track_outcome::unknown_order);
  CHECK(t.on_fill(filled(9, 1, "1")) == track_outcome::unknown_order);
  CHECK(t.on_cancel_requested(cid(9), 0) == track_outcome::unknown_order);
  CHECK(t.on_cancel_rejected(cid(9), 0) == track_outcome::unknown_order);
  CHECK(t.on_canceled(canceled(9)) == track_outcome::unknown_order);
  CHECK(t.find(cid(9)) == nullptr);
  CHECK(t.fills_seen() == 0);
  CHECK(std::string{to_string(track_outcome::overfill)} == "overfill");
}

TEST_CASE("open orders are listed oldest first, recent ones newest first") {
  order_tracker t;
  for (uint64_t i = 1; i <= 4; ++i)
    REQUIRE(t.on_new(new_order(i), static_cast<nanos>(i)) == track_outcome::ok);
  REQUIRE(t.on_canceled(canceled(2)) == track_outcome::ok);
  auto open = t.open_orders();
  REQUIRE(open.size() == 3);
  CHECK(open[0].cid == cid(1));
  CHECK(open[1].cid == cid(3));
  CHECK(open[2].cid == cid(4));
  auto last = t.recent(3);
  REQUIRE(last.size() == 3);
  CHECK(last[0].cid == cid(4));
  CHECK(last[1].cid == cid(3));
  CHECK(last[2].cid == cid(2));
  CHECK(last[2].status == order_status::canceled);
  CHECK(t.recent(10).size() == 4);
  CHECK(t.recent(0).empty());
}

TEST_CASE("finished orders beyond the bound are dropped, earliest first") {
  order_tracker t{2};
  for (uint64_t i = 1; i <= 5; ++i)
    REQUIRE(t.on_new(new_order(i), 0) == track_outcome::ok);
  // Finish 3, then 1, then 5, then 2: the two finished last are kept.
  REQUIRE(t.on_rejected(rejected(3)) == track_outcome::ok);
  REQUIRE(t.on_canceled(canceled(1)) == track_outcome::ok);
  REQUIRE(t.on_fill(filled(5, 1, "1")) == track_outcome::ok);
  CHECK(t.find(cid(3)) == nullptr);
  REQUIRE(t.on_canceled(canceled(2)) == track_outcome::ok);
  CHECK(t.find(cid(1)) == nullptr);
  CHECK(t.find(cid(5)) != nullptr);
  CHECK(t.find(cid(2)) != nullptr);
  CHECK(t.find(cid(4)) != nullptr); // open orders are never dropped
  CHECK(t.size() == 3);
  auto last = t.recent(10);
  REQUIRE(last.size() == 3);
  CHECK(last[0].cid == cid(5));
  CHECK(last[1].cid == cid(4));
  CHECK(last[2].cid == cid(2));
  CHECK(t.on_fill(filled(3, 2, "1")) == track_outcome::unknown_order);
  // Many more orders: memory stays at open + keep_terminal.
  for (uint64_t i = 100; i < 1'100; ++i) {
    REQUIRE(t.on_new(new_order(i), 0) == track_outcome::ok);
    REQUIRE(t.on_rejected(rejected(i)) == track_outcome::ok);
  }
  CHECK(t.size() == 3);
  CHECK(t.open_count() == 1);
}

namespace {

bool legal(order_status from, order_status to) {
  using s = order_status;
  if (from == to)
    return true;
  static const std::set<std::pair<s, s>> moves{
    {s::pending_new, s::accepted},        {s::pending_new, s::partially_filled},
    {s::pending_new, s::filled},          {s::pending_new, s::pending_cancel},
    {s::pending_new, s::rejected},        {s::pending_new, s::canceled},
    {s::accepted, s::partially_filled},   {s::accepted, s::filled},
    {s::accepted, s::pending_cancel},     {s::accepted, s::canceled},
    {s::partially_filled, s::filled},     {s::partially_filled, s::pending_cancel},
    {s::partially_filled, s::canceled},   {s::pending_cancel, s::filled},
    {s::pending_cancel, s::canceled},     {s::pending_cancel, s::rejected},
    {s::pending_cancel, s::pending_new},  {s::pending_cancel, s::accepted},
    {s::pending_cancel, s::partially_filled},
  };
  return moves.count({from, to}) == 1;
}

struct snapshot {
  order_status status;
  quantity cum;
};

} // namespace

TEST_CASE("random event sequences keep filled <= ordered and legal statuses") {
  std::mt19937_64 rng{20240611};
  auto pick = [&rng](uint64_t n) { return rng() % n; };
  uint64_t checked = 0;
  for (int seq = 0; seq < 10'000; ++seq) {
    order_tracker t;
    const uint64_t orders = 1 + pick(3);
    std::map<uint64_t, quantity> fills_sum; // our own sum of accepted fills
    const int events = 5 + static_cast<int>(pick(30));
    for (int k = 0; k < events; ++k) {
      uint64_t id = 1 + pick(orders);
      std::optional<snapshot> before;
      if (auto* v = t.find(cid(id)))
        before = snapshot{v->status, v->cum_qty};
      auto lots = static_cast<int64_t>(1 + pick(6)); // of 0.25, on 1 ordered
      auto fill_qty = quantity::from_raw(lots * fixed_scale / 4);
      track_outcome out{};
      bool fill_event = false;
      switch (pick(7)) {
        case 0: {
          auto o = new_order(id);
          out = t.on_new(o, k);
          if (out == track_outcome::ok) {
            fills_sum[id] = quantity{};
            before.reset(); // a new order, or a finished cid reused
          }
          break;
        }
        case 1:
          out = t.on_accepted(accepted(id, k));
          break;
        case 2:
          out = t.on_rejected(rejected(id, k));
          break;
        case 3: {
          auto e = filled(id, 1 + pick(4), "0", k);
          e.fill_qty = fill_qty;
          out = t.on_fill(e);
          fill_event = true;
          if (out == track_outcome::ok)
            fills_sum[id] += fill_qty;
          break;
        }
        case 4:
          out = t.on_cancel_requested(cid(id), k);
          break;
        case 5:
          out = t.on_cancel_rejected(cid(id), k);
          break;
        default:
          out = t.on_canceled(canceled(id, k));
          break;
      }
      auto* v = t.find(cid(id));
      if (v == nullptr) {
        REQUIRE(out == track_outcome::unknown_order);
        continue;
      }
      // filled <= ordered, and cum is exactly the sum of accepted fills.
      REQUIRE(v->cum_qty >= quantity{});
      REQUIRE(v->cum_qty <= v->qty);
      REQUIRE(v->cum_qty == fills_sum[id]);
      // Status and quantity agree.
      switch (v->status) {
        case order_status::pending_new:
        case order_status::accepted:
          REQUIRE(v->cum_qty.is_zero());
          break;
        case order_status::partially_filled:
          REQUIRE(v->cum_qty.is_positive());
          REQUIRE(v->cum_qty < v->qty);
          break;
        case order_status::filled:
          REQUIRE(v->cum_qty == v->qty);
          break;
        case order_status::rejected:
          REQUIRE(v->cum_qty.is_zero());
          break;
        default:
          break;
      }
      if (before) {
        // Only legal moves; anything but ok changes nothing; a terminal
        // status never changes.
        REQUIRE(legal(before->status, v->status));
        if (out != track_outcome::ok) {
          REQUIRE(v->status == before->status);
          REQUIRE(v->cum_qty == before->cum);
        }
        if (is_terminal(before->status))
          REQUIRE(v->status == before->status);
        if (!fill_event)
          REQUIRE(v->cum_qty == before->cum);
      } else {
        REQUIRE(v->status == order_status::pending_new);
      }
      ++checked;
    }
    // open_orders agrees with the statuses.
    size_t open = 0;
    for (const auto& v : t.recent(orders))
      open += is_terminal(v.status) ? 0 : 1;
    REQUIRE(t.open_count() == open);
    REQUIRE(t.open_orders().size() == open);
  }
  CHECK(checked > 100'000);
}
