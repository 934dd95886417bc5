#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "actors/control/api_json.hpp"
#include "actors/control/api_query.hpp"
#include "actors/control/client_command.hpp"
#include "actors/control/client_render.hpp"

// `agora halt|resume` with a scope, and the scopes in `agora status`.

using namespace agora;

namespace {

std::optional<client_command>
cmd(const std::string& name, std::vector<std::string> args, std::string* err) {
  return parse_client_command(name, args, err);
}

} // namespace

TEST_CASE(
    "halt and resume name a venue, strategy or symbol scope in the body") {
  std::string err;
  auto c = cmd("halt", {"--venue", "sim", "--reason", "maintenance"}, &err);
  REQUIRE(c);
  CHECK(c->method == "POST");
  CHECK(c->target == "/v1/halt");
  CHECK(c->body == R"({"reason":"maintenance","scope":"venue","name":"sim"})");
  c = cmd("halt", {"--strategy", "mr:BTCUSDT"}, &err);
  REQUIRE(c);
  CHECK(
      c->body
      == R"({"reason":"operator halt","scope":"strategy","name":"mr:BTCUSDT"})");
  c = cmd("halt", {"--symbol", "sim/BTCUSDT"}, &err);
  REQUIRE(c);
  CHECK(
      c->body
      == R"({"reason":"operator halt","scope":"symbol","name":"sim/BTCUSDT"})");
  c = cmd("resume", {"--symbol", "sim/BTCUSDT"}, &err);
  REQUIRE(c);
  CHECK(c->target == "/v1/resume");
  CHECK(c->body == R"({"scope":"symbol","name":"sim/BTCUSDT"})");
  // Without a scope: global, as before.
  c = cmd("resume", {}, &err);
  REQUIRE(c);
  CHECK(c->body.empty());
  c = cmd("halt", {"--reason", "x"}, &err);
  REQUIRE(c);
  CHECK(c->body == R"({"reason":"x"})");
}

TEST_CASE("halt and resume refuse two scopes and a symbol without its venue") {
  std::string err;
  CHECK_FALSE(cmd("halt", {"--venue", "sim", "--strategy", "mr"}, &err));
  CHECK(err
        == "one scope at most (--venue, --strategy or --symbol); usage: agora "
           "halt "
           "[--venue V | --strategy S | --symbol V/SYM] [--reason TEXT]");
  CHECK_FALSE(cmd("resume", {"--symbol", "BTCUSDT"}, &err));
  CHECK(err == "--symbol needs VENUE/SYMBOL (e.g. sim/BTCUSDT), got 'BTCUSDT'");
  CHECK_FALSE(cmd("resume", {"--symbol", "sim/"}, &err));
  CHECK_FALSE(cmd("resume", {"--symbol", "/BTCUSDT"}, &err));
  CHECK_FALSE(cmd("resume", {"--reason", "x"}, &err));
  CHECK_FALSE(cmd("halt", {"--venue"}, &err));
  CHECK(err.rfind("--venue needs a value", 0) == 0);
}

TEST_CASE("status lists the scopes set below global and the CLI prints them") {
  status_report st;
  st.scopes.push_back(scoped_state{trading_scope{scope_kind::venue, "sim"},
                                   trading_state::halted, "maintenance", "cli",
                                   1'700'000'000 * ns_per_s});
  st.scopes.push_back(scoped_state{
      trading_scope{scope_kind::symbol, "sim/ETHUSDT"}, trading_state::reducing,
      "", "cli", 1'700'000'001 * ns_per_s});
  auto json = to_json(st);
  CHECK(
      json.find(
          R"("scopes":[{"scope":"venue:sim","state":"HALTED","reason":"maintenance","by":"cli","since_ns":1700000000000000000},)")
      != std::string::npos);
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  REQUIRE_FALSE(d.HasParseError());
  CHECK(render_scopes(d)
        == "scope          venue:sim HALTED by cli since 2023-11-14 "
           "22:13:20.000 (maintenance)\n"
           "scope          symbol:sim/ETHUSDT REDUCING by cli since 2023-11-14 "
           "22:13:21.000\n");
  CHECK(render_scopes(rapidjson::Document{}.SetObject()).empty());
}

TEST_CASE("the API reads the scope of a halt or resume body") {
  std::string err;
  auto s = parse_trading_scope("", "", &err);
  REQUIRE(s);
  CHECK(s->global());
  s = parse_trading_scope("venue", "sim", &err);
  REQUIRE(s);
  CHECK(s->to_string() == "venue:sim");
  s = parse_trading_scope("symbol", "sim/BTCUSDT", &err);
  REQUIRE(s);
  CHECK(*s == trading_scope{scope_kind::symbol, "sim/BTCUSDT"});
  CHECK_FALSE(parse_trading_scope("desk", "x", &err));
  CHECK(err == "scope must be global, venue, strategy or symbol, got 'desk'");
  CHECK_FALSE(parse_trading_scope("strategy", "", &err));
  CHECK(err == "a strategy scope needs a name");
  CHECK_FALSE(parse_trading_scope("symbol", "BTCUSDT", &err));
  CHECK(err == "a symbol scope needs a name VENUE/SYMBOL, got 'BTCUSDT'");
}
