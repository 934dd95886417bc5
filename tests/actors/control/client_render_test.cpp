#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "actors/control/api_json.hpp"
#include "actors/control/client_render.hpp"

using namespace agora;

namespace {

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

notional cash(const char* s) {
  return notional::parse(s).value();
}

reconcile_report clean_spot() {
  reconcile_report r;
  r.venue = venue_id{"bn-spot"};
  r.complete = true;
  r.startup = true;
  r.orders_recovered = 3;
  r.orphans_canceled = 1;
  return r;
}

reconcile_report usdm_off() {
  reconcile_report r;
  r.venue = venue_id{"bn-usdm"};
  r.complete = true;
  r.differences.push_back(reconcile_difference{r.venue, "BTC", qty("1"), qty("1.5")});
  return r;
}

reconcile_report sim_unread() {
  reconcile_report r;
  r.venue = venue_id{"sim"};
  r.error = "not reconciled yet";
  return r;
}

status_report halted() {
  status_report s;
  s.state = trading_state::halted;
  s.state_reason = "reconciliation mismatch";
  return s;
}

} // namespace

TEST_CASE("times print as UTC with milliseconds") {
  CHECK(format_utc_ms(1'700'000'000'123'456'789) == "2023-11-14 22:13:20.123");
  CHECK(format_utc_ms(951'782'400 * ns_per_s) == "2000-02-29 00:00:00.000");
  CHECK(format_utc_ms(1) == "1970-01-01 00:00:00.000");
  CHECK(format_utc_ms(0) == "-");
}

TEST_CASE("decimals print with exactly eight places") {
  CHECK(format_decimal8("1") == "1.00000000");
  CHECK(format_decimal8("-0.5") == "-0.50000000");
  CHECK(format_decimal8("65000.12345678") == "65000.12345678");
  CHECK(format_decimal8("n/a") == "n/a");
}

TEST_CASE("fills print as a table, newest first as the API gave them") {
  order_filled f;
  f.cid = client_order_id{42};
  f.venue = venue_id{"bn-spot"};
  f.symbol = symbol_id{"BTCUSDT"};
  f.sd = side::sell;
  f.fill_px = price::parse("65000.1").value();
  f.fill_qty = qty("0.002");
  f.fee = cash("0.13");
  f.liq = liquidity::maker;
  f.strategy = "mr:BTCUSDT";
  f.venue_time = 1'700'000'000'123'000'000;
  auto doc = parse(to_json(std::vector<order_filled>{f}));
  CHECK(render_fills(doc)
        == "TIME (UTC)              VENUE    SYMBOL       SIDE            QTY  "
           "           PX          FEE LIQ   CID                  STRATEGY\n"
           "2023-11-14 22:13:20.123 bn-spot  BTCUSDT      sell          0.002  "
           "      65000.1         0.13 maker 42                   mr:BTCUSDT\n");
  auto none = parse(to_json(std::vector<order_filled>{}));
  CHECK(render_fills(none).ends_with("\n(no fills)\n"));
}

TEST_CASE("signals print acted and blocked ones with why") {
  std::vector<signal_record> s{
    {1 * ns_per_s, "mr:ETHUSDT", venue_id{"sim"}, symbol_id{"ETHUSDT"},
     "entry_long", -2.25, 0.5, true, ""},
    {2 * ns_per_s, "mr:ETHUSDT", venue_id{"sim"}, symbol_id{"ETHUSDT"},
     "intent_denied", 1.5, -0.126, false, "POSITION_CAP"}};
  CHECK(render_signals(parse(to_json(s)))
        == "TIME (UTC)              STRATEGY         SYMBOL       NAME          "
           "       Z    RHO ACTED WHY\n"
           "1970-01-01 00:00:01.000 mr:ETHUSDT       ETHUSDT      entry_long    "
           "   -2.25   0.50 yes\n"
           "1970-01-01 00:00:02.000 mr:ETHUSDT       ETHUSDT      intent_denied "
           "    1.50  -0.13 no    POSITION_CAP\n");
}

TEST_CASE("pnl prints the live figures before the snapshots") {
  status_report live;
  live.realized_pnl = cash("13");
  live.unrealized_pnl = cash("-0.5");
  live.gross_exposure = cash("250");
  std::vector<pnl_record> snaps{
    {60 * ns_per_s, cash("12.5"), cash("-3.25"), cash("1000"), cash("0.75")}};
  CHECK(render_pnl(parse(pnl_json(snaps, live)))
        == "realized pnl   13\n"
           "unrealized pnl -0.5\n"
           "gross exposure 250\n"
           "\n"
           "TIME (UTC)                    REALIZED     UNREALIZED GROSS EXPOSURE"
           "         FEES\n"
           "1970-01-01 00:01:00.000           12.5          -3.25           1000"
           "         0.75\n");
}

TEST_CASE("reconcile prints each venue's verdict, the differences and the records") {
  reconcile_record rec{1'700'000'000 * ns_per_s, venue_id{"bn-usdm"}, "mismatch",
                       "BTC", qty("1"), qty("1.5"), "manual trade?", "risk"};
  auto doc = parse(reconcile_json({clean_spot(), usdm_off(), sim_unread()},
                                  {rec}, halted()));
  CHECK(render_reconcile(doc)
        == "bn-spot  OK (startup, 3 orders recovered, 1 orphan cancelled)\n"
           "bn-usdm  MISMATCH\n"
           "  BTC  journal 1.00000000  venue 1.50000000  (venue +0.5)\n"
           "sim      INCOMPLETE: not reconciled yet\n"
           "\n"
           "trading HALTED (reconciliation mismatch)\n"
           "\n"
           "recent reconciliation records:\n"
           "TIME (UTC)              VENUE    ACTION           KEY              "
           "EXPECTED         ACTUAL BY     DETAIL\n"
           "2023-11-14 22:13:20.000 bn-usdm  mismatch         BTC              "
           "       1            1.5 risk   manual trade?\n");
  CHECK(verdict_of(doc) == reconcile_verdict::mismatch);
  CHECK(exit_code(verdict_of(doc)) == 5);
}

TEST_CASE("a venue short of the journal shows a negative difference") {
  reconcile_report r;
  r.venue = venue_id{"bn-usdm"};
  r.complete = true;
  r.fills_recovered = 2;
  r.differences.push_back(reconcile_difference{r.venue, "ETHUSDT", qty("2"), qty("0.25")});
  r.differences.push_back(reconcile_difference{r.venue, "BTC", qty("0"), qty("10")});
  auto doc = parse(reconcile_json({r}, {}, status_report{}));
  CHECK(render_reconcile(doc)
        == "bn-usdm  MISMATCH (2 fills recovered)\n"
           "  ETHUSDT  journal 2.00000000  venue  0.25000000  (venue -1.75)\n"
           "  BTC      journal 0.00000000  venue 10.00000000  (venue +10)\n"
           "\n"
           "trading ACTIVE\n"
           "\n"
           "recent reconciliation records: none\n");
}

TEST_CASE("exit codes: 0 when clean, 4 when a venue is unread, 3 on any mismatch") {
  auto verdict = [](std::vector<reconcile_report> v) {
    return verdict_of(parse(reconcile_json(v, {}, status_report{})));
  };
  CHECK(verdict({clean_spot()}) == reconcile_verdict::clean);
  CHECK(verdict({}) == reconcile_verdict::clean);
  CHECK(verdict({clean_spot(), sim_unread()}) == reconcile_verdict::incomplete);
  CHECK(verdict({sim_unread(), usdm_off()}) == reconcile_verdict::mismatch);
  CHECK(exit_code(reconcile_verdict::clean) == 0);
  CHECK(exit_code(reconcile_verdict::incomplete) == 6);
  CHECK(exit_code(reconcile_verdict::mismatch) == 5);
}

TEST_CASE("a clean venue with nothing recovered is just OK") {
  reconcile_report r;
  r.venue = venue_id{"sim"};
  r.complete = true;
  auto doc = parse(reconcile_json({r}, {}, status_report{}));
  CHECK(render_reconcile(doc).starts_with("sim  OK\n"));
}
