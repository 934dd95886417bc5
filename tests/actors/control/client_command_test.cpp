#include <catch2/catch.hpp>

#include "actors/control/client_command.hpp"

using namespace agora;

namespace {

std::optional<client_command> parse(const std::string& command,
                                    std::vector<std::string> args,
                                    std::string* err) {
  return parse_client_command(command, args, err);
}

} // namespace

TEST_CASE("fills asks the journal route with the server's default limit") {
  std::string err;
  auto c = parse("fills", {}, &err);
  REQUIRE(c);
  CHECK(c->method == "GET");
  CHECK(c->target == "/v1/fills");
  CHECK(c->format == "text");
  c = parse("fills", {"--limit", "20", "--json"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/fills?limit=20");
  CHECK(c->format == "json");
}

TEST_CASE("signals passes --blocked and --limit as query parameters") {
  std::string err;
  auto c = parse("signals", {"--blocked"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/signals?blocked=1");
  c = parse("signals", {"--limit", "5", "--blocked"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/signals?limit=5&blocked=1");
}

TEST_CASE("orders shows the live view unless --all asks for the history") {
  std::string err;
  auto c = parse("orders", {}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/orders");
  c = parse("orders", {"--all", "--limit", "100"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/orders/history?limit=100");
  CHECK_FALSE(parse("orders", {"--limit", "100"}, &err));
  CHECK(err == "--limit applies to the journal's history: agora orders --all --limit N");
}

TEST_CASE("a limit outside 1..10000 or not a number is a usage error") {
  std::string err;
  for (auto bad : {"0", "10001", "-1", "ten", "", "1e3"}) {
    CHECK_FALSE(parse("pnl", {"--limit", bad}, &err));
    CHECK(err == "--limit needs a whole number from 1 to 10000, got '"
                   + std::string{bad} + "'");
  }
  CHECK_FALSE(parse("pnl", {"--limit"}, &err));
  CHECK(err == "--limit needs a value; usage: agora pnl [--limit N] [--json]");
  auto c = parse("pnl", {"--limit", "10000"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/pnl?limit=10000");
}

TEST_CASE("reconcile reads, and reconcile --accept posts") {
  std::string err;
  auto c = parse("reconcile", {}, &err);
  REQUIRE(c);
  CHECK(c->method == "GET");
  CHECK(c->target == "/v1/reconcile");
  CHECK_FALSE(c->accept);
  c = parse("reconcile", {"--accept"}, &err);
  REQUIRE(c);
  CHECK(c->method == "POST");
  CHECK(c->target == "/v1/reconcile/accept");
  CHECK(c->accept);
  CHECK_FALSE(parse("reconcile", {"bn-spot"}, &err));
  CHECK(err == "usage: agora reconcile [--accept] [--json]");
}

TEST_CASE("journal export needs the subcommand and a directory") {
  std::string err;
  auto c = parse("journal", {"export", "--csv", "/tmp/out"}, &err);
  REQUIRE(c);
  CHECK(c->csv_dir == "/tmp/out");
  CHECK(c->target.empty());
  for (auto args : std::vector<std::vector<std::string>>{
         {}, {"export"}, {"import", "--csv", "d"}, {"export", "--csv", ""}}) {
    CHECK_FALSE(parse("journal", args, &err));
    CHECK(err == "usage: agora journal export --csv DIR [--config FILE]");
  }
  CHECK_FALSE(parse("journal", {"export", "--csv", "d", "--json"}, &err));
}

TEST_CASE("an option a command does not take is refused with its usage") {
  std::string err;
  CHECK_FALSE(parse("positions", {"--blocked"}, &err));
  CHECK(err == "unknown option '--blocked' for 'positions'; usage: agora positions [--json]");
  CHECK_FALSE(parse("fills", {"--dot"}, &err));
  CHECK_FALSE(parse("status", {"--frobnicate"}, &err));
  CHECK_FALSE(parse("nonsense", {}, &err));
  CHECK(err == "unknown command 'nonsense' (see agora --help)");
}

TEST_CASE("the existing commands build the same requests as before") {
  std::string err;
  auto c = parse("halt", {"--reason", "fat \"finger\""}, &err);
  REQUIRE(c);
  CHECK(c->method == "POST");
  CHECK(c->target == "/v1/halt");
  CHECK(c->body == R"({"reason":"fat \"finger\""})");
  c = parse("halt", {}, &err);
  REQUIRE(c);
  CHECK(c->body == R"({"reason":"operator halt"})");
  c = parse("spawn", {"ETHUSDT", "--venue", "sim"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/spawn");
  CHECK(c->body == R"({"symbol":"ETHUSDT","venue":"sim"})");
  CHECK_FALSE(parse("stop", {}, &err));
  CHECK(err == "usage: agora stop SYMBOL [--venue V]");
  c = parse("fault", {"stall", "--ms", "1500"}, &err);
  REQUIRE(c);
  CHECK(c->body == R"({"kind":"stall","symbol":"","venue":"","duration_ms":1500})");
  CHECK_FALSE(parse("fault", {"stall", "--ms", "soon"}, &err));
  CHECK(err == "--ms needs a number of milliseconds, got 'soon'");
  c = parse("graph", {"--dot"}, &err);
  REQUIRE(c);
  CHECK(c->format == "dot");
  CHECK(c->target == "/v1/graph");
}
