#include <catch2/catch.hpp>

#include "actors/control/api_query.hpp"

using namespace agora;

TEST_CASE("a target without a query is just a path") {
  std::string err;
  auto t = parse_target("/v1/fills", &err);
  REQUIRE(t);
  CHECK(t->path == "/v1/fills");
  CHECK(t->params.empty());
}

TEST_CASE("query parameters are split and percent-decoded") {
  std::string err;
  auto t = parse_target("/v1/signals?limit=20&blocked&x=a%2Fb+c&&", &err);
  REQUIRE(t);
  CHECK(t->path == "/v1/signals");
  CHECK(t->params.size() == 3);
  CHECK(t->params.at("limit") == "20");
  CHECK(t->params.at("blocked").empty());
  CHECK(t->params.at("x") == "a/b c");
}

TEST_CASE("malformed queries are refused with a reason") {
  std::string err;
  CHECK_FALSE(parse_target("/v1/fills?limit=%2", &err));
  CHECK(err == "malformed percent escape in the query string");
  CHECK_FALSE(parse_target("/v1/fills?limit=%zz", &err));
  CHECK_FALSE(parse_target("/v1/fills?=3", &err));
  CHECK(err == "empty parameter name in the query string");
  CHECK_FALSE(parse_target("/v1/fills?limit=1&limit=2", &err));
  CHECK(err == "query parameter 'limit' given twice");
}

TEST_CASE("limit defaults when absent and is bounded when given") {
  std::string err;
  auto limit = [&](const char* target) {
    return query_limit(*parse_target(target, &err), 50, 10000, &err);
  };
  CHECK(limit("/v1/fills") == 50u);
  CHECK(limit("/v1/fills?limit=1") == 1u);
  CHECK(limit("/v1/fills?limit=10000") == 10000u);
  CHECK_FALSE(limit("/v1/fills?limit=0"));
  CHECK_FALSE(limit("/v1/fills?limit=10001"));
  CHECK_FALSE(limit("/v1/fills?limit=-5"));
  CHECK_FALSE(limit("/v1/fills?limit=5x"));
  CHECK_FALSE(limit("/v1/fills?limit=99999999999999999999999"));
  CHECK_FALSE(limit("/v1/fills?limit"));
  CHECK(err == "limit must be a whole number from 1 to 10000, got ''");
}

TEST_CASE("flags read 1, 0, true and false and nothing else") {
  std::string err;
  auto flag = [&](const char* target) {
    return query_flag(*parse_target(target, &err), "blocked", &err);
  };
  CHECK(flag("/v1/signals") == false);
  CHECK(flag("/v1/signals?blocked=1") == true);
  CHECK(flag("/v1/signals?blocked=true") == true);
  CHECK(flag("/v1/signals?blocked=0") == false);
  CHECK(flag("/v1/signals?blocked=false") == false);
  CHECK_FALSE(flag("/v1/signals?blocked=yes"));
  CHECK(err == "blocked must be 1, 0, true or false, got 'yes'");
}

TEST_CASE("parameters a route does not take are named") {
  std::string err;
  auto t = parse_target("/v1/fills?limit=3&blocked=1", &err);
  REQUIRE(t);
  CHECK(unexpected_param(*t, {"limit"})
        == std::string{"unknown query parameter 'blocked' for /v1/fills"});
  CHECK_FALSE(unexpected_param(*t, {"limit", "blocked"}));
}
