#include <catch2/catch.hpp>

#include <string>

#include "venues/common/url.hpp"

using namespace agora::net;

namespace {

/// Parses `text`, requiring failure; returns the error.
std::string error_of(std::string_view text) {
  std::string error;
  auto u = parse_url(text, &error);
  CHECK_FALSE(u.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

} // namespace

TEST_CASE("parse_url splits scheme, host, port and target", "[url]") {
  std::string error;
  auto u = parse_url("wss://127.0.0.1:9443/stream?streams=a/b", &error);
  REQUIRE(u);
  CHECK(error.empty());
  CHECK(u->scheme == "wss");
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 9443);
  CHECK(u->target == "/stream?streams=a/b");
  CHECK(u->tls());
  CHECK(u->host_port() == "127.0.0.1:9443");
  CHECK(u->authority() == "127.0.0.1:9443");
}

TEST_CASE("parse_url fills in the scheme's default port and the root target", "[url]") {
  auto https = parse_url("https://testnet.binance.vision", nullptr);
  REQUIRE(https);
  CHECK(https->scheme == "https");
  CHECK(https->host == "testnet.binance.vision");
  CHECK(https->port == 443);
  CHECK(https->target == "/");
  CHECK(https->tls());
  CHECK(https->authority() == "testnet.binance.vision");
  CHECK(https->host_port() == "testnet.binance.vision:443");

  auto ws = parse_url("ws://example.com", nullptr);
  REQUIRE(ws);
  CHECK(ws->port == 80);
  CHECK_FALSE(ws->tls());

  auto http = parse_url("HTTP://Example.com?x=1#frag", nullptr);
  REQUIRE(http);
  CHECK(http->scheme == "http");
  CHECK(http->host == "Example.com");
  CHECK(http->port == 80);
  CHECK(http->target == "/?x=1");

  auto wss = parse_url("wss://fstream.binance.com/ws/btcusdt@depth#x", nullptr);
  REQUIRE(wss);
  CHECK(wss->port == 443);
  CHECK(wss->target == "/ws/btcusdt@depth");
}

TEST_CASE("parse_url reads bracketed IPv6 hosts", "[url]") {
  auto u = parse_url("ws://[::1]:80/x", nullptr);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 80);
  CHECK(u->target == "/x");
  CHECK(u->authority() == "[::1]");
  CHECK(u->host_port() == "[::1]:80");

  auto v = parse_url("https://[::1]:8443", nullptr);
  REQUIRE(v);
  CHECK(v->port == 8443);
  CHECK(v->authority() == "[::1]:8443");
}

TEST_CASE("parse_url rejects unknown schemes, empty hosts and bad ports", "[url]") {
  CHECK(error_of("ftp://example.com/x") == "url \"ftp://example.com/x\" has unknown scheme \"ftp\"");
  CHECK(error_of("example.com/x").find("has no scheme") != std::string::npos);
  CHECK(error_of("https://") == "url \"https://\" has an empty host");
  CHECK(error_of("https://:443/x") == "url \"https://:443/x\" has an empty host");
  CHECK(error_of("ws://[]:80/") == "url \"ws://[]:80/\" has an empty host");
  CHECK(error_of("https://h:0/") == "url \"https://h:0/\" has a bad port \"0\"");
  CHECK(error_of("https://h:65536") == "url \"https://h:65536\" has a bad port \"65536\"");
  CHECK(error_of("https://h:12a/") == "url \"https://h:12a/\" has a bad port \"12a\"");
  CHECK(error_of("https://h:/") == "url \"https://h:/\" has a bad port \"\"");
  CHECK(error_of("https://h:123456") == "url \"https://h:123456\" has a bad port \"123456\"");
  CHECK(error_of("ws://[::1/x") == "url \"ws://[::1/x\": unterminated IPv6 address");
  CHECK(error_of("ws://[::1]x/") == "url \"ws://[::1]x/\": unexpected text after IPv6 address");
  CHECK(error_of("https://user:pw@h/") == "url \"https://user:pw@h/\": user info is not supported");
  CHECK(error_of("https://h/a b").find("spaces or control characters") != std::string::npos);
  CHECK(error_of("https://h\x01/") == "url \"https://h\x01/\" has an invalid host");
  CHECK_FALSE(parse_url("https://h:65535/", nullptr) == std::nullopt);
}
