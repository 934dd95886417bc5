#include <catch2/catch.hpp>

#include "actors/risk/macro_calendar.hpp"

using namespace agora;

namespace {

nanos at(const char* iso) {
  return parse_iso8601(iso).value();
}

constexpr nanos minute = 60 * ns_per_s;

const char* calendar_json = R"({"events":[
  {"time":"2026-11-23T13:30:00Z","name":"US CPI","impact":"high"},
  {"time":"2026-11-23T13:40:00Z","name":"Jobless claims","impact":"high"},
  {"time":"2026-11-23T10:00:00Z","name":"PMI","impact":"medium"},
  {"time":"2026-11-23T19:00:00Z","name":"FOMC","impact":"high"}]})";

} // namespace

TEST_CASE("ISO 8601 times parse to UTC nanoseconds") {
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_iso8601("2026-11-23T13:30:00Z") == 1'795'440'600 * ns_per_s);
  CHECK(parse_iso8601("2026-11-23T14:30:00+01:00") == 1'795'440'600 * ns_per_s);
  CHECK(parse_iso8601("2026-11-23T13:30:00.25Z")
        == 1'795'440'600 * ns_per_s + 250 * ns_per_ms);
  CHECK(parse_iso8601("2024-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_iso8601("2026-02-29T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-11-23T13:30:00"));
  CHECK_FALSE(parse_iso8601("2026-11-23 13:30:00Z"));
  CHECK_FALSE(parse_iso8601("2026-11-23T24:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-11-23T13:30:00Zx"));
  CHECK(utc_hhmm(at("2026-11-23T13:45:59Z")) == "13:45Z");
}

TEST_CASE("high-impact events open windows 15 minutes either side and "
          "overlapping ones merge") {
  auto r = macro_calendar::parse(calendar_json, macro_settings{});
  REQUIRE(r);
  auto& cal = *r.calendar;
  CHECK(cal.events().size() == 4);
  CHECK(cal.events().front().name == "PMI");
  REQUIRE(cal.windows().size() == 2);
  CHECK(cal.windows()[0]
        == macro_window{"US CPI + Jobless claims", at("2026-11-23T13:15:00Z"),
                        at("2026-11-23T13:55:00Z")});
  CHECK(cal.windows()[1]
        == macro_window{"FOMC", at("2026-11-23T18:45:00Z"),
                        at("2026-11-23T19:15:00Z")});
  // The medium PMI opens nothing.
  CHECK_FALSE(cal.window_at(at("2026-11-23T10:00:00Z")));
  CHECK_FALSE(cal.window_at(at("2026-11-23T13:15:00Z") - 1));
  REQUIRE(cal.window_at(at("2026-11-23T13:15:00Z")));
  CHECK(cal.window_at(at("2026-11-23T13:50:00Z"))->name
        == "US CPI + Jobless claims");
  CHECK_FALSE(cal.window_at(at("2026-11-23T13:55:00Z")));
}

TEST_CASE("next change is the next window start or end") {
  auto cal = *macro_calendar::parse(calendar_json, macro_settings{}).calendar;
  CHECK(cal.next_change(at("2026-11-23T09:00:00Z"))
        == at("2026-11-23T13:15:00Z"));
  CHECK(cal.next_change(at("2026-11-23T13:15:00Z"))
        == at("2026-11-23T13:55:00Z"));
  CHECK(cal.next_change(at("2026-11-23T13:55:00Z"))
        == at("2026-11-23T18:45:00Z"));
  CHECK(cal.next_change(at("2026-11-23T19:00:00Z"))
        == at("2026-11-23T19:15:00Z"));
  CHECK_FALSE(cal.next_change(at("2026-11-23T19:15:00Z")));
}

TEST_CASE("settings choose the impacts and the window widths") {
  macro_settings s;
  s.before = 5 * minute;
  s.after = 30 * minute;
  s.impacts = {"high", "medium"};
  auto cal = *macro_calendar::parse(calendar_json, s).calendar;
  REQUIRE(cal.windows().size() == 3);
  CHECK(cal.windows()[0]
        == macro_window{"PMI", at("2026-11-23T09:55:00Z"),
                        at("2026-11-23T10:30:00Z")});
  CHECK(cal.windows()[1].start == at("2026-11-23T13:25:00Z"));
  CHECK(cal.windows()[1].end == at("2026-11-23T14:10:00Z"));
}

TEST_CASE("a bad calendar names the entry and the field") {
  auto err = [](const char* json) {
    auto r = macro_calendar::parse(json, macro_settings{});
    CHECK_FALSE(r);
    return r.error;
  };
  CHECK(
      err(R"({"events":[{"time":"2026-11-23T13:30:00Z","name":"A","impact":"high"},
                          {"time":"13:30","name":"B","impact":"high"}]})")
      == "events[1].time: not an ISO 8601 time with a zone: \"13:30\"");
  CHECK(err(R"({"events":[{"time":"2026-11-23T13:30:00Z","impact":"high"}]})")
        == "events[0].name: missing, empty or not a string");
  CHECK(
      err(R"({"events":[{"time":"2026-11-23T13:30:00Z","name":"A","impact":"huge"}]})")
      == "events[0].impact: \"huge\" is not high, medium or low");
  CHECK(err(R"({"events":[{"time":"2026-11-23T13:30:00Z","name":"A"}]})")
        == "events[0].impact: missing or not a string");
  CHECK(err(R"({"events":[{"time":1,"name":"A","impact":"low"}]})")
        == "events[0].time: missing or not a string");
  CHECK(err(R"({"events":[3]})") == "events[0]: not an object");
  CHECK(err(R"({"evts":[]})") == "events: missing or not an array");
  CHECK(err("{").rfind("not JSON: ", 0) == 0);
}

TEST_CASE("loading a missing calendar file names the path") {
  auto r = macro_calendar::load("/nonexistent/calendar.json", macro_settings{});
  CHECK_FALSE(r);
  CHECK(r.error == "/nonexistent/calendar.json: cannot be read");
}
