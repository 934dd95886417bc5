// Integration: the control API as an operator uses it (symbols spawned and
// stopped live, authentication, routes).

#include "harness.hpp"

using namespace agora;
using namespace agora::itest;

TEST_CASE("a symbol is spawned and stopped live") {
  service_fixture f{standard_config};
  auto r = f.http("POST", "/v1/spawn", R"({"symbol":"SOLUSDT"})");
  REQUIRE(r.ok);
  INFO(r.body);
  REQUIRE(r.status == 200);

  CHECK(poll_until([&] {
    auto g = f.graph();
    bool book = false;
    bool strategy = false;
    for (auto& n : g.nodes) {
      if (n.name == "venue:sim/book:SOLUSDT")
        book = n.state == "fresh" && n.parent == "venue:sim";
      if (n.name == "strategies/mr:SOLUSDT")
        strategy = n.parent == "strategies" && n.kind == "strategy"
                   && n.state != "unresponsive" && n.state != "down";
    }
    return book && strategy;
  }));
  // The new strategy is fed by the new book.
  CHECK(poll_until([&] {
    auto b = f.node("venue:sim/book:SOLUSDT");
    return b && detail_u64(b->detail, "subscribers") == 1;
  }));
  // Spawning it twice is refused.
  CHECK(f.http("POST", "/v1/spawn", R"({"symbol":"SOLUSDT"})").status == 409);

  auto s = f.http("POST", "/v1/stop", R"({"symbol":"SOLUSDT"})");
  INFO(s.body);
  REQUIRE(s.status == 200);
  CHECK(poll_until([&] {
    for (auto& n : f.graph().nodes)
      if (n.name == "venue:sim/book:SOLUSDT"
          || n.name == "strategies/mr:SOLUSDT")
        return false;
    return true;
  }));
  // The rest of the tree is untouched.
  CHECK(f.all_fresh());
  CHECK(f.node("venue:sim/book:BTCUSDT"));
  CHECK(f.node("strategies/mr:BTCUSDT"));
  // Stopping it again finds nothing.
  CHECK(f.http("POST", "/v1/stop", R"({"symbol":"SOLUSDT"})").status == 404);

  auto bad = f.http("POST", "/v1/spawn", R"({"symbol":"sol/usdt"})");
  CHECK(bad.status == 400);
  CHECK_FALSE(json_field(bad.body, "error").empty());
  CHECK_FALSE(f.node("venue:sim/book:sol/usdt"));
}

TEST_CASE("the control API refuses a missing or a wrong token") {
  service_fixture f{standard_config};
  auto missing = f.http_with("", "GET", "/v1/status");
  REQUIRE(missing.ok);
  CHECK(missing.status == 401);
  auto wrong = f.http_with("not-the-token", "GET", "/v1/status");
  REQUIRE(wrong.ok);
  CHECK(wrong.status == 401);
  // A refused request does nothing.
  CHECK(f.http_with("not-the-token", "POST", "/v1/halt").status == 401);
  auto right = f.http("GET", "/v1/status");
  REQUIRE(right.ok);
  CHECK(right.status == 200);
  CHECK(json_field(right.body, "state") == "ACTIVE");
  auto unknown = f.http("GET", "/v1/nope");
  CHECK(unknown.status == 404);
  // Every other route answers.
  for (auto target : {"/v1/graph", "/v1/orders", "/v1/positions", "/metrics"})
    CHECK(f.http("GET", target).status == 200);
}
