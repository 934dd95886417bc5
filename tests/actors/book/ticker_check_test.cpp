#include "actors/book/ticker_check.hpp"

#include <catch2/catch.hpp>

using namespace agora;

namespace {

book_level lvl(const char* p, const char* q) { return {*price::parse(p), *quantity::parse(q)}; }

book_ticker ticker(uint64_t u, const char* bp, const char* bq, const char* ap, const char* aq) {
  book_ticker t;
  t.update_id = u;
  t.bid = lvl(bp, bq);
  t.ask = lvl(ap, aq);
  return t;
}

} // namespace

TEST_CASE("a ticker at an applied diff's last id is compared with the book", "[ticker_check]") {
  ticker_check c;
  c.on_applied(10, lvl("100", "1"), lvl("101", "2"));
  c.on_ticker(ticker(10, "100", "1", "101", "2"), true, 10);
  CHECK(c.tickers() == 1);
  CHECK(c.checked() == 1);
  CHECK(c.agreed() == 1);
}

TEST_CASE("a ticker arriving before its diff waits for it", "[ticker_check]") {
  ticker_check c;
  c.on_applied(10, lvl("100", "1"), lvl("101", "2"));
  c.on_ticker(ticker(15, "100", "3", "101", "2"), true, 10);
  c.on_ticker(ticker(12, "100", "9", "101", "2"), true, 10); // inside the next diff's range
  CHECK(c.checked() == 0);
  c.on_applied(15, lvl("100", "3"), lvl("101", "2"));
  CHECK(c.checked() == 1);
  CHECK(c.agreed() == 1);
}

TEST_CASE("a late ticker is compared with the book as it stood then", "[ticker_check]") {
  ticker_check c;
  c.on_applied(10, lvl("100", "1"), lvl("101", "2"));
  c.on_applied(20, lvl("100.5", "1"), lvl("101", "2"));
  c.on_ticker(ticker(10, "100", "1", "101", "2"), true, 20);
  CHECK(c.checked() == 1);
  CHECK(c.agreed() == 1);
}

TEST_CASE("a disagreeing ticker is counted and described", "[ticker_check]") {
  ticker_check c;
  c.on_applied(10, lvl("100", "1"), lvl("101", "2"));
  c.on_ticker(ticker(10, "100", "1.5", "101", "2"), true, 10);
  CHECK(c.checked() == 1);
  CHECK(c.agreed() == 0);
  CHECK(c.first_disagreement().find("u=10") == 0);
}

TEST_CASE("tickers of a stale book are not checked", "[ticker_check]") {
  ticker_check c;
  c.on_ticker(ticker(10, "100", "1", "101", "2"), false, 0);
  c.on_applied(10, lvl("100", "1"), lvl("101", "2"));
  CHECK(c.tickers() == 1);
  CHECK(c.checked() == 0);
  c.on_ticker(ticker(11, "100", "1", "101", "2"), true, 10);
  c.reset();
  c.on_applied(11, lvl("100", "1"), lvl("101", "2"));
  CHECK(c.checked() == 0);
}
