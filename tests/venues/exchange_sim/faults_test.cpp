#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/orders.hpp"

using namespace xsim_test;

namespace {

binance::rest_error error_of(const rest_reply& r) {
  INFO(r.body);
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return *e;
}

/// Steps until a depth diff of BTCUSDT comes out; returns it.
book_delta next_diff(harness& h, std::vector<outbound>* frames = nullptr) {
  for (int i = 0; i < 100; ++i) {
    auto out = h.step();
    auto diffs = on_channel(out, "btcusdt@depth@100ms");
    if (frames != nullptr)
      frames->insert(frames->end(), out.begin(), out.end());
    if (diffs.empty())
      continue;
    auto ev = binance::parse_stream(diffs.back(), h.core.kind(), venue_id{"x"}, h.now);
    REQUIRE(ev);
    return std::get<book_delta>(*ev);
  }
  FAIL("no depth diff in 100 steps");
  return {};
}

} // namespace

TEST_CASE("the 429 fault answers the next N requests with -1003 and Retry-After") {
  harness h{binance::market::spot};
  CHECK(h.core.inject(fault::rate_limit_429, "2", h.now)
        == "rate_limit_429: the next 2 requests are answered 429");
  for (int i = 0; i < 2; ++i) {
    auto r = h.call("GET", "/api/v3/time");
    CHECK(r.status == 429);
    CHECK(error_of(r).code == -1003);
    // A fixed short back-off (not the minute's end), so drills end quickly.
    CHECK(r.header("Retry-After") == std::optional<std::string_view>{"2"});
  }
  CHECK(h.call("GET", "/api/v3/time").status == 200);
  // A bad count changes nothing.
  CHECK(h.core.inject(fault::rate_limit_429, "many", h.now).find("bad argument")
        != std::string::npos);
  CHECK(h.call("GET", "/api/v3/time").status == 200);
}

TEST_CASE("the 418 fault bans every request until it ends") {
  harness h{binance::market::usdm};
  h.core.inject(fault::ban_418, "5", h.now);
  auto r = h.call("GET", "/fapi/v1/ping");
  CHECK(r.status == 418);
  CHECK(r.header("Retry-After") == std::optional<std::string_view>{"5"});
  CHECK(r.header("X-MBX-USED-WEIGHT-1M"));
  CHECK(error_of(r).code == -1003);
  CHECK(error_of(r).msg.find("IP banned until " + std::to_string(wall0 + 5000))
        != std::string::npos);
  auto order = h.signed_call("POST", "/fapi/v1/order",
                             "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  CHECK(order.status == 418);
  CHECK(h.core.position(alice_key, "BTCUSDT")->amount.is_zero());
  h.advance(4'200);
  CHECK(h.call("GET", "/fapi/v1/ping").header("Retry-After")
        == std::optional<std::string_view>{"1"});
  h.advance(800);
  CHECK(h.call("GET", "/fapi/v1/ping").status == 200);
}

TEST_CASE("an unknown-503 spot order is executed, answered 503 -1007 and stays queryable") {
  harness h{binance::market::spot};
  CHECK(h.core.inject(fault::unknown_503, {}, h.now)
        == "unknown_503: the next 1 orders execute but are answered 503");
  // Not an order: unaffected.
  CHECK(h.call("GET", "/api/v3/ping").status == 200);
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.01&price=60000&newClientOrderId=lost-1");
  CHECK(r.status == 503);
  CHECK(error_of(r).code == -1007);
  CHECK(error_of(r).msg
        == "Timeout waiting for response from backend server. Send status unknown; "
           "execution status unknown.");
  auto q = h.signed_call("GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=lost-1");
  REQUIRE(q.status == 200);
  auto o = binance::parse_order(q.body, binance::market::spot);
  REQUIRE(o);
  CHECK(o->state == binance::order_state::new_order);
  REQUIRE(h.core.open_orders(alice_key).size() == 1);
  CHECK(h.core.open_orders(alice_key)[0].client_id == "lost-1");
  // The next order is answered normally.
  CHECK(h.signed_call("POST", "/api/v3/order",
                      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                      "&quantity=0.01&price=60000").status == 200);
}

TEST_CASE("an unknown-503 USD-M order answers Unknown error and is live") {
  harness h{binance::market::usdm};
  h.core.inject(fault::unknown_503, "1", h.now);
  // A rejected order does not use up the fault.
  CHECK(h.signed_call("POST", "/fapi/v1/order",
                      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                      "&quantity=0.01&price=60000.15").status == 400);
  auto r = h.signed_call("POST", "/fapi/v1/order",
                         "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01"
                         "&newClientOrderId=lost-2");
  CHECK(r.status == 503);
  CHECK(error_of(r).msg == "Unknown error, please check your request or try again later.");
  auto q = binance::parse_order(
    h.signed_call("GET", "/fapi/v1/order", "symbol=BTCUSDT&origClientOrderId=lost-2").body,
    binance::market::usdm);
  REQUIRE(q);
  CHECK(q->state == binance::order_state::filled);
  CHECK(h.core.position(alice_key, "BTCUSDT")->amount == qty("0.01"));
}

TEST_CASE("the sequence-gap fault makes the next spot diff skip an update id") {
  harness h{binance::market::spot};
  auto before = next_diff(h);
  CHECK(h.core.inject(fault::seq_gap, "btcusdt", h.now)
        == "seq_gap: the next depth diff of BTCUSDT skips one update id");
  auto gapped = next_diff(h);
  CHECK(gapped.first_update_id == before.last_update_id + 2);
  auto after = next_diff(h);
  CHECK(after.first_update_id == gapped.last_update_id + 1);
  CHECK(h.core.inject(fault::seq_gap, "DOGEUSDT", h.now).find("unknown symbol")
        != std::string::npos);
}

TEST_CASE("the sequence-gap fault breaks the USD-M pu chain") {
  harness h{binance::market::usdm};
  auto before = next_diff(h);
  h.core.inject(fault::seq_gap, "BTCUSDT", h.now);
  auto gapped = next_diff(h);
  CHECK(gapped.prev_last_update_id == before.last_update_id + 1);
  CHECK(gapped.prev_last_update_id != before.last_update_id);
}

TEST_CASE("the malformed fault sends a truncated copy before the real payload") {
  harness h{binance::market::spot};
  CHECK(h.core.inject(fault::malformed, "1", h.now)
        == "malformed: the next 1 market frames are preceded by a truncated copy");
  std::vector<outbound> out;
  while (out.empty())
    out = h.step();
  REQUIRE(out.size() >= 2);
  CHECK(out[0].channel == out[1].channel);
  CHECK(out[0].text == out[1].text.substr(0, out[1].text.size() / 2));
  CHECK_FALSE(binance::parse_stream(out[0].text, binance::market::spot, venue_id{"x"}, h.now));
  CHECK(binance::parse_stream(out[1].text, binance::market::spot, venue_id{"x"}, h.now));
  size_t broken = 0;
  for (const auto& o : out)
    if (!binance::parse_stream(o.text, binance::market::spot, venue_id{"x"}, h.now))
      ++broken;
  CHECK(broken == 1);
}

TEST_CASE("the stall fault silences market data for N seconds, then a gap shows") {
  harness h{binance::market::usdm};
  std::string key = parse(h.call("POST", "/fapi/v1/listenKey", {}, alice_key).body)["listenKey"]
                      .GetString();
  auto before = next_diff(h);
  CHECK(h.core.inject(fault::stall, "1", h.now) == "stall: no market data frames for 1 s");
  for (int i = 0; i < 9; ++i) {
    auto out = h.step();
    for (const auto& o : out)
      CHECK(o.channel.rfind("listen-key:", 0) == 0);
  }
  // User data still flows during the stall.
  REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.01&price=60000").status == 200);
  CHECK_FALSE(on_channel(h.core.drain(), "listen-key:" + key).empty());
  auto resumed = next_diff(h);
  CHECK(resumed.first_update_id > before.last_update_id + 1);
  CHECK(resumed.prev_last_update_id != before.last_update_id);
}
