#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "actors/control/api_json.hpp"

using namespace agora;

namespace {

price px(const char* s) {
  return price::parse(s).value();
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

notional cash(const char* s) {
  return notional::parse(s).value();
}

} // namespace

TEST_CASE("fills render with decimals as strings and ids as numbers") {
  order_filled f;
  f.cid = client_order_id{42};
  f.oid = order_id{9001};
  f.venue = venue_id{"bn-spot"};
  f.symbol = symbol_id{"BTCUSDT"};
  f.sd = side::sell;
  f.tid = trade_id{77};
  f.fill_px = px("65000.1");
  f.fill_qty = qty("0.002");
  f.cum_qty = qty("0.003");
  f.leaves_qty = qty("0.001");
  f.fee = cash("0.13");
  f.liq = liquidity::maker;
  f.strategy = "mr:BTCUSDT";
  f.venue_time = 1'700'000'000'123'000'000;
  f.local_time = 1'700'000'000'124'000'000;
  CHECK(to_json(std::vector<order_filled>{f})
        == R"({"fills":[{"time_ns":1700000000123000000,"venue":"bn-spot",)"
           R"("symbol":"BTCUSDT","cid":42,"oid":9001,"tid":77,"side":"sell",)"
           R"("px":"65000.1","qty":"0.002","cum_qty":"0.003","leaves_qty":"0.001",)"
           R"("fee":"0.13","liquidity":"maker","strategy":"mr:BTCUSDT"}]})");
}

TEST_CASE("a fill without venue time shows its local time") {
  order_filled f;
  f.local_time = 5;
  auto j = to_json(std::vector<order_filled>{f});
  CHECK(j.find(R"("time_ns":5,)") != std::string::npos);
}

TEST_CASE("no fills render as an empty list") {
  CHECK(to_json(std::vector<order_filled>{}) == R"({"fills":[]})");
}

TEST_CASE("signals render bools, numbers and an escaped reason") {
  signal_record acted{1000, "mr:ETHUSDT", venue_id{"sim"}, symbol_id{"ETHUSDT"},
                      "entry_long", -2.25, 0.5, true, ""};
  signal_record blocked{2000, "mr:ETHUSDT", venue_id{"sim"},
                        symbol_id{"ETHUSDT"}, "intent_denied", 1.5, -0.125,
                        false, "risk said \"no\"\nPOSITION_CAP \\ 2"};
  CHECK(to_json(std::vector<signal_record>{acted, blocked})
        == R"({"signals":[{"time_ns":1000,"strategy":"mr:ETHUSDT","venue":"sim",)"
           R"("symbol":"ETHUSDT","name":"entry_long","z":-2.25,"rho":0.5,)"
           R"("acted":true,"why":""},{"time_ns":2000,"strategy":"mr:ETHUSDT",)"
           R"("venue":"sim","symbol":"ETHUSDT","name":"intent_denied","z":1.5,)"
           R"("rho":-0.125,"acted":false,)"
           R"("why":"risk said \"no\"\nPOSITION_CAP \\ 2"}]})");
}

TEST_CASE("a signal with a non-finite z renders null instead of broken JSON") {
  signal_record s;
  s.z = std::numeric_limits<double>::quiet_NaN();
  s.rho = std::numeric_limits<double>::infinity();
  CHECK(to_json(std::vector<signal_record>{s})
        == R"({"signals":[{"time_ns":0,"strategy":"","venue":"","symbol":"",)"
           R"("name":"","z":null,"rho":null,"acted":false,"why":""}]})");
}

TEST_CASE("pnl renders the snapshots and the live figures") {
  pnl_record p{60'000'000'000, cash("12.5"), cash("-3.25"), cash("1000"),
               cash("0.75")};
  status_report live;
  live.realized_pnl = cash("13");
  live.unrealized_pnl = cash("-0.00000001");
  live.gross_exposure = cash("0");
  CHECK(pnl_json({p}, live)
        == R"({"snapshots":[{"time_ns":60000000000,"realized":"12.5",)"
           R"("unrealized":"-3.25","gross_exposure":"1000","fees":"0.75"}],)"
           R"("live":{"realized":"13","unrealized":"-0.00000001",)"
           R"("gross_exposure":"0"}})");
}

TEST_CASE("reconcile renders venues, differences with signed diff, records and state") {
  reconcile_report clean;
  clean.venue = venue_id{"bn-spot"};
  clean.time = 10;
  clean.complete = true;
  clean.startup = true;
  clean.orders_recovered = 3;
  clean.orphans_canceled = 1;
  reconcile_report off;
  off.venue = venue_id{"bn-usdm"};
  off.time = 20;
  off.complete = true;
  off.differences.push_back(
    reconcile_difference{off.venue, "BTCUSDT", qty("1"), qty("0.5")});
  reconcile_report unread;
  unread.venue = venue_id{"sim"};
  unread.error = "not reconciled yet";
  reconcile_record rec{30, venue_id{"bn-usdm"}, "mismatch", "BTCUSDT",
                       qty("1"),   qty("0.5"),  "manual \"trade\"?", "risk"};
  status_report st;
  st.state = trading_state::halted;
  st.state_reason = "reconciliation mismatch";
  CHECK(reconcile_json({clean, off, unread}, {rec}, st)
        == R"({"venues":[{"venue":"bn-spot","time_ns":10,"complete":true,"error":"",)"
           R"("startup":true,"orders_recovered":3,"orphans_canceled":1,)"
           R"("fills_recovered":0,"differences":[]},)"
           R"({"venue":"bn-usdm","time_ns":20,"complete":true,"error":"",)"
           R"("startup":false,"orders_recovered":0,"orphans_canceled":0,)"
           R"("fills_recovered":0,"differences":[{"key":"BTCUSDT","journal":"1",)"
           R"("venue":"0.5","diff":"-0.5"}]},)"
           R"({"venue":"sim","time_ns":0,"complete":false,)"
           R"("error":"not reconciled yet","startup":false,"orders_recovered":0,)"
           R"("orphans_canceled":0,"fills_recovered":0,"differences":[]}],)"
           R"("recent":[{"time_ns":30,"venue":"bn-usdm","action":"mismatch",)"
           R"("key":"BTCUSDT","expected":"1","actual":"0.5",)"
           R"("detail":"manual \"trade\"?","by":"risk"}],)"
           R"("trading":"HALTED","reason":"reconciliation mismatch"})");
}

TEST_CASE("a difference too large for 64 bits says so instead of overflowing") {
  reconcile_report r;
  r.venue = venue_id{"x"};
  r.complete = true;
  r.differences.push_back(reconcile_difference{
    r.venue, "K", quantity::from_raw(-fixed_max_raw), quantity::max()});
  auto j = reconcile_json({r}, {}, status_report{});
  CHECK(j.find(R"("diff":"out of range")") != std::string::npos);
}

TEST_CASE("the order history reuses the orders shape") {
  order_view v;
  v.cid = client_order_id{5};
  v.oid = order_id{6};
  v.venue = venue_id{"sim"};
  v.symbol = symbol_id{"BTCUSDT"};
  v.px = px("100.5");
  v.qty = qty("2");
  v.status = order_status::filled;
  v.cum_qty = qty("2");
  v.strategy = "mr:BTCUSDT";
  v.created = 1;
  v.updated = 2;
  CHECK(to_json(orders_report{{v}})
        == R"({"orders":[{"cid":5,"oid":6,"venue":"sim","symbol":"BTCUSDT",)"
           R"("side":"buy","type":"limit","tif":"gtc","price":"100.5","qty":"2",)"
           R"("cum_qty":"2","status":"filled","strategy":"mr:BTCUSDT",)"
           R"("created_ns":1,"updated_ns":2}]})");
}
