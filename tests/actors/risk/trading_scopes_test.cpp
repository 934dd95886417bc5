#include <catch2/catch.hpp>

#include "actors/risk/trading_scopes.hpp"

using namespace agora;

namespace {

const venue_id sim{"sim"};
const venue_id bnb{"binance"};
const symbol_id btc{"BTCUSDT"};
const symbol_id eth{"ETHUSDT"};

trading_scope venue_of(const venue_id& v) {
  return trading_scopes::venue_scope(v);
}

} // namespace

TEST_CASE("a new scope book is ACTIVE everywhere and lists nothing") {
  trading_scopes s;
  CHECK(s.global() == trading_state::active);
  CHECK(s.list().empty());
  auto e = s.effective(sim, "mr", btc);
  CHECK(e.state == trading_state::active);
  CHECK(e.scope.global());
}

TEST_CASE("setting a scope to its current state reports no change") {
  trading_scopes s;
  CHECK_FALSE(s.set(trading_scope{}, trading_state::active, "x", "cli", 1));
  CHECK(s.set(venue_of(sim), trading_state::halted, "maintenance", "cli", 5));
  CHECK_FALSE(s.set(venue_of(sim), trading_state::halted, "other", "risk", 6));
  auto v = s.get(venue_of(sim));
  CHECK(v.reason == "maintenance");
  CHECK(v.by == "cli");
  CHECK(v.since == 5);
  CHECK_FALSE(s.set(venue_of(bnb), trading_state::active, "", "cli", 7));
}

TEST_CASE("symbol scopes are named venue/SYMBOL") {
  auto sc = trading_scopes::symbol_scope(sim, btc);
  CHECK(sc.kind == scope_kind::symbol);
  CHECK(sc.name == "sim/BTCUSDT");
  CHECK(sc.to_string() == "symbol:sim/BTCUSDT");
}

TEST_CASE(
    "the effective state is the most restrictive of the order's four scopes") {
  trading_scopes s;
  REQUIRE(s.set(trading_scopes::strategy_scope("mr"), trading_state::reducing,
                "strategy review", "cli", 1));
  REQUIRE(s.set(trading_scopes::symbol_scope(sim, btc), trading_state::halted,
                "bad prints", "cli", 2));
  auto e = s.effective(sim, "mr", btc);
  CHECK(e.state == trading_state::halted);
  CHECK(e.reason == "bad prints");
  CHECK(e.scope == trading_scopes::symbol_scope(sim, btc));
  // Another symbol of the same strategy only meets the strategy scope.
  e = s.effective(sim, "mr", eth);
  CHECK(e.state == trading_state::reducing);
  CHECK(e.reason == "strategy review");
  // Another strategy on the halted symbol meets the symbol scope.
  CHECK(s.effective(sim, "basis", btc).state == trading_state::halted);
  // The same symbol on another venue is not covered.
  CHECK(s.effective(bnb, "basis", btc).state == trading_state::active);
}

TEST_CASE("on a tie the broadest scope gives the reason") {
  trading_scopes s;
  REQUIRE(s.set(trading_scopes::symbol_scope(sim, btc), trading_state::halted,
                "symbol reason", "cli", 1));
  REQUIRE(
      s.set(venue_of(sim), trading_state::halted, "venue reason", "cli", 2));
  auto e = s.effective(sim, "mr", btc);
  CHECK(e.reason == "venue reason");
  REQUIRE(s.set(trading_scope{}, trading_state::halted, "global reason", "risk",
                3));
  e = s.effective(sim, "mr", btc);
  CHECK(e.reason == "global reason");
  CHECK(e.scope.global());
}

TEST_CASE("resuming a narrower scope removes it from the list") {
  trading_scopes s;
  REQUIRE(s.set(venue_of(sim), trading_state::halted, "v", "cli", 1));
  REQUIRE(s.set(venue_of(sim), trading_state::active, "resumed", "cli", 2));
  CHECK(s.list().empty());
  CHECK(s.effective(sim, "mr", btc).state == trading_state::active);
}

TEST_CASE("list shows non-ACTIVE scopes, global first, then by kind and name") {
  trading_scopes s;
  REQUIRE(s.set(trading_scopes::symbol_scope(sim, btc), trading_state::halted,
                "a", "cli", 1));
  REQUIRE(s.set(trading_scopes::strategy_scope("mr"), trading_state::reducing,
                "b", "cli", 2));
  REQUIRE(s.set(venue_of(sim), trading_state::halted, "c", "cli", 3));
  REQUIRE(s.set(venue_of(bnb), trading_state::halted, "d", "cli", 4));
  REQUIRE(s.set(trading_scope{}, trading_state::reducing, "e", "macro", 5));
  auto l = s.list();
  REQUIRE(l.size() == 5);
  CHECK(l[0].scope.to_string() == "global");
  CHECK(l[0].by == "macro");
  CHECK(l[1].scope.to_string() == "venue:binance");
  CHECK(l[2].scope.to_string() == "venue:sim");
  CHECK(l[3].scope.to_string() == "strategy:mr");
  CHECK(l[3].state == trading_state::reducing);
  CHECK(l[4].scope.to_string() == "symbol:sim/BTCUSDT");
  CHECK(l[4].since == 1);
}
