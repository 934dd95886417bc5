#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <rapidjson/document.h>

#include "tests/venues/binance/golden.hpp"
#include "venues/binance/codec.hpp"
#include "venues/sim/wire.hpp"

// The sim's encoders write Binance spot payloads; the sim feed decodes them
// with the Binance codec. These tests pin the encoded text, check the shape
// against Binance's documented payloads (tests/data/binance/), and round-trip
// every encoder through binance::parse_stream / parse_depth_snapshot. The
// codec's handling of malformed input is tested in tests/venues/binance/.

using namespace agora;
using namespace agora::sim;

namespace {

const venue_id sim_venue{"sim"};
constexpr nanos local = 1'700'000'000'123'456'789;

price px(const char* s) {
  return *price::parse(s);
}

quantity qty(const char* s) {
  return *quantity::parse(s);
}

book_delta sample_delta(uint64_t pu) {
  book_delta d;
  d.venue = sim_venue;
  d.symbol = symbol_id{"BTCUSDT"};
  d.first_update_id = 1001;
  d.last_update_id = 1004;
  d.prev_last_update_id = pu;
  d.bids = {{px("65000.1"), qty("0.5")}, {px("64999.9"), qty("0")}};
  d.asks = {{px("65000.2"), qty("1.25")}, {px("65001"), qty("0.00000001")}};
  d.venue_time = 1'700'000'000'123 * ns_per_ms;
  d.local_time = local;
  return d;
}

trade_tick sample_trade(side aggressor) {
  trade_tick t;
  t.venue = sim_venue;
  t.symbol = symbol_id{"ETHUSDT"};
  t.id = trade_id{987654321};
  t.px = px("3000.55");
  t.qty = qty("0.012");
  t.aggressor = aggressor;
  t.venue_time = 1'700'000'000'500 * ns_per_ms;
  return t;
}

funding_update sample_funding(const char* funding_rate) {
  funding_update f;
  f.venue = sim_venue;
  f.symbol = symbol_id{"BTCUSDT-PERP"};
  f.mark = px("65130.05");
  f.index = px("65000.12345678");
  f.funding_rate = *rate::parse(funding_rate);
  f.next_funding_time = 1'700'006'400'000 * ns_per_ms;
  f.venue_time = 1'700'000'001'000 * ns_per_ms + 999'999; // ms truncated
  return f;
}

caf::expected<binance::stream_event> parse(const std::string& text) {
  return binance::parse_stream(text, binance::market::spot, sim_venue, local);
}

/// The top-level member names of a JSON object, in order, each with its
/// JSON type (rapidjson::Type as a number), e.g. {"e",5} for a string.
std::vector<std::pair<std::string, int>> shape(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  std::vector<std::pair<std::string, int>> out;
  for (const auto& m : doc.GetObject()) {
    // true and false are two rapidjson types; both are a JSON boolean.
    auto type = m.value.IsBool() ? static_cast<int>(rapidjson::kTrueType)
                                 : static_cast<int>(m.value.GetType());
    out.emplace_back(std::string{m.name.GetString(), m.name.GetStringLength()},
                     type);
  }
  return out;
}

} // namespace

TEST_CASE("a spot depth update encodes to the binance shape without pu") {
  auto text = encode_depth(sample_delta(0));
  CHECK(text
        == R"({"e":"depthUpdate","E":1700000000123,"s":"BTCUSDT","U":1001,)"
           R"("u":1004,"b":[["65000.1","0.5"],["64999.9","0"]],)"
           R"("a":[["65000.2","1.25"],["65001","0.00000001"]]})");
  CHECK(shape(text) == shape(binance::test::golden("spot_depth_update.json")));
}

TEST_CASE("a spot depth update survives an encode and binance parse round trip") {
  auto d = sample_delta(0);
  auto parsed = parse(encode_depth(d));
  REQUIRE(parsed);
  REQUIRE(std::holds_alternative<book_delta>(*parsed));
  auto& got = std::get<book_delta>(*parsed);
  CHECK(got.venue == d.venue);
  CHECK(got.symbol == d.symbol);
  CHECK(got.first_update_id == 1001);
  CHECK(got.last_update_id == 1004);
  CHECK(got.prev_last_update_id == 0);
  CHECK(got.bids == d.bids);
  CHECK(got.asks == d.asks);
  CHECK(got.venue_time == d.venue_time);
  CHECK(got.local_time == local);
}

TEST_CASE("a perpetual's depth update keeps pu through the spot codec") {
  auto d = sample_delta(1000);
  auto text = encode_depth(d);
  CHECK(text.find(R"("u":1004,"pu":1000,"b")") != std::string::npos);
  auto parsed = parse(text);
  REQUIRE(parsed);
  auto& got = std::get<book_delta>(*parsed);
  CHECK(got.prev_last_update_id == 1000);
  CHECK(got.first_update_id == 1001);
  CHECK(got.last_update_id == 1004);
  CHECK(got.bids == d.bids);
  CHECK(got.asks == d.asks);
}

TEST_CASE("a trade encodes to binance spot's aggTrade payload") {
  auto text = encode_trade(sample_trade(side::sell));
  CHECK(text
        == R"({"e":"aggTrade","E":1700000000500,"s":"ETHUSDT","a":987654321,)"
           R"("p":"3000.55","q":"0.012","f":987654321,"l":987654321,)"
           R"("T":1700000000500,"m":true,"M":true})");
  CHECK(shape(text) == shape(binance::test::golden("spot_agg_trade.json")));
  CHECK(encode_trade(sample_trade(side::buy))
        == R"({"e":"aggTrade","E":1700000000500,"s":"ETHUSDT","a":987654321,)"
           R"("p":"3000.55","q":"0.012","f":987654321,"l":987654321,)"
           R"("T":1700000000500,"m":false,"M":true})");
}

TEST_CASE("a trade survives an encode and binance parse round trip with its aggressor") {
  for (auto aggressor : {side::buy, side::sell}) {
    auto t = sample_trade(aggressor);
    auto parsed = parse(encode_trade(t));
    REQUIRE(parsed);
    REQUIRE(std::holds_alternative<trade_tick>(*parsed));
    auto& got = std::get<trade_tick>(*parsed);
    CHECK(got.venue == sim_venue);
    CHECK(got.symbol == t.symbol);
    CHECK(got.id == t.id);
    CHECK(got.px == t.px);
    CHECK(got.qty == t.qty);
    CHECK(got.aggressor == aggressor);
    CHECK(got.venue_time == t.venue_time);
    CHECK(got.local_time == local);
  }
}

TEST_CASE("a mark price update encodes to binance usd-m's markPriceUpdate payload") {
  auto text = encode_mark_price(sample_funding("0.0015"));
  CHECK(text
        == R"({"e":"markPriceUpdate","E":1700000001000,"s":"BTCUSDT-PERP",)"
           R"("p":"65130.05","i":"65000.12345678","P":"65000.12345678",)"
           R"("r":"0.0015","T":1700006400000})");
  // Binance's documented payload, less the newer mark price average "ap".
  auto golden = shape(binance::test::golden("usdm_mark_price.json"));
  std::erase_if(golden, [](const auto& m) { return m.first == "ap"; });
  CHECK(shape(text) == golden);
  CHECK(encode_mark_price(sample_funding("-0.00018333")).find(R"("r":"-0.00018333")")
        != std::string::npos);
}

TEST_CASE("a mark price update survives an encode and binance parse round trip as funding") {
  for (auto r : {"0.0015", "-0.0075", "0"}) {
    auto f = sample_funding(r);
    auto parsed = parse(encode_mark_price(f));
    REQUIRE(parsed);
    REQUIRE(std::holds_alternative<funding_update>(*parsed));
    auto& got = std::get<funding_update>(*parsed);
    CHECK(got.venue == sim_venue);
    CHECK(got.symbol == f.symbol);
    CHECK(got.mark == f.mark);
    CHECK(got.index == f.index);
    CHECK(got.funding_rate == f.funding_rate);
    CHECK(got.next_funding_time == f.next_funding_time);
    CHECK(got.venue_time == 1'700'000'001'000 * ns_per_ms);
    CHECK(got.local_time == local);
  }
}

TEST_CASE("a snapshot survives an encode and binance parse round trip") {
  book_snapshot s;
  s.venue = sim_venue;
  s.symbol = symbol_id{"BTCUSDT"};
  s.last_update_id = 77;
  s.bids = {{px("65000"), qty("2")}, {px("64999.5"), qty("3.5")}};
  s.asks = {{px("65000.5"), qty("1")}};
  s.venue_time = 1'700'000'000'001 * ns_per_ms;
  auto text = encode_snapshot(s);
  CHECK(text
        == R"({"lastUpdateId":77,"E":1700000000001,)"
           R"("bids":[["65000","2"],["64999.5","3.5"]],"asks":[["65000.5","1"]]})");
  auto parsed = binance::parse_depth_snapshot(text, sim_venue, s.symbol, local);
  REQUIRE(parsed);
  CHECK(parsed->venue == sim_venue);
  CHECK(parsed->symbol == s.symbol);
  CHECK(parsed->last_update_id == 77);
  CHECK(parsed->bids == s.bids);
  CHECK(parsed->asks == s.asks);
  CHECK(parsed->venue_time == s.venue_time);
  CHECK(parsed->local_time == local);
}

TEST_CASE("the binance codec survives random mutations and truncations of sim frames") {
  trade_tick t;
  t.symbol = symbol_id{"BTCUSDT"};
  t.id = trade_id{42};
  t.px = px("65000.1");
  t.qty = qty("0.25");
  t.venue_time = 1'700'000'000'000 * ns_per_ms;
  book_snapshot s;
  s.last_update_id = 9;
  s.bids = {{px("1"), qty("2")}};
  s.asks = {{px("3"), qty("4")}};
  const std::vector<std::string> seeds{encode_depth(sample_delta(0)),
                                       encode_depth(sample_delta(1000)),
                                       encode_trade(t), encode_snapshot(s),
                                       encode_mark_price(sample_funding("0.0001"))};
  std::string alphabet = "{}[]\":,.-+0123456789eEabcdeflnrstu \\\xff";
  alphabet.push_back('\0');
  std::mt19937_64 gen{20240601};
  size_t ok = 0;
  size_t failed = 0;
  for (int i = 0; i < 20'000; ++i) {
    auto text = seeds[gen() % seeds.size()];
    switch (gen() % 4) {
      case 0: // truncate
        text.resize(gen() % (text.size() + 1));
        break;
      case 1: // overwrite a few bytes with JSON-ish characters
        for (int k = 0, n = 1 + static_cast<int>(gen() % 4); k < n; ++k)
          text[gen() % text.size()] = alphabet[gen() % alphabet.size()];
        break;
      case 2: // random bytes
        text.assign(gen() % 64, '\0');
        for (auto& c : text)
          c = static_cast<char>(gen() & 0xff);
        break;
      default: // delete or duplicate a slice
        {
          auto from = gen() % text.size();
          auto len = gen() % (text.size() - from + 1);
          if (gen() % 2 == 0)
            text.erase(from, len);
          else
            text.insert(from, text.substr(from, len));
        }
        break;
    }
    auto frame = parse(text);
    auto snap = binance::parse_depth_snapshot(text, sim_venue,
                                              symbol_id{"BTCUSDT"}, local);
    for (bool good : {static_cast<bool>(frame), static_cast<bool>(snap)})
      ++(good ? ok : failed);
    if (!frame)
      CHECK(frame.error().category() == caf::atom("binance"));
    if (!snap)
      CHECK(snap.error().category() == caf::atom("binance"));
  }
  // Both outcomes occur: mutations mostly break frames, some stay valid.
  CHECK(failed > 10'000);
  CHECK(ok > 0);
}
