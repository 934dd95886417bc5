// Integration: Agora against `agora exchange-sim`, a separate process that
// serves the sim exchange over Binance's spot and USD-M protocol with TLS on
// 127.0.0.1. The service trades end to end over TLS, survives every fault
// the exchange can inject, and never writes a secret to its logs.

#include "processes.hpp"

#include "venues/common/https_client.hpp"
#include "venues/common/url.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

uint64_t restarts_of(service_fixture& f, const std::string& name) {
  auto n = f.node(name);
  return n ? n->restarts : 0;
}

} // namespace

TEST_CASE("the service trades spot and USD-M end to end over TLS against exchange-sim") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  trader t{f};

  // Spot: an IOC buy 1% through the best ask fills.
  auto view = f.first_view("BTCUSDT", 10s, "bn-spot");
  REQUIRE(view);
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(view->asks.front().px, 1), qty_of("0.001"), "bn-spot");
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  REQUIRE(t.events.accepted_of(ioc.cid));
  CHECK_FALSE(t.events.rejected_of(ioc.cid));
  REQUIRE(t.events.last_fill_of(ioc.cid));
  CHECK(t.events.filled_qty(ioc.cid) == t.events.last_fill_of(ioc.cid)->cum_qty);
  // Fills come from the user-data stream, with the venue's trade ids.
  for (auto& fl : t.events.filled)
    if (fl.cid == ioc.cid)
      CHECK(fl.tid.valid());

  // Spot: a post-only buy 5% under the bid rests (LIMIT_MAKER), then is
  // cancelled.
  auto rest = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                      shifted(view->bids.front().px, -5), qty_of("0.001"), "bn-spot");
  t.submit(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.accepted_of(rest.cid) || e.done(rest.cid); }));
  REQUIRE(t.events.accepted_of(rest.cid));
  t.cancel(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(rest.cid); }));
  REQUIRE(t.events.canceled_of(rest.cid));

  // Spot: a post-only buy through the ask is a plain rejection.
  auto cross = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                       shifted(view->asks.front().px, 1), qty_of("0.001"), "bn-spot");
  t.submit(cross);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(cross.cid); }));
  REQUIRE(t.events.rejected_of(cross.cid));
  CHECK(t.events.rejected_of(cross.cid)->reason == reject_reason::post_only_would_cross);

  // The account as the venue sees it (signed GET account): spot balances.
  {
    caf::scoped_actor self{f.sys()};
    std::optional<positions_report> acct;
    self->request(f.lookup("venue:bn-spot/order-entry"), 10s, positions_atom_v)
      .receive([&](positions_report& r) { acct = std::move(r); }, [](caf::error&) {});
    REQUIRE(acct);
    bool usdt = false;
    for (auto& p : acct->positions)
      usdt = usdt || (p.symbol == symbol_id{"USDT"} && p.qty.raw() > 0);
    CHECK(usdt);
  }

  // USD-M: an IOC buy fills; the position shows it.
  auto perp = f.first_view("BTCUSDT", 10s, "bn-usdm");
  REQUIRE(perp);
  auto long_ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                          shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(long_ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(long_ioc.cid); }));
  REQUIRE(t.events.last_fill_of(long_ioc.cid));
  {
    caf::scoped_actor self{f.sys()};
    std::optional<positions_report> acct;
    self->request(f.lookup("venue:bn-usdm/order-entry"), 10s, positions_atom_v)
      .receive([&](positions_report& r) { acct = std::move(r); }, [](caf::error&) {});
    REQUIRE(acct);
    quantity held;
    for (auto& p : acct->positions)
      if (p.symbol == symbol_id{"BTCUSDT"})
        held = p.qty;
    CHECK(held == t.events.filled_qty(long_ioc.cid));
  }

  // USD-M: a GTX (post-only) buy through the ask is rejected as post-only.
  auto gtx = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                     shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(gtx);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(gtx.cid); }));
  REQUIRE(t.events.rejected_of(gtx.cid));
  CHECK(t.events.rejected_of(gtx.cid)->reason == reject_reason::post_only_would_cross);
}

TEST_CASE("PAPER on Binance venues fills against their books and sends nothing, without keys") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  auto cfg = x.config();
  // Both venues in paper: orders go to a paper entry, not to exchange-sim.
  const std::string local = R"("network": "local",)";
  const std::string paper = R"("network": "local", "orders": "paper", "paper_latency_ms": 2,)";
  for (size_t at = 0; (at = cfg.find(local, at)) != std::string::npos; at += paper.size())
    cfg.replace(at, local.size(), paper);
  service_fixture f{cfg}; // no credentials at all
  REQUIRE(f.wait_ready(20s));
  CHECK_FALSE(f.lookup("venue:bn-spot/order-entry"));
  REQUIRE(f.lookup("venue:bn-spot/paper-entry"));
  REQUIRE(f.lookup("venue:bn-usdm/paper-entry"));
  trader t{f};

  // A market-able IOC fills as taker at or under its limit, from the book.
  auto view = f.first_view("BTCUSDT", 10s, "bn-spot");
  REQUIRE(view);
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc, shifted(view->asks.front().px, 1),
                     qty_of("0.001"), "bn-spot");
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  REQUIRE(t.events.last_fill_of(ioc.cid));
  CHECK(t.events.filled_qty(ioc.cid) == qty_of("0.001"));
  for (auto& fl : t.events.filled)
    if (fl.cid == ioc.cid) {
      CHECK(fl.fill_px <= ioc.px);
      CHECK(fl.liq == liquidity::taker);
      CHECK(fl.fee.is_positive());
    }

  // A post-only buy 5% under the bid rests, then is cancelled.
  auto rest = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                      shifted(view->bids.front().px, -5), qty_of("0.001"), "bn-spot");
  t.submit(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.accepted_of(rest.cid) || e.done(rest.cid); }));
  REQUIRE(t.events.accepted_of(rest.cid));
  t.cancel(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(rest.cid); }));
  REQUIRE(t.events.canceled_of(rest.cid));

  // A post-only buy through the ask is refused as it would be by the venue.
  auto cross = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                       shifted(view->asks.front().px, 1), qty_of("0.001"), "bn-spot");
  t.submit(cross);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(cross.cid); }));
  REQUIRE(t.events.rejected_of(cross.cid));
  CHECK(t.events.rejected_of(cross.cid)->reason == reject_reason::post_only_would_cross);

  // USD-M: an IOC sell fills against the perpetual's bids.
  auto perp = f.first_view("BTCUSDT", 10s, "bn-usdm");
  REQUIRE(perp);
  auto short_ioc = t.order("BTCUSDT", side::sell, time_in_force::ioc,
                           shifted(perp->bids.front().px, -1), qty_of("0.002"), "bn-usdm");
  t.submit(short_ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(short_ioc.cid); }));
  CHECK(t.events.filled_qty(short_ioc.cid) == qty_of("0.002"));

  // A symbol the venue does not trade here is refused with the reason.
  auto unknown = t.order("ETHUSDT", side::buy, time_in_force::ioc, price::from_units(5000),
                         qty_of("0.01"), "bn-usdm");
  t.submit(unknown);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(unknown.cid); }));
  REQUIRE(t.events.rejected_of(unknown.cid));

  // The paper entry counts what it did; exchange-sim saw no order.
  auto node = f.node("venue:bn-spot/paper-entry");
  REQUIRE(node);
  CHECK(detail_u64(node->detail, "orders") == 3);
  CHECK(detail_u64(node->detail, "fills") >= 1);
}

TEST_CASE("every market-data fault of exchange-sim is survived: feeds restart, books resync") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));

  // Dropped connections: both feeds are restarted and their books resync.
  auto spot_before = restarts_of(f, "venue:bn-spot/feed");
  auto usdm_before = restarts_of(f, "venue:bn-usdm/feed");
  CHECK(x.fault("spot", "drop").find("dropped") != std::string::npos);
  CHECK(x.fault("usdm", "drop").find("dropped") != std::string::npos);
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-spot/feed") > spot_before; }));
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-usdm/feed") > usdm_before; }));
  CHECK(f.wait_ready(20s));

  // A skipped sequence id: the spot book detects the gap and resyncs (the
  // USD-M book by its pu chain).
  CHECK_FALSE(x.fault("spot", "seq_gap", "BTCUSDT").empty());
  CHECK_FALSE(x.fault("usdm", "seq_gap", "BTCUSDT").empty());
  CHECK(f.wait_ready(20s));

  // Malformed frames are dropped and counted; the feed goes on.
  auto restarts = restarts_of(f, "venue:bn-spot/feed");
  CHECK_FALSE(x.fault("spot", "malformed", "3").empty());
  CHECK(poll_until([&] {
    auto n = f.node("venue:bn-spot/feed");
    return n && detail_u64(n->detail, "malformed") >= 1;
  }));
  CHECK(restarts_of(f, "venue:bn-spot/feed") == restarts);

  // A stall longer than the heartbeat timeout: the silent feed is restarted.
  CHECK_FALSE(x.fault("spot", "stall", "3").empty());
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-spot/feed") > restarts; }, 15s));
  CHECK(f.wait_ready(20s));
}

TEST_CASE("order-entry faults of exchange-sim are survived: 429, 418 and unknown outcomes") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  trader t{f};
  auto view = f.first_view("BTCUSDT", 10s, "bn-spot");
  REQUIRE(view);
  auto resting_buy = [&] {
    auto o = t.order("BTCUSDT", side::buy, time_in_force::gtc,
                     shifted(view->bids.front().px, -5), qty_of("0.001"), "bn-spot");
    t.submit(o);
    return o;
  };
  // Orders pass again: a resting buy is accepted (then cancelled).
  auto accepted_again = [&] {
    auto o = resting_buy();
    if (!t.wait([&](const order_events& e) { return e.accepted_of(o.cid) || e.done(o.cid); }))
      return false;
    if (!t.events.accepted_of(o.cid))
      return false;
    t.cancel(o);
    return true;
  };

  // Unknown outcome (503 after the order was placed): the order is queried
  // and found, never taken as failed.
  CHECK_FALSE(x.fault("spot", "503", "1").empty());
  auto unknown = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.accepted_of(unknown.cid) || e.done(unknown.cid); }));
  CHECK(t.events.accepted_of(unknown.cid));
  CHECK_FALSE(t.events.rejected_of(unknown.cid));
  t.cancel(unknown);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(unknown.cid); }));
  CHECK(t.events.canceled_of(unknown.cid));

  // 429: the order is rejected RATE_LIMITED; after Retry-After orders pass.
  CHECK_FALSE(x.fault("spot", "429", "1").empty());
  auto limited = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.done(limited.cid); }));
  REQUIRE(t.events.rejected_of(limited.cid));
  CHECK(t.events.rejected_of(limited.cid)->reason == reject_reason::rate_limited);
  CHECK(poll_until(accepted_again, 15s, 200ms));

  // 418: every request refused; the order is rejected VENUE_UNAVAILABLE and
  // nothing is sent until the ban ends.
  CHECK_FALSE(x.fault("spot", "418", "2").empty());
  auto banned = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.done(banned.cid); }));
  REQUIRE(t.events.rejected_of(banned.cid));
  auto reason = t.events.rejected_of(banned.cid)->reason;
  CHECK((reason == reject_reason::venue_unavailable || reason == reject_reason::rate_limited));
  CHECK(poll_until(accepted_again, 20s, 500ms));

  // The tree never went down.
  for (auto& n : f.graph().nodes)
    CHECK(n.state != "down");
}

TEST_CASE("an expired USD-M listenKey is replaced and fills keep arriving on the stream") {
  temp_dir xdir;
  exchange_sim x{xdir.path(), "2"};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  // The key expires 2 s after it was created: the stream is closed by the
  // venue and the order entry opens a new one with a new key.
  CHECK(poll_until(
    [&] {
      auto n = f.node("venue:bn-usdm/order-entry");
      return n && detail_u64(n->detail, "reconnects") >= 1 && n->state == "connected";
    },
    15s, 100ms));
  trader t{f};
  auto perp = f.first_view("BTCUSDT", 10s, "bn-usdm");
  REQUIRE(perp);
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  auto* fill = t.events.last_fill_of(ioc.cid);
  REQUIRE(fill);
  // From the stream: the venue's trade id, not a fill recovered by a query.
  CHECK(fill->tid.valid());
}

TEST_CASE("agora run against agora exchange-sim: faults survived, clean stop, no secret logged") {
  temp_dir xdir;
  temp_dir sdir;
  exchange_sim x{xdir.path()};
  auto log_file = sdir.path() + "/agora.log";
  auto cfg_text = with_data_dir(x.config(R"("log_file": ")" + log_file + R"(",)"), sdir.path());
  // Debug level: the most the service ever writes.
  auto pos = cfg_text.find(R"("log_level": "warn")");
  REQUIRE(pos != std::string::npos);
  cfg_text.replace(pos, 19, R"("log_level": "debug")");
  auto cfg_path = sdir.path() + "/agora.json";
  std::ofstream{cfg_path} << cfg_text;
  child_process service{{agora_binary(), "--config", cfg_path, "run"},
                        sdir.path() + "/stderr.log"};

  REQUIRE(poll_until([&] { return std::filesystem::exists(sdir.path() + "/control.port"); },
                     20s));
  std::string token = read_file(sdir.path() + "/control.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  uint16_t port = 0;
  REQUIRE(poll_until([&] {
    auto text = read_file(sdir.path() + "/control.port");
    port = static_cast<uint16_t>(std::atoi(text.c_str()));
    return port != 0;
  }));
  auto books_fresh = [&] {
    auto r = net::http_call("127.0.0.1", port, "GET", "/v1/graph", "", token, 5s);
    if (!r.ok || r.status != 200)
      return false;
    auto d = parse_json(r.body);
    auto* nodes = d->ok ? json::get_array(d->doc, "nodes") : nullptr;
    if (!nodes)
      return false;
    int fresh = 0;
    for (auto& n : nodes->GetArray())
      if (json::get_string(n, "kind").value_or("") == "book"
          && json::get_string(n, "state").value_or("") == "fresh")
        ++fresh;
    return fresh == 3;
  };
  REQUIRE(poll_until(books_fresh, 20s));
  x.fault("spot", "drop");
  x.fault("usdm", "seq_gap", "BTCUSDT");
  x.fault("spot", "malformed", "2");
  CHECK(poll_until(books_fresh, 20s));
  CHECK(service.running());
  CHECK(service.stop(SIGTERM, 15s) == 0);

  auto logs = read_file(log_file) + read_file(sdir.path() + "/stderr.log");
  CHECK(logs.find("order_entry_starting") != std::string::npos);
  CHECK(logs.find(x.keys.secret) == std::string::npos);
  CHECK(logs.find(x.keys.api_key) == std::string::npos);
}
