// The venue probe against an in-process exchange-sim over TLS: what it reads
// back (orders, trades, holdings, open orders) agrees with what it placed.

#include "harness.hpp"
#include "venue_probe.hpp"

#include "venues/exchange_sim/server.hpp"

using namespace agora;
using namespace agora::itest;

TEST_CASE("the venue probe reads back a manual order, its trades and the holdings from exchange-sim") {
  temp_dir dir;
  xsim::server_options opts;
  opts.spot_port = 0;
  opts.usdm_port = 0;
  opts.data_dir = dir.path();
  opts.step_interval = 20 * ns_per_ms;
  xsim::exchange_server server{opts};
  std::string err;
  REQUIRE(server.start(&err));
  const auto qty = *quantity::parse("0.002");
  for (bool usdm : {false, true}) {
    INFO((usdm ? "usdm" : "spot"));
    auto m = usdm ? binance::market::usdm : binance::market::spot;
    venue_probe probe{"https://127.0.0.1:" + std::to_string(server.port(m)), usdm,
                      server.api_key(), server.secret(), server.cert_file()};
    auto before = probe.holdings();
    auto filled = probe.place("BTCUSDT", "BUY", "MARKET", "0.002", "", "manual-1");
    CHECK(filled.client_id == "manual-1");
    CHECK(filled.status == "FILLED");
    CHECK(filled.side == "BUY");
    CHECK(filled.orig_qty == qty);
    CHECK(filled.executed_qty == qty);
    auto resting = probe.place("BTCUSDT", "BUY", "LIMIT", "0.002", "60000", "manual-2");
    CHECK(resting.status == "NEW");
    CHECK(resting.executed_qty.is_zero());

    auto orders = probe.all_orders("BTCUSDT");
    REQUIRE(orders.size() == 2);
    CHECK(orders[0].order_id == filled.order_id);
    CHECK(orders[0].status == "FILLED");
    CHECK(orders[0].executed_qty == qty);
    CHECK(orders[1].order_id == resting.order_id);
    CHECK(orders[1].client_id == "manual-2");
    CHECK(orders[1].status == "NEW");
    CHECK(probe.all_orders("ETHUSDT").empty());

    auto trades = probe.trades("BTCUSDT");
    REQUIRE_FALSE(trades.empty());
    quantity traded;
    for (const auto& t : trades) {
      CHECK(t.symbol == "BTCUSDT");
      CHECK(t.order_id == filled.order_id);
      CHECK(t.buyer);
      CHECK(t.px.is_positive());
      traded += t.qty;
    }
    CHECK(traded == qty);

    auto open = probe.open_orders("BTCUSDT");
    REQUIRE(open.size() == 1);
    CHECK(open[0].order_id == resting.order_id);

    auto after = probe.holdings();
    if (usdm) {
      CHECK(before.count("BTCUSDT") == 0);
      CHECK(after["BTCUSDT"] == qty);
    } else {
      // The BTC bought arrives whole (commissions are charged in USDT).
      CHECK(after["BTC"] - before["BTC"] == qty);
      CHECK(after["USDT"] < before["USDT"]);
    }
    // A venue error comes back as an exception carrying Binance's answer.
    CHECK_THROWS_WITH(probe.all_orders("NOPE"), Catch::Contains("-1121"));
  }
  server.stop();
}
