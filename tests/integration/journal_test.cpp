// Integration: the journal inside the running service. Orders and fills are
// journaled as they happen; a restarted service resumes its strategies warm
// (z-score window from journaled bars) with their positions known (rebuilt
// from journaled fills), and risk's positions come back too.

#include "harness.hpp"

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
    auto view = a.first_view("BTCUSDT");
    REQUIRE(view);
    auto o = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(view->asks.front().px, 1), qty_of("0.002"));
    cid = o.cid;
    t.submit(o);
    REQUIRE(t.wait([&](const order_events& e) { return e.done(o.cid); }));
    bought = t.events.filled_qty(o.cid);
    REQUIRE(bought.is_positive());
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
