#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "messages/fixed_point.hpp"
#include "venues/common/json.hpp"

using namespace agora;

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

} // namespace

TEST_CASE("checked json access finds members and reports missing ones as absent") {
  auto doc = parse(R"({"s":"BTCUSDT","n":42,"neg":-7,"b":true,"d":1.5,)"
                   R"("arr":[1,2],"obj":{"k":"v"},"px":"65000.10"})");
  REQUIRE(json::find(doc, "s") != nullptr);
  CHECK(json::find(doc, "missing") == nullptr);
  CHECK(json::find(doc, "") == nullptr);
  CHECK(json::get_string(doc, "s") == std::optional<std::string_view>{"BTCUSDT"});
  CHECK(json::get_u64(doc, "n") == std::optional<uint64_t>{42});
  CHECK(json::get_i64(doc, "neg") == std::optional<int64_t>{-7});
  CHECK(json::get_i64(doc, "n") == std::optional<int64_t>{42});
  CHECK(json::get_bool(doc, "b") == std::optional<bool>{true});
  CHECK(json::get_double(doc, "d") == std::optional<double>{1.5});
  CHECK(json::get_double(doc, "n") == std::optional<double>{42.0});
  REQUIRE(json::get_array(doc, "arr") != nullptr);
  CHECK(json::get_array(doc, "arr")->Size() == 2);
  REQUIRE(json::get_object(doc, "obj") != nullptr);
  CHECK(json::get_string(*json::get_object(doc, "obj"), "k")
        == std::optional<std::string_view>{"v"});
  CHECK(json::get_decimal<price>(doc, "px") == price::parse("65000.1"));
  CHECK(json::get_decimal<price>(doc, "px")->raw() == 6'500'010'000'000LL);
}

TEST_CASE("checked json access refuses values of the wrong type") {
  auto doc = parse(R"({"s":"BTCUSDT","n":42,"neg":-7,"d":1.5,"px":65000.1,)"
                   R"("bad":"abc","arr":[1]})");
  CHECK_FALSE(json::get_string(doc, "n"));
  CHECK_FALSE(json::get_u64(doc, "s"));
  CHECK_FALSE(json::get_u64(doc, "neg"));
  CHECK_FALSE(json::get_u64(doc, "d"));
  CHECK_FALSE(json::get_i64(doc, "d"));
  CHECK_FALSE(json::get_bool(doc, "n"));
  CHECK_FALSE(json::get_double(doc, "s"));
  CHECK(json::get_array(doc, "s") == nullptr);
  CHECK(json::get_object(doc, "arr") == nullptr);
  // A decimal must arrive as a string and parse exactly.
  CHECK_FALSE(json::get_decimal<price>(doc, "px"));
  CHECK_FALSE(json::get_decimal<price>(doc, "bad"));
  CHECK_FALSE(json::get_decimal<price>(doc, "missing"));
}

TEST_CASE("checked json access on a non-object finds nothing") {
  auto doc = parse(R"([{"s":"x"}])");
  CHECK(json::find(doc, "s") == nullptr);
  CHECK_FALSE(json::get_string(doc, "s"));
  auto num = parse("3");
  CHECK_FALSE(json::get_u64(num, "s"));
}
