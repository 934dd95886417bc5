// Integration: the journal inside the running service. Orders and fills are
// journaled as they happen; a restarted service resumes its strategies warm
// (z-score window from journaled bars) with their positions known (rebuilt
// from journaled fills), and risk's positions come back too.

#include "harness.hpp"

#include <sys/mount.h>

#include <cstring>
#include <fstream>
#include <tuple>
#include <utility>

#include "actors/journal/intent_codec.hpp"
#include "actors/journal/intent_log.hpp"
#include "actors/journal/journal_db.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

/// One bar per second, a window of three: a fresh strategy needs three
/// seconds to be warm; a restarted one is warm at once.
std::string slow_bar_config() {
  std::string cfg = standard_config;
  auto replace = [&](const std::string& from, const std::string& to) {
    auto i = cfg.find(from);
    REQUIRE(i != std::string::npos);
    cfg.replace(i, from.size(), to);
  };
  replace(R"("window": 5)", R"("window": 3)");
  replace(R"("bar_seconds": 0.1)", R"("bar_seconds": 1)");
  return cfg;
}

uint64_t detail_number(const std::string& detail, const std::string& key) {
  auto i = detail.find(key + "=");
  if (i == std::string::npos)
    return 0;
  return std::strtoull(detail.c_str() + i + key.size() + 1, nullptr, 10);
}

std::string detail_text(const std::string& detail, const std::string& key) {
  auto i = detail.find(key + "=");
  if (i == std::string::npos)
    return "";
  auto start = i + key.size() + 1;
  return detail.substr(start, detail.find(' ', start) - start);
}

/// Buys 0.002 BTCUSDT with an IOC through the ask, as `t`: its client id
/// and what it got (never nothing).
std::pair<client_order_id, quantity> buy_through_ask(service_fixture& f, trader& t) {
  auto o = ioc_through_ask(f, t, "BTCUSDT", "0.002");
  auto bought = t.events.filled_qty(o.cid);
  REQUIRE(bought.is_positive());
  return {o.cid, bought};
}

} // namespace

TEST_CASE("a restarted service resumes with its strategies warm and positions known") {
  temp_dir data;
  auto cfg = slow_bar_config();
  quantity bought;
  client_order_id cid;
  {
    service_fixture a{cfg, {}, data.path()};
    // A fill that belongs to the BTCUSDT strategy.
    trader t{a, "mr:BTCUSDT"};
    std::tie(cid, bought) = buy_through_ask(a, t);
    // Enough bars for a warm window.
    REQUIRE(poll_until(
      [&] {
        auto n = a.node("strategies/mr:BTCUSDT");
        return n && detail_number(n->detail, "bars") >= 4;
      },
      15s, 100ms));
  }
  {
    // The journal has the order, its fill, and the bars.
    journal::open_options o;
    o.path = data.path() + "/journal.db";
    o.read_only = true;
    auto j = journal::db::open(o);
    REQUIRE(j.journal);
    auto row = j.journal->order(venue_id{"sim"}, cid);
    REQUIRE(row);
    CHECK(row->view.cum_qty == bought);
    CHECK(row->view.strategy == "mr:BTCUSDT");
    CHECK(j.journal->bars("mr:BTCUSDT", 10).size() >= 3);
    CHECK(j.journal->counts()["runs"] == 1);
  }
  service_fixture b{cfg, {}, data.path()};
  // Warm at once: the window holds the journaled bars (a cold strategy
  // would have at most one bar by now), and the position is the fill.
  auto n = b.node("strategies/mr:BTCUSDT");
  REQUIRE(n);
  INFO(n->detail);
  CHECK(detail_number(n->detail, "bars") >= 3);
  CHECK(detail_text(n->detail, "z") != "-");
  REQUIRE(poll_until(
    [&] {
      auto m = b.node("strategies/mr:BTCUSDT");
      return m && detail_text(m->detail, "pos") == bought.to_string();
    },
    10s, 50ms));
  // Risk rebuilt the position from the journal too.
  caf::scoped_actor self{b.sys()};
  std::optional<positions_report> pos;
  self->request(well_known(b.sys(), risk_name), 5s, positions_atom_v)
    .receive([&](positions_report& r) { pos = std::move(r); }, [](caf::error&) {});
  REQUIRE(pos);
  quantity held;
  for (auto& p : pos->positions)
    if (p.venue == venue_id{"sim"} && p.symbol == symbol_id{"BTCUSDT"})
      held = p.qty;
  CHECK(held == bought);
}

namespace {

/// Replaces the first `from` in `cfg` with `to`.
void replace_in(std::string& cfg, const std::string& from, const std::string& to) {
  auto i = cfg.find(from);
  REQUIRE(i != std::string::npos);
  cfg.replace(i, from.size(), to);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    out.push_back(it->path().filename().string());
  return out;
}

} // namespace

TEST_CASE("a torn intent log tail is cut with a warning; the intact order before it is recovered") {
  temp_dir data;
  std::string cfg = standard_config;
  auto intents = data.path() + "/intents/sim";
  client_order_id filled_cid;
  quantity bought;
  {
    service_fixture a{cfg, {}, data.path()};
    trader t{a, "mr:BTCUSDT"};
    std::tie(filled_cid, bought) = buy_through_ask(a, t);
    auto gw = a.node("venue:sim/gateway");
    REQUIRE(gw);
    INFO(gw->detail);
    CHECK(detail_u64(gw->detail, "intents") >= 2); // the order and its fill
  }
  // What a crash between the log and the send leaves: an order in the log
  // that SQLite never got, then a record torn half-way.
  client_order_id logged_cid{4'000'000'001};
  {
    journal::intent_log_options o;
    o.dir = intents;
    std::string err;
    journal::intent_recovery r;
    auto log = journal::intent_log::open(o, &r, &err);
    INFO(err);
    REQUIRE(log);
    CHECK(r.warnings.empty());
    submit_order order;
    order.cid = logged_cid;
    order.venue = venue_id{"sim"};
    order.symbol = symbol_id{"BTCUSDT"};
    order.sd = side::buy;
    order.type = order_type::limit;
    order.tif = time_in_force::gtc;
    order.px = *price::parse("30000");
    order.qty = qty_of("0.001");
    order.strategy = "mr:BTCUSDT";
    order.local_time = default_clock().now();
    std::vector<char> buf;
    journal::encode_intent(order, buf);
    REQUIRE(log->append(journal::intent_kind::order, std::string_view{buf.data(), buf.size()},
                        &err)
            != 0);
  }
  std::string segment;
  for (auto& f : files_in(intents))
    if (f.rfind("intents-", 0) == 0 && f.find(".torn-") == std::string::npos)
      segment = intents + "/" + f;
  REQUIRE(!segment.empty());
  {
    std::ofstream f{segment, std::ios::app | std::ios::binary};
    f << std::string("\x40\x00\x00\x00\x12\x34", 6); // a record header cut short
  }
  service_fixture b{cfg, {}, data.path()};
  // The tear was moved aside and the service came up (wait_ready) ACTIVE.
  size_t torn = 0;
  for (auto& f : files_in(intents))
    torn += f.find(".torn-") != std::string::npos ? 1 : 0;
  CHECK(torn == 1);
  auto alerts = b.node("alerts");
  REQUIRE(alerts);
  INFO(alerts->detail);
  CHECK(detail_u64(alerts->detail, "warning") >= 1);
  // The logged order reached SQLite and was resolved by recovery (the venue
  // never had it); the filled one is still there once, with its fill.
  journal::open_options jo;
  jo.path = data.path() + "/journal.db";
  jo.read_only = true;
  REQUIRE(poll_until(
    [&] {
      auto j = journal::db::open(jo);
      if (!j.journal)
        return false;
      auto row = j.journal->order(venue_id{"sim"}, logged_cid);
      return row && is_terminal(row->view.status);
    },
    15s, 100ms));
  auto j = journal::db::open(jo);
  REQUIRE(j.journal);
  auto row = j.journal->order(venue_id{"sim"}, filled_cid);
  REQUIRE(row);
  CHECK(row->view.cum_qty == bought);
  journal::query q;
  q.venue = venue_id{"sim"};
  q.limit = 0;
  quantity sum;
  for (auto& f : j.journal->fills(q))
    if (f.cid == filled_cid)
      sum = sum + f.fill_qty;
  CHECK(sum == bought);
}

TEST_CASE("a full disk under the intent log refuses orders JOURNAL_UNAVAILABLE with a CRITICAL "
          "alert and loses nothing acknowledged") {
  temp_dir data;
  auto mnt = data.path() + "/small-disk";
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
    WARN("cannot mount a tmpfs here (" << std::strerror(errno)
                                       << "): the full-disk test needs root");
    return;
  }
  struct unmount_on_exit {
    std::string at;
    ~unmount_on_exit() { ::umount2(at.c_str(), MNT_DETACH); }
  } unmount{mnt};
  std::string cfg = standard_config;
  replace_in(cfg, R"("gateway": { "orders_per_minute": 600, "burst": 20 })",
             R"("gateway": { "orders_per_minute": 100000, "burst": 1000 })");
  replace_in(cfg, R"("data_dir": "@DATA_DIR@",)",
             R"("data_dir": "@DATA_DIR@", "journal": { "intent_dir": ")" + mnt + R"(" },)");
  service_fixture f{cfg, {}, data.path()};
  // Fill the disk to the last byte.
  auto filler = mnt + "/filler";
  {
    std::ofstream out{filler, std::ios::binary};
    std::string block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())))
      out.flush();
  }
  auto criticals = [&] {
    auto n = f.node("alerts");
    return n ? detail_u64(n->detail, "critical") : 0;
  };
  auto critical0 = criticals();
  trader t{f, "mr:BTCUSDT"};
  auto view = f.first_view("BTCUSDT");
  REQUIRE(view);
  // IOC buys far below the market: each is accepted and expires, no fill.
  auto far = shifted(view->bids.front().px, -50);
  std::vector<client_order_id> left, refused;
  for (int i = 0; i < 200 && refused.size() < 5; ++i) {
    auto o = t.order("BTCUSDT", side::buy, time_in_force::ioc, far, qty_of("0.0001"));
    t.submit(o);
    REQUIRE(t.wait([&](const order_events& e) { return e.done(o.cid); }));
    if (auto* r = t.events.rejected_of(o.cid)) {
      INFO(r->detail);
      REQUIRE(r->reason == reject_reason::journal_unavailable);
      refused.push_back(o.cid);
    } else {
      left.push_back(o.cid);
    }
  }
  // Orders went out while the log's last page had room, then were refused.
  CHECK(refused.size() == 5);
  CHECK(poll_until([&] { return criticals() > critical0; }));
  // Every order that left is in SQLite with its outcome.
  journal::open_options jo;
  jo.path = data.path() + "/journal.db";
  jo.read_only = true;
  CHECK(poll_until(
    [&] {
      auto j = journal::db::open(jo);
      if (!j.journal)
        return false;
      for (auto cid : left) {
        auto row = j.journal->order(venue_id{"sim"}, cid);
        if (!row || !is_terminal(row->view.status))
          return false;
      }
      for (auto cid : refused)
        if (j.journal->order(venue_id{"sim"}, cid))
          return false; // a refused order never left, and is not an order
      return true;
    },
    10s, 100ms));
  // Room again: orders flow.
  std::filesystem::remove(filler);
  auto o = t.order("BTCUSDT", side::buy, time_in_force::ioc, far, qty_of("0.0001"));
  t.submit(o);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(o.cid); }));
  CHECK_FALSE(t.events.rejected_of(o.cid));
  INFO("orders out before the disk was full: " << left.size());
}
