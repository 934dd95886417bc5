#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/message.hpp>

#include "venues/sim/wire.hpp"

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

/// The wire error code of a failed parse.
template <class T>
uint8_t code_of(const caf::expected<T>& x) {
  REQUIRE_FALSE(x);
  CHECK(x.error().category() == caf::atom("wire"));
  return x.error().code();
}

uint8_t code(wire_errc x) {
  return static_cast<uint8_t>(x);
}

} // namespace

TEST_CASE("a spot depth update encodes to the binance shape without pu") {
  auto text = encode_depth(sample_delta(0));
  CHECK(text
        == R"({"e":"depthUpdate","E":1700000000123,"s":"BTCUSDT","U":1001,)"
           R"("u":1004,"b":[["65000.1","0.5"],["64999.9","0"]],)"
           R"("a":[["65000.2","1.25"],["65001","0.00000001"]]})");
}

TEST_CASE("a spot depth update survives an encode and parse round trip") {
  auto d = sample_delta(0);
  auto parsed = parse_frame(encode_depth(d), sim_venue, local);
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

TEST_CASE("a futures depth update keeps pu through a round trip") {
  auto d = sample_delta(1000);
  auto text = encode_depth(d);
  CHECK(text.find(R"("u":1004,"pu":1000,"b")") != std::string::npos);
  auto parsed = parse_frame(text, sim_venue, local);
  REQUIRE(parsed);
  auto& got = std::get<book_delta>(*parsed);
  CHECK(got.prev_last_update_id == 1000);
  CHECK(got.first_update_id == 1001);
  CHECK(got.bids == d.bids);
  CHECK(got.asks == d.asks);
}

TEST_CASE("a trade survives an encode and parse round trip with its aggressor") {
  for (auto aggressor : {side::buy, side::sell}) {
    trade_tick t;
    t.venue = sim_venue;
    t.symbol = symbol_id{"ETHUSDT"};
    t.id = trade_id{987654321};
    t.px = px("3000.55");
    t.qty = qty("0.012");
    t.aggressor = aggressor;
    t.venue_time = 1'700'000'000'500 * ns_per_ms;
    auto text = encode_trade(t);
    if (aggressor == side::sell)
      CHECK(text
            == R"({"e":"trade","E":1700000000500,"s":"ETHUSDT","t":987654321,)"
               R"("p":"3000.55","q":"0.012","m":true})");
    auto parsed = parse_frame(text, sim_venue, local);
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

TEST_CASE("a snapshot survives an encode and parse round trip") {
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
  auto parsed = parse_snapshot(text, sim_venue, s.symbol, local);
  REQUIRE(parsed);
  CHECK(parsed->venue == sim_venue);
  CHECK(parsed->symbol == s.symbol);
  CHECK(parsed->last_update_id == 77);
  CHECK(parsed->bids == s.bids);
  CHECK(parsed->asks == s.asks);
  CHECK(parsed->venue_time == s.venue_time);
  CHECK(parsed->local_time == local);
}

TEST_CASE("binance's documented spot depthUpdate payload parses") {
  // From Binance's spot WebSocket stream docs ("Diff. Depth Stream").
  const char* payload = R"({
    "e": "depthUpdate",
    "E": 1672515782136,
    "s": "BNBBTC",
    "U": 157,
    "u": 160,
    "b": [["0.0024", "10"]],
    "a": [["0.0026", "100"]]
  })";
  auto parsed = parse_frame(payload, sim_venue, local);
  REQUIRE(parsed);
  auto& d = std::get<book_delta>(*parsed);
  CHECK(d.symbol == symbol_id{"BNBBTC"});
  CHECK(d.first_update_id == 157);
  CHECK(d.last_update_id == 160);
  CHECK(d.prev_last_update_id == 0);
  CHECK(d.venue_time == 1'672'515'782'136 * ns_per_ms);
  REQUIRE(d.bids.size() == 1);
  CHECK(d.bids[0].px.raw() == 240'000);
  CHECK(d.bids[0].qty.raw() == 1'000'000'000);
  REQUIRE(d.asks.size() == 1);
  CHECK(d.asks[0].px.raw() == 260'000);
  CHECK(d.asks[0].qty.raw() == 10'000'000'000);
}

TEST_CASE("binance's documented futures depthUpdate payload parses with pu") {
  // From Binance's USD-M futures docs; "T" (transaction time) is ignored.
  const char* payload
    = R"({"e":"depthUpdate","E":123456789,"T":123456788,"s":"BTCUSDT",)"
      R"("U":157,"u":160,"pu":149,"b":[["0.0024","10"]],"a":[["0.0026","100"]]})";
  auto parsed = parse_frame(payload, sim_venue, local);
  REQUIRE(parsed);
  auto& d = std::get<book_delta>(*parsed);
  CHECK(d.prev_last_update_id == 149);
  CHECK(d.venue_time == 123'456'789 * ns_per_ms);
}

TEST_CASE("binance's spot REST snapshot without E parses") {
  const char* payload = R"({"lastUpdateId":1027024,)"
                        R"("bids":[["4.00000000","431.00000000"]],)"
                        R"("asks":[["4.00000200","12.00000000"]]})";
  auto parsed = parse_snapshot(payload, sim_venue, symbol_id{"BNBBTC"}, local);
  REQUIRE(parsed);
  CHECK(parsed->last_update_id == 1027024);
  CHECK(parsed->venue_time == 0);
  CHECK(parsed->bids == std::vector<book_level>{{px("4"), qty("431")}});
  CHECK(parsed->asks == std::vector<book_level>{{px("4.000002"), qty("12")}});
}

TEST_CASE("malformed frames are refused with the matching wire error") {
  SECTION("not json") {
    CHECK(code_of(parse_frame("not json", sim_venue, local))
          == code(wire_errc::malformed_json));
    CHECK(code_of(parse_frame("", sim_venue, local))
          == code(wire_errc::malformed_json));
    CHECK(code_of(parse_frame("[1,2]", sim_venue, local))
          == code(wire_errc::malformed_json));
    CHECK(code_of(parse_snapshot("{", sim_venue, symbol_id{"X"}, local))
          == code(wire_errc::malformed_json));
  }
  SECTION("missing u") {
    auto r = parse_frame(R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,)"
                         R"("b":[],"a":[]})",
                         sim_venue, local);
    CHECK(code_of(r) == code(wire_errc::missing_field));
  }
  SECTION("missing e") {
    CHECK(code_of(parse_frame(R"({"E":1})", sim_venue, local))
          == code(wire_errc::missing_field));
  }
  SECTION("a decimal that does not parse") {
    auto r = parse_frame(R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,)"
                         R"("u":2,"b":[["abc","1"]],"a":[]})",
                         sim_venue, local);
    CHECK(code_of(r) == code(wire_errc::bad_decimal));
    auto t = parse_frame(R"({"e":"trade","E":1,"s":"BTCUSDT","t":1,)"
                         R"("p":"1.5","q":"-2","m":false})",
                         sim_venue, local);
    CHECK(code_of(t) == code(wire_errc::bad_decimal));
  }
  SECTION("a number where a decimal string is expected") {
    auto r = parse_frame(R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,)"
                         R"("u":2,"b":[[65000.1,"1"]],"a":[]})",
                         sim_venue, local);
    CHECK(code_of(r) == code(wire_errc::wrong_type));
    auto t = parse_frame(R"({"e":"trade","E":1,"s":"BTCUSDT","t":1,)"
                         R"("p":1.5,"q":"2","m":false})",
                         sim_venue, local);
    CHECK(code_of(t) == code(wire_errc::wrong_type));
  }
  SECTION("other wrong types") {
    CHECK(code_of(parse_frame(R"({"e":"depthUpdate","E":"1","s":"X","U":1,)"
                              R"("u":2,"b":[],"a":[]})",
                              sim_venue, local))
          == code(wire_errc::wrong_type));
    CHECK(code_of(parse_frame(R"({"e":"depthUpdate","E":1,"s":"X","U":1,)"
                              R"("u":2,"b":[["1"]],"a":[]})",
                              sim_venue, local))
          == code(wire_errc::wrong_type));
    CHECK(code_of(parse_frame(R"({"e":"depthUpdate","E":1,"s":"X","U":-1,)"
                              R"("u":2,"b":[],"a":[]})",
                              sim_venue, local))
          == code(wire_errc::wrong_type));
    // A millisecond time that overflows nanoseconds.
    CHECK(code_of(parse_frame(R"({"e":"trade","E":18446744073709551615,)"
                              R"("s":"X","t":1,"p":"1","q":"1","m":true})",
                              sim_venue, local))
          == code(wire_errc::wrong_type));
    CHECK(code_of(parse_frame(R"({"e":7})", sim_venue, local))
          == code(wire_errc::wrong_type));
  }
  SECTION("unknown event") {
    CHECK(code_of(parse_frame(R"({"e":"kline","E":1})", sim_venue, local))
          == code(wire_errc::unknown_event));
  }
}

TEST_CASE("wire errors carry a stable name and a detail") {
  CHECK(std::string{to_string(wire_errc::malformed_json)} == "malformed_json");
  CHECK(std::string{to_string(wire_errc::missing_field)} == "missing_field");
  CHECK(std::string{to_string(wire_errc::wrong_type)} == "wrong_type");
  CHECK(std::string{to_string(wire_errc::bad_decimal)} == "bad_decimal");
  CHECK(std::string{to_string(wire_errc::unknown_event)} == "unknown_event");
  auto err = make_error(wire_errc::missing_field, "missing \"u\"");
  CHECK(err.code() == 2);
  CHECK(err.category() == caf::atom("wire"));
  REQUIRE(err.context().match_elements<std::string>());
  CHECK(err.context().get_as<std::string>(0) == "missing \"u\"");
}

TEST_CASE("the parser survives random mutations and truncations of valid frames") {
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
                                       encode_trade(t), encode_snapshot(s)};
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
    auto frame = parse_frame(text, sim_venue, local);
    auto snap = parse_snapshot(text, sim_venue, symbol_id{"BTCUSDT"}, local);
    for (bool good : {static_cast<bool>(frame), static_cast<bool>(snap)})
      ++(good ? ok : failed);
    if (!frame)
      CHECK(frame.error().category() == caf::atom("wire"));
  }
  // Both outcomes occur: mutations mostly break frames, some stay valid.
  CHECK(failed > 10'000);
  CHECK(ok > 0);
}
