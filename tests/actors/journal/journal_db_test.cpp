#include <catch2/catch.hpp>

#include <limits>

#include "actors/journal/journal_db.hpp"
#include "tests/actors/journal/journal_test_support.hpp"

using namespace agora;
using namespace agora::journal;
using namespace agora::journal::test;

namespace {

const venue_id sim{"sim"};

std::string kinds_of(raw_connection& raw, uint64_t cid) {
  return raw
    .text("SELECT group_concat(kind, ',') FROM (SELECT kind FROM order_events "
          "WHERE cid = " + std::to_string(cid) + " ORDER BY id)")
    .value_or("");
}

std::string statuses_of(raw_connection& raw, uint64_t cid) {
  return raw
    .text("SELECT group_concat(ifnull(status, 'NULL'), ',') FROM (SELECT status "
          "FROM order_events WHERE cid = " + std::to_string(cid)
          + " ORDER BY id)")
    .value_or("");
}

order_status status_of(db& j, const submit_order& o) {
  auto row = j.order(o.venue, o.cid);
  REQUIRE(row);
  return row->view.status;
}

} // namespace

TEST_CASE("an order moves from new through a partial fill to filled and then "
          "leaves the open orders") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto run = j->start_run(100, 4242, "0.1.0");
  REQUIRE(run == 1);

  auto o = make_order(1, "BTCUSDT", side::buy, "65000.10", "0.5");
  j->order_new(o, run, 1000);
  auto open = j->open_orders(sim);
  REQUIRE(open.size() == 1);
  CHECK(open[0].view.status == order_status::pending_new);
  CHECK(open[0].view.cum_qty.raw() == 0);
  CHECK(open[0].view.px.raw() == 6'500'010'000'000);
  CHECK(open[0].view.qty.raw() == 50'000'000);
  CHECK(open[0].view.created == 1000);
  CHECK(open[0].view.updated == 1000);
  CHECK(open[0].view.oid.value == 0);
  CHECK(open[0].run == 1);

  j->order_accepted(make_accept(o, 9001, 2000));
  auto row = j->order(sim, o.cid);
  REQUIRE(row);
  CHECK(row->view.status == order_status::accepted);
  CHECK(row->view.oid.value == 9001);
  CHECK(row->view.updated == 2000);
  CHECK(row->view.created == 1000);

  CHECK(j->fill(make_fill(o, 1, "0.2", "0.2", "0.3", 3000)));
  row = j->order(sim, o.cid);
  CHECK(row->view.status == order_status::partially_filled);
  CHECK(row->view.cum_qty.raw() == 20'000'000);
  CHECK(j->open_orders(sim).size() == 1);

  CHECK(j->fill(make_fill(o, 2, "0.3", "0.5", "0", 4000)));
  row = j->order(sim, o.cid);
  CHECK(row->view.status == order_status::filled);
  CHECK(row->view.cum_qty.raw() == 50'000'000);
  CHECK(row->view.updated == 4000);
  CHECK(j->open_orders(sim).empty());

  auto n = j->counts();
  CHECK(n["orders"] == 1);
  CHECK(n["order_events"] == 4);
  CHECK(n["fills"] == 2);
  CHECK(n["runs"] == 1);

  raw_connection raw{d.file("j.db")};
  CHECK(kinds_of(raw, 1) == "new,accepted,filled,filled");
  CHECK(statuses_of(raw, 1) == "pending_new,accepted,partially_filled,filled");
  CHECK(raw.text("SELECT detail FROM order_events WHERE kind = 'new'")
        == "buy 0.5 BTCUSDT @ 65000.1 limit gtc");
}

TEST_CASE("a repeated fill is stored once and a fill for an unknown order is "
          "still stored") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto o = make_order(1, "BTCUSDT", side::buy, "65000", "0.5");
  j->order_new(o, 1, 1000);
  j->order_accepted(make_accept(o, 9001, 1100));

  auto f = make_fill(o, 7, "0.2", "0.2", "0.3", 3000);
  CHECK(j->fill(f));
  CHECK_FALSE(j->fill(f));
  // Same (venue, cid, cum_qty) under another trade id: still the same fill.
  auto again = f;
  again.tid = trade_id{8};
  CHECK_FALSE(j->fill(again));
  auto n = j->counts();
  CHECK(n["fills"] == 1);
  CHECK(n["order_events"] == 3);
  CHECK(j->order(sim, o.cid)->view.cum_qty.raw() == 20'000'000);

  auto ghost = make_order(99, "ETHUSDT", side::sell, "3000", "1");
  CHECK(j->fill(make_fill(ghost, 9, "1", "1", "0", 5000)));
  n = j->counts();
  CHECK(n["fills"] == 2);
  CHECK(n["orders"] == 1);
  CHECK(n["order_events"] == 4);
  CHECK_FALSE(j->order(sim, ghost.cid));
  auto all = j->all_fills();
  REQUIRE(all.size() == 2);
  CHECK(all[0].cid.value == 1);
  CHECK(all[1].cid.value == 99);
  CHECK(all[1].symbol == symbol_id{"ETHUSDT"});
  CHECK(all[1].sd == side::sell);
  CHECK(all[1].cum_qty.raw() == 100'000'000);
}

TEST_CASE("a refused cancel restores accepted or partially filled and a "
          "terminal order never moves back") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));

  // A: accepted, cancel refused -> accepted again.
  auto a = make_order(1, "BTCUSDT", side::buy, "65000", "0.5");
  j->order_new(a, 1, 1000);
  j->order_accepted(make_accept(a, 9001, 1100));
  j->cancel_requested(make_cancel(a, 1200));
  CHECK(status_of(*j, a) == order_status::pending_cancel);
  j->order_rejected(make_reject(a, 1300, "unknown order sent"));
  CHECK(status_of(*j, a) == order_status::accepted);

  // B: partly filled, a fill while the cancel is pending, cancel refused.
  auto b = make_order(2, "BTCUSDT", side::sell, "65100", "0.5");
  j->order_new(b, 1, 2000);
  j->order_accepted(make_accept(b, 9002, 2100));
  CHECK(j->fill(make_fill(b, 21, "0.1", "0.1", "0.4", 2200)));
  j->cancel_requested(make_cancel(b, 2300));
  CHECK(j->fill(make_fill(b, 22, "0.1", "0.2", "0.3", 2400)));
  CHECK(status_of(*j, b) == order_status::pending_cancel);
  j->order_rejected(make_reject(b, 2500));
  CHECK(status_of(*j, b) == order_status::partially_filled);
  CHECK(j->order(sim, b.cid)->view.cum_qty.raw() == 20'000'000);

  // C: canceled; a late accept, reject or cancel request changes nothing.
  auto c = make_order(3, "BTCUSDT", side::buy, "64000", "1");
  j->order_new(c, 1, 3000);
  j->order_accepted(make_accept(c, 9003, 3100));
  j->cancel_requested(make_cancel(c, 3200));
  j->order_canceled(make_canceled(c, "0", 3300));
  CHECK(status_of(*j, c) == order_status::canceled);
  j->order_accepted(make_accept(c, 9003, 3400));
  j->order_rejected(make_reject(c, 3500));
  j->cancel_requested(make_cancel(c, 3600));
  CHECK(status_of(*j, c) == order_status::canceled);
  CHECK(j->order(sim, c.cid)->view.updated == 3600);

  // D: cancel requested before the venue answered (no oid): the reject is
  // the order's own.
  auto dd = make_order(4, "ETHUSDT", side::buy, "3000", "2");
  j->order_new(dd, 1, 4000);
  j->cancel_requested(make_cancel(dd, 4100));
  j->order_rejected(make_reject(dd, 4200));
  CHECK(status_of(*j, dd) == order_status::rejected);

  // E: expired by the venue after a partial fill; the cancel carries cum.
  auto e = make_order(5, "ETHUSDT", side::sell, "3100", "2");
  j->order_new(e, 1, 5000);
  j->order_accepted(make_accept(e, 9005, 5100));
  j->order_canceled(make_canceled(e, "0.75", 5200, cancel_reason::expired));
  auto row = j->order(sim, e.cid);
  CHECK(row->view.status == order_status::expired);
  CHECK(row->view.cum_qty.raw() == 75'000'000);
  CHECK(row->view.oid.value == 9005);

  // A fully filled order is not canceled by a late cancel.
  auto f = make_order(6, "ETHUSDT", side::buy, "3000", "1");
  j->order_new(f, 1, 6000);
  CHECK(j->fill(make_fill(f, 61, "1", "1", "0", 6100)));
  j->order_canceled(make_canceled(f, "1", 6200));
  CHECK(status_of(*j, f) == order_status::filled);

  // An unknown order: only the event row.
  auto ghost = make_order(77, "BTCUSDT", side::buy, "1", "1");
  auto before = j->counts();
  j->order_rejected(make_reject(ghost, 7000, "no such order"));
  auto after = j->counts();
  CHECK(after["orders"] == before["orders"]);
  CHECK(after["order_events"] == before["order_events"] + 1);

  auto open = j->open_orders(sim);
  REQUIRE(open.size() == 2);
  CHECK(open[0].view.cid.value == 1);
  CHECK(open[1].view.cid.value == 2);

  raw_connection raw{d.file("j.db")};
  CHECK(kinds_of(raw, 1) == "new,accepted,cancel_requested,cancel_rejected");
  CHECK(raw.text("SELECT detail FROM order_events WHERE cid = 1 AND kind = "
                 "'cancel_rejected'")
        == "VENUE_REJECTED: unknown order sent");
  CHECK(kinds_of(raw, 2)
        == "new,accepted,filled,cancel_requested,filled,cancel_rejected");
  CHECK(statuses_of(raw, 3)
        == "pending_new,accepted,pending_cancel,canceled,canceled,canceled,"
           "canceled");
  CHECK(kinds_of(raw, 4) == "new,cancel_requested,rejected");
  CHECK(statuses_of(raw, 77) == "NULL");
}

TEST_CASE("order_closed ends a live order and leaves a terminal one alone") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto a = make_order(1, "BTCUSDT", side::buy, "65000", "0.5");
  auto b = make_order(2, "BTCUSDT", side::buy, "65000", "0.5");
  j->order_new(a, 1, 1000);
  j->order_new(b, 1, 1000);
  j->order_accepted(make_accept(a, 9001, 1100));
  CHECK(j->fill(make_fill(b, 1, "0.5", "0.5", "0", 1200)));
  j->order_closed(sim, a.cid, order_status::canceled, "venue lost it", 2000);
  j->order_closed(sim, b.cid, order_status::canceled, "venue lost it", 2000);
  CHECK(status_of(*j, a) == order_status::canceled);
  CHECK(j->order(sim, a.cid)->view.updated == 2000);
  CHECK(status_of(*j, b) == order_status::filled);
  CHECK(j->open_orders(sim).empty());
  raw_connection raw{d.file("j.db")};
  CHECK(kinds_of(raw, 1) == "new,accepted,closed");
  CHECK(raw.text("SELECT detail FROM order_events WHERE cid = 1 AND kind = "
                 "'closed'")
        == "venue lost it");
}

TEST_CASE("net fills sum buys minus sells per symbol and adjustments sum "
          "per key over baselines") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto b1 = make_order(1, "BTCUSDT", side::buy, "65000", "0.5");
  auto s1 = make_order(2, "BTCUSDT", side::sell, "65100", "0.15");
  auto s2 = make_order(3, "ETHUSDT", side::sell, "3000", "2");
  auto b2 = make_order(4, "ETHUSDT", side::buy, "2990", "0.75");
  auto other = make_order(5, "BTCUSDT", side::buy, "65000", "1", "binance");
  CHECK(j->fill(make_fill(b1, 1, "0.2", "0.2", "0.3", 1000)));
  CHECK(j->fill(make_fill(b1, 2, "0.3", "0.5", "0", 1100)));
  CHECK(j->fill(make_fill(s1, 3, "0.15", "0.15", "0", 1200)));
  CHECK(j->fill(make_fill(s2, 4, "2", "2", "0", 1300)));
  CHECK(j->fill(make_fill(b2, 5, "0.75", "0.75", "0", 1400)));
  CHECK(j->fill(make_fill(other, 6, "1", "1", "0", 1500)));

  // BTC: 0.2 + 0.3 - 0.15 = 0.35; ETH: 0.75 - 2 = -1.25.
  auto net = j->net_fills(sim);
  REQUIRE(net.size() == 2);
  CHECK(net[symbol_id{"BTCUSDT"}].raw() == 35'000'000);
  CHECK(net[symbol_id{"ETHUSDT"}].raw() == -125'000'000);
  CHECK(j->net_fills(venue_id{"binance"})[symbol_id{"BTCUSDT"}].raw()
        == 100'000'000);
  CHECK(j->all_fills(sim).size() == 5);
  CHECK(j->all_fills().size() == 6);

  j->set_baseline(sim, "BTC", qty("1.5"), 10);
  j->set_baseline(sim, "BTC", qty("2.25"), 20);
  j->set_baseline(sim, "ETHUSDT", qty("-0.5"), 20);
  j->set_baseline(venue_id{"binance"}, "BTC", qty("7"), 20);
  auto base = j->baselines(sim);
  REQUIRE(base.size() == 2);
  CHECK(base["BTC"].raw() == 225'000'000);
  CHECK(base["ETHUSDT"].raw() == -50'000'000);

  j->add_adjustment(sim, "BTC", qty("0.1"), "ops", 30);
  j->add_adjustment(sim, "BTC", qty("-0.35"), "ops", 40);
  j->add_adjustment(sim, "ETHUSDT", qty("2"), "ops", 50);
  j->add_adjustment(venue_id{"binance"}, "BTC", qty("5"), "ops", 60);
  auto adj = j->adjustments(sim);
  REQUIRE(adj.size() == 2);
  CHECK(adj["BTC"].raw() == -25'000'000);
  CHECK(adj["ETHUSDT"].raw() == 200'000'000);
  auto n = j->counts();
  CHECK(n["baselines"] == 3);
  CHECK(n["adjustments"] == 4);
}

TEST_CASE("bars beyond the newest N of a strategy are pruned and come back "
          "oldest first") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  for (int t = 1; t <= 7; ++t)
    j->bar(bar_record{"pairs", t * 60, price::from_units(100 + t)}, 3);
  j->bar(bar_record{"other", 60, price::from_units(1)}, 3);
  // An older bar than the kept window is pruned at once.
  j->bar(bar_record{"pairs", 2 * 60, price::from_units(999)}, 3);

  auto bars = j->bars("pairs", 10);
  REQUIRE(bars.size() == 3);
  CHECK(bars[0].time == 300);
  CHECK(bars[1].time == 360);
  CHECK(bars[2].time == 420);
  CHECK(bars[0].close == price::from_units(105));
  CHECK(bars[2].close == price::from_units(107));
  CHECK(bars[2].strategy == "pairs");
  auto last2 = j->bars("pairs", 2);
  REQUIRE(last2.size() == 2);
  CHECK(last2[0].time == 360);
  CHECK(j->bars("other", 10).size() == 1);
  CHECK(j->bars("pairs", 0).empty());
  CHECK(j->counts()["bars"] == 4);

  // The same bar again replaces it.
  j->bar(bar_record{"pairs", 420, price::from_units(200)}, 3);
  bars = j->bars("pairs", 10);
  REQUIRE(bars.size() == 3);
  CHECK(bars[2].close == price::from_units(200));
}

TEST_CASE("values read back after reopening are exactly what was written") {
  temp_dir d;
  const nanos t0 = 1'795'404'306'123'456'789;
  const uint64_t big_cid = std::numeric_limits<uint64_t>::max();
  const uint64_t big_oid = (uint64_t{1} << 63) + 5;
  {
    auto j = must_open(options(d.file("j.db")));
    auto o = make_order(big_cid, "BTCUSDT", side::sell, "65000.12345678",
                        "0.00000001");
    o.tif = time_in_force::post_only;
    o.reduce_only = true;
    j->order_new(o, 1, t0);
    j->order_accepted(make_accept(o, big_oid, t0 + 1));
    auto f = make_fill(o, big_cid - 1, "0.00000001", "0.00000001", "0", t0 + 2);
    f.oid = order_id{big_oid};
    f.fee = notl("-0.00012345");
    CHECK(j->fill(f));

    j->signal(signal_record{t0, "pairs", sim, symbol_id{"BTCUSDT"},
                            "intent_denied", -2.5, 0.875, false,
                            "spread too thin"});
    j->pnl(pnl_record{t0, notional::max(),
                      notional::from_raw(std::numeric_limits<int64_t>::min() + 1),
                      notl("92233720368.54775807"), notl("0.00000001")});
    j->reconcile(reconcile_record{t0, sim, "mismatch", "BTC", qty("-0.5"),
                                  qty("0.25"), "manual trade?", "reconciler"});
    j->risk_event(risk_event_record{t0, "state_changed", "HALTED",
                                    "drawdown", "risk"});
    j->alert(alert_raised{alert_level::critical, "risk", "halted", t0});
    j->restart(restart_record{t0, "venue:sim", "feed", 3, "socket closed"});
    j->set_baseline(sim, "BTC", qty("-3.75"), t0);
    j->add_adjustment(sim, "BTC", qty("-0.00000001"), "ops", t0);
  }
  auto j = must_open(options(d.file("j.db"), sync_mode::full));
  CHECK(j->schema_version() == 2);
  auto row = j->order(sim, client_order_id{big_cid});
  REQUIRE(row);
  CHECK(row->view.cid.value == big_cid);
  CHECK(row->view.oid.value == big_oid);
  CHECK(row->view.symbol == symbol_id{"BTCUSDT"});
  CHECK(row->view.sd == side::sell);
  CHECK(row->view.type == order_type::limit);
  CHECK(row->view.tif == time_in_force::post_only);
  CHECK(row->view.px.raw() == 6'500'012'345'678);
  CHECK(row->view.px.to_string() == "65000.12345678");
  CHECK(row->view.qty.raw() == 1);
  CHECK(row->view.cum_qty.raw() == 1);
  CHECK(row->view.status == order_status::filled);
  CHECK(row->view.strategy == "pairs");
  CHECK(row->view.created == t0);
  CHECK(row->view.updated == t0 + 2);
  CHECK(row->reduce_only);
  CHECK(row->run == 1);

  auto fills = j->all_fills(sim);
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].tid.value == big_cid - 1);
  CHECK(fills[0].oid.value == big_oid);
  CHECK(fills[0].fee.raw() == -12'345);
  CHECK(fills[0].liq == liquidity::maker);
  CHECK(fills[0].venue_time == t0 - 3);
  CHECK(fills[0].local_time == t0 + 2);
  CHECK(fills[0].leaves_qty.raw() == 0);

  auto sig = j->signals(query{});
  REQUIRE(sig.size() == 1);
  CHECK(sig[0].z == -2.5);
  CHECK(sig[0].rho == 0.875);
  CHECK_FALSE(sig[0].acted);
  CHECK(sig[0].why == "spread too thin");
  CHECK(sig[0].name == "intent_denied");

  auto p = j->pnl(query{});
  REQUIRE(p.size() == 1);
  CHECK(p[0].realized.raw() == std::numeric_limits<int64_t>::max());
  CHECK(p[0].unrealized.raw() == std::numeric_limits<int64_t>::min() + 1);
  CHECK(p[0].gross_exposure.raw() == std::numeric_limits<int64_t>::max());
  CHECK(p[0].fees.raw() == 1);

  auto rec = j->reconciles(query{});
  REQUIRE(rec.size() == 1);
  CHECK(rec[0].expected.raw() == -50'000'000);
  CHECK(rec[0].actual.raw() == 25'000'000);
  CHECK(rec[0].key == "BTC");
  CHECK(rec[0].by == "reconciler");
  CHECK(rec[0].venue == sim);

  auto risk = j->risk_events(query{});
  REQUIRE(risk.size() == 1);
  CHECK(risk[0].state == "HALTED");
  CHECK(risk[0].by == "risk");

  CHECK(j->baselines(sim)["BTC"].raw() == -375'000'000);
  CHECK(j->adjustments(sim)["BTC"].raw() == -1);
  auto n = j->counts();
  CHECK(n["alerts"] == 1);
  CHECK(n["restarts"] == 1);
  raw_connection raw{d.file("j.db")};
  CHECK(raw.text("SELECT level || '|' || source || '|' || message FROM alerts")
        == "CRITICAL|risk|halted");
}

TEST_CASE("run ids increase across reopens and are never reused") {
  temp_dir d;
  {
    auto j = must_open(options(d.file("j.db")));
    CHECK(j->start_run(1, 100, "0.1.0") == 1);
    CHECK(j->start_run(2, 101, "0.1.0") == 2);
  }
  {
    auto j = must_open(options(d.file("j.db")));
    CHECK(j->start_run(3, 102, "0.1.1") == 3);
  }
  {
    raw_connection raw{d.file("j.db")};
    REQUIRE(raw.exec("DELETE FROM runs WHERE id = 3") == SQLITE_OK);
  }
  auto j = must_open(options(d.file("j.db")));
  CHECK(j->start_run(4, 103, "0.1.1") == 4);
  CHECK(j->counts()["runs"] == 3);
}

TEST_CASE("queries filter by venue, symbol, strategy, time and state, newest "
          "first") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto o1 = make_order(1, "BTCUSDT", side::buy, "65000", "1", "sim", "pairs");
  auto o2 = make_order(2, "ETHUSDT", side::buy, "3000", "1", "sim", "pairs");
  auto o3 = make_order(3, "BTCUSDT", side::buy, "65000", "1", "binance",
                       "momentum");
  auto o4 = make_order(4, "BTCUSDT", side::sell, "65000", "1", "sim",
                       "momentum");
  j->order_new(o1, 1, 1000);
  j->order_new(o2, 1, 2000);
  j->order_new(o3, 1, 3000);
  j->order_new(o4, 1, 4000);
  CHECK(j->fill(make_fill(o4, 1, "1", "1", "0", 4100)));
  CHECK(j->fill(make_fill(o1, 2, "0.5", "0.5", "0.5", 1100)));
  CHECK(j->fill(make_fill(o3, 3, "0.5", "0.5", "0.5", 3100)));

  auto cids = [&](const query& q) {
    std::vector<uint64_t> out;
    for (auto& r : j->orders(q))
      out.push_back(r.view.cid.value);
    return out;
  };
  using v = std::vector<uint64_t>;
  query q;
  CHECK(cids(q) == v{4, 3, 2, 1});
  q.venue = sim;
  CHECK(cids(q) == v{4, 2, 1});
  q.open_only = true;
  CHECK(cids(q) == v{2, 1});
  q = query{};
  q.symbol = symbol_id{"BTCUSDT"};
  CHECK(cids(q) == v{4, 3, 1});
  q = query{};
  q.strategy = "momentum";
  CHECK(cids(q) == v{4, 3});
  q = query{};
  q.since = 2000;
  CHECK(cids(q) == v{4, 3, 2});
  q = query{};
  q.limit = 2;
  CHECK(cids(q) == v{4, 3});
  q = query{};
  q.open_only = true;
  CHECK(cids(q) == v{3, 2, 1});

  auto fill_times = [&](const query& fq) {
    std::vector<nanos> out;
    for (auto& f : j->fills(fq))
      out.push_back(f.local_time);
    return out;
  };
  using t = std::vector<nanos>;
  q = query{};
  CHECK(fill_times(q) == t{4100, 3100, 1100});
  q.venue = sim;
  CHECK(fill_times(q) == t{4100, 1100});
  q = query{};
  q.strategy = "pairs";
  CHECK(fill_times(q) == t{1100});
  q = query{};
  q.symbol = symbol_id{"ETHUSDT"};
  CHECK(fill_times(q).empty());
  q = query{};
  q.since = 3000;
  CHECK(fill_times(q) == t{4100, 3100});
  q = query{};
  q.limit = 1;
  CHECK(fill_times(q) == t{4100});

  j->signal(signal_record{10, "pairs", sim, symbol_id{"BTCUSDT"}, "entry_long",
                          2.1, 0.9, true, ""});
  j->signal(signal_record{20, "pairs", sim, symbol_id{"BTCUSDT"},
                          "intent_denied", 2.3, 0.9, false, "halted"});
  j->signal(signal_record{30, "pairs", venue_id{"binance"},
                          symbol_id{"BTCUSDT"}, "intent_denied", 2.4, 0.9,
                          false, "position cap"});
  auto sig_times = [&](const query& sq) {
    std::vector<nanos> out;
    for (auto& s : j->signals(sq))
      out.push_back(s.time);
    return out;
  };
  q = query{};
  CHECK(sig_times(q) == t{30, 20, 10});
  q.blocked_only = true;
  CHECK(sig_times(q) == t{30, 20});
  q.venue = sim;
  CHECK(sig_times(q) == t{20});
  q = query{};
  q.limit = 0;  // No limit.
  CHECK(sig_times(q).size() == 3);

  for (nanos ts = 1; ts <= 3; ++ts) {
    j->pnl(pnl_record{ts, notional::from_units(ts), {}, {}, {}});
    j->risk_event(risk_event_record{ts, "state_changed", "ACTIVE", "", "cli"});
    j->reconcile(reconcile_record{ts, ts == 2 ? venue_id{"binance"} : sim,
                                  "matched", "BTC", {}, {}, "", "reconciler"});
  }
  q = query{};
  q.since = 2;
  auto p = j->pnl(q);
  REQUIRE(p.size() == 2);
  CHECK(p[0].time == 3);
  CHECK(p[1].realized == notional::from_units(2));
  q = query{};
  q.limit = 1;
  REQUIRE(j->risk_events(q).size() == 1);
  CHECK(j->risk_events(q)[0].time == 3);
  q = query{};
  q.venue = sim;
  auto rec = j->reconciles(q);
  REQUIRE(rec.size() == 2);
  CHECK(rec[0].time == 3);
  CHECK(rec[1].time == 1);
}

TEST_CASE("a failed write inside a batch leaves the batch's other writes and "
          "the transaction open") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  auto o = make_order(1, "BTCUSDT", side::buy, "65000", "1");
  j->begin();
  CHECK(j->in_transaction());
  j->order_new(o, 1, 1000);
  try {
    j->order_new(o, 1, 1001);
    FAIL("a second order_new for the same (venue, cid) must throw");
  } catch (const journal_error& e) {
    CHECK(std::string{e.what()}.rfind(
            "journal: insert order: UNIQUE constraint failed: orders.venue, "
            "orders.cid", 0)
          == 0);
    CHECK((e.code() & 0xff) == SQLITE_CONSTRAINT);
  }
  CHECK(j->in_transaction());
  CHECK(j->fill(make_fill(o, 1, "1", "1", "0", 1100)));
  j->commit();
  CHECK_FALSE(j->in_transaction());
  auto n = j->counts();
  CHECK(n["orders"] == 1);
  CHECK(n["order_events"] == 2);
  CHECK(n["fills"] == 1);
  CHECK(j->order(sim, o.cid)->view.created == 1000);

  // Outside a transaction the failure leaves none open either.
  CHECK_THROWS_AS(j->order_new(o, 1, 1002), journal_error);
  CHECK_FALSE(j->in_transaction());

  // A rolled-back batch leaves nothing.
  auto o2 = make_order(2, "BTCUSDT", side::buy, "65000", "1");
  j->begin();
  j->order_new(o2, 1, 2000);
  j->rollback();
  CHECK_FALSE(j->in_transaction());
  CHECK_FALSE(j->order(sim, o2.cid));
  CHECK(j->counts()["order_events"] == 2);
  j->rollback();  // Nothing open: harmless.
  CHECK_THROWS_AS(j->commit(), journal_error);
}
