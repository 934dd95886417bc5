#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include "venues/binance/client_ids.hpp"

using namespace agora;
using namespace agora::binance;

TEST_CASE("client ids encode as ag- and decimal") {
  CHECK(encode_client_id(client_order_id{42}) == "ag-42");
  CHECK(encode_client_id(client_order_id{1}) == "ag-1");
  auto max = encode_client_id(
    client_order_id{std::numeric_limits<uint64_t>::max()});
  CHECK(max == "ag-18446744073709551615");
  CHECK(max.size() <= 36);
}

TEST_CASE("client ids round trip") {
  std::mt19937_64 rng{20240611};
  for (int i = 0; i < 10'000; ++i) {
    client_order_id cid{rng() | 1};
    auto text = encode_client_id(cid);
    for (char c : text) {
      bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                     || (c >= '0' && c <= '9') || c == '.' || c == ':'
                     || c == '/' || c == '_' || c == '-';
      REQUIRE(allowed);
    }
    auto back = decode_client_id(text);
    REQUIRE(back);
    REQUIRE(*back == cid);
  }
}

TEST_CASE("client ids that are not ours are refused") {
  CHECK_FALSE(decode_client_id(""));
  CHECK_FALSE(decode_client_id("ag-"));
  CHECK_FALSE(decode_client_id("6gCrw2kRUAF9CvJDGP16IP"));
  CHECK_FALSE(decode_client_id("web_8c2bcb7e3b9a4f5c"));
  CHECK_FALSE(decode_client_id("autoclose-1234"));
  CHECK_FALSE(decode_client_id("adl_autoclose"));
  CHECK_FALSE(decode_client_id("AG-42"));
  CHECK_FALSE(decode_client_id("ag-0"));
  CHECK_FALSE(decode_client_id("ag-042"));
  CHECK_FALSE(decode_client_id("ag-42x"));
  CHECK_FALSE(decode_client_id("ag--42"));
  CHECK_FALSE(decode_client_id("ag-+42"));
  CHECK_FALSE(decode_client_id("ag-18446744073709551616"));
  CHECK_FALSE(decode_client_id("ag-99999999999999999999"));
  CHECK_FALSE(decode_client_id("ag-123456789012345678901"));
  CHECK(decode_client_id("ag-18446744073709551615")
        == client_order_id{std::numeric_limits<uint64_t>::max()});
}
