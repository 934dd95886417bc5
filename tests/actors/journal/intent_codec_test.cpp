// What a gateway writes to its intent log reads back as the same message;
// a payload that is not exactly one message of its kind is refused; and the
// journal takes an order handed over twice once.

#include "actors/journal/intent_codec.hpp"

#include <catch2/catch.hpp>

#include "journal_test_support.hpp"

using namespace agora;
using namespace agora::journal;
using namespace agora::journal::test;

namespace {

intent_record as_record(const intent& x, uint64_t seq) {
  std::vector<char> buf;
  encode_intent(x, buf);
  return intent_record{seq, kind_of(x), std::string{buf.data(), buf.size()}};
}

} // namespace

TEST_CASE("an order and a fill read back from their intent payloads field for field",
          "[intent_log]") {
  auto o = make_order(77, "BTCUSDT", side::sell, "65000.5", "0.125", "bn-usdm", "mr-perp");
  o.type = order_type::limit;
  o.tif = time_in_force::ioc;
  o.reduce_only = true;
  o.emergency = true;
  o.local_time = 1'733'000'000'123'456'789;
  auto f = make_fill(o, 4242, "0.05", "0.075", "0.05", 1'733'000'000'200'000'000);
  f.liq = liquidity::taker;

  auto ro = as_record(o, 1);
  CHECK(ro.kind == intent_kind::order);
  std::string err;
  auto back = decode_intent(ro, &err);
  INFO(err);
  REQUIRE(back);
  REQUIRE(std::holds_alternative<submit_order>(*back));
  auto& o2 = std::get<submit_order>(*back);
  CHECK(o2.cid == o.cid);
  CHECK(o2.venue == o.venue);
  CHECK(o2.symbol == o.symbol);
  CHECK(o2.sd == o.sd);
  CHECK(o2.type == o.type);
  CHECK(o2.tif == o.tif);
  CHECK(o2.px == o.px);
  CHECK(o2.qty == o.qty);
  CHECK(o2.reduce_only);
  CHECK(o2.emergency);
  CHECK(o2.strategy == "mr-perp");
  CHECK(o2.local_time == o.local_time);

  auto rf = as_record(f, 2);
  CHECK(rf.kind == intent_kind::fill);
  auto fb = decode_intent(rf, &err);
  REQUIRE(fb);
  REQUIRE(std::holds_alternative<order_filled>(*fb));
  auto& f2 = std::get<order_filled>(*fb);
  CHECK(f2.cid == f.cid);
  CHECK(f2.oid == f.oid);
  CHECK(f2.tid == f.tid);
  CHECK(f2.fill_px == f.fill_px);
  CHECK(f2.fill_qty == f.fill_qty);
  CHECK(f2.cum_qty == f.cum_qty);
  CHECK(f2.leaves_qty == f.leaves_qty);
  CHECK(f2.fee == f.fee);
  CHECK(f2.liq == liquidity::taker);
  CHECK(f2.venue_time == f.venue_time);
  CHECK(f2.local_time == f.local_time);
}

TEST_CASE("an intent payload that is not one whole message of its kind is refused",
          "[intent_log]") {
  auto o = make_order(5, "ETHUSDT", side::buy, "3000", "1");
  auto r = as_record(o, 9);
  std::string err;
  SECTION("cut short") {
    r.payload.resize(r.payload.size() - 3);
    CHECK_FALSE(decode_intent(r, &err));
    CHECK(err.find("intent 9") == 0);
  }
  SECTION("bytes after the message") {
    r.payload += "xyz";
    CHECK_FALSE(decode_intent(r, &err));
    CHECK(err.find("3 bytes after the message") != std::string::npos);
  }
  SECTION("a kind this build does not know") {
    r.kind = static_cast<intent_kind>(7);
    CHECK_FALSE(decode_intent(r, &err));
    CHECK(err.find("unknown kind 7") != std::string::npos);
  }
}

TEST_CASE("an order handed to the journal twice is stored once", "[intent_log]") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto o = make_order(11, "BTCUSDT", side::buy, "65000", "1");
  j->begin();
  CHECK(j->order_new_once(o, 1, 1000) == journal::db::once::inserted);
  CHECK(j->order_new_once(o, 1, 2000) == journal::db::once::known);
  // The same client id for another order: refused, the first row stays.
  auto other = make_order(11, "BTCUSDT", side::buy, "65000", "2");
  CHECK(j->order_new_once(other, 1, 3000) == journal::db::once::conflict);
  CHECK(j->fill(make_fill(o, 1, "0.4", "0.4", "0.6", 1100)));
  CHECK_FALSE(j->fill(make_fill(o, 1, "0.4", "0.4", "0.6", 1100))); // the fill again
  j->commit();
  auto n = j->counts();
  CHECK(n["orders"] == 1);
  CHECK(n["fills"] == 1);
  CHECK(j->order(o.venue, o.cid)->view.created == 1000);
  CHECK(j->order(o.venue, o.cid)->view.qty == o.qty);
}
