#include <catch2/catch.hpp>

#include <string>

#include <rapidjson/document.h>

#include "actors/alerts/alert_format.hpp"
#include "venues/common/json.hpp"

// Alert texts and payloads, byte for byte.

using namespace agora;

namespace {

constexpr nanos t0 = 1'795'417'200'123 * ns_per_ms; // 2026-11-23T07:00:00.123Z

notional units(const char* text) {
  return *notional::parse(text);
}

} // namespace

TEST_CASE("alert text carries level, source and the repeat count",
          "[alert_format]") {
  alert_raised a{alert_level::critical, "risk", "halted: daily loss 2.1%", t0,
                 ""};
  CHECK(alert_message_text(a, 0) == "[CRITICAL] risk: halted: daily loss 2.1%");
  CHECK(alert_message_text(a, 1)
        == "[CRITICAL] risk: halted: daily loss 2.1% (+1 repeat)");
  CHECK(alert_message_text(a, 3)
        == "[CRITICAL] risk: halted: daily loss 2.1% (+3 repeats)");
  a.level = alert_level::info;
  CHECK(alert_message_text(a, 0) == "[INFO] risk: halted: daily loss 2.1%");
}

TEST_CASE(
    "UTC times format to the millisecond, across leap days and before 1970",
    "[alert_format]") {
  CHECK(format_utc_millis(t0) == "2026-11-23T07:00:00.123Z");
  CHECK(format_utc_millis(t0 + 999'999)
        == "2026-11-23T07:00:00.123Z"); // Truncated.
  CHECK(format_utc_millis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_utc_millis(1'709'251'199'999 * ns_per_ms)
        == "2024-02-29T23:59:59.999Z");
  CHECK(format_utc_millis(-1 * ns_per_s) == "1969-12-31T23:59:59.000Z");
  CHECK(format_utc_date(t0) == "2026-11-23");
  CHECK(format_utc_date(1'709'251'199'999 * ns_per_ms + ns_per_ms)
        == "2024-03-01");
}

TEST_CASE("invalid UTF-8 is replaced so JSON payloads stay valid",
          "[alert_format]") {
  CHECK(valid_utf8("plain") == "plain");
  CHECK(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\xA8")
        == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\xA8");
  CHECK(valid_utf8("a\xFF"
                   "b")
        == "a?b");
  CHECK(valid_utf8("\xC3") == "?");                // Truncated sequence.
  CHECK(valid_utf8("\xC0\xAF") == "??");           // Overlong.
  CHECK(valid_utf8("\xED\xA0\x80") == "???");      // Surrogate.
  CHECK(valid_utf8("\xF4\x90\x80\x80") == "????"); // Beyond U+10FFFF.
}

TEST_CASE(
    "the Telegram body is JSON with chat id, escaped text and silence for INFO",
    "[alert_format]") {
  CHECK(
      telegram_message_json("-100123", "[INFO] a \"quoted\"\nline\\", true)
      == R"({"chat_id":"-100123","text":"[INFO] a \"quoted\"\nline\\","disable_notification":true})");
  CHECK(telegram_message_json("42", "x\x01", false)
        == R"({"chat_id":"42","text":"x\u0001","disable_notification":false})");
}

TEST_CASE("the webhook body carries every field of the alert",
          "[alert_format]") {
  alert_raised a{alert_level::critical, "gateway", "leg risk \"BTC\"", t0,
                 "leg_risk:BTCUSDT"};
  auto body = webhook_json(a, 4);
  CHECK(
      body
      == R"({"service":"agora","level":"critical","source":"gateway","key":"leg_risk:BTCUSDT",)"
         R"("text":"leg risk \"BTC\"","time":"2026-11-23T07:00:00.123Z","repeats":4})");
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(json::get_string(doc, "text")
        == std::optional<std::string_view>{"leg risk \"BTC\""});
  a.level = alert_level::warning;
  a.key.clear();
  CHECK(webhook_json(a, 0).find(
            R"("level":"warning","source":"gateway","key":"",)")
        != std::string::npos);
}

TEST_CASE("the daily summary reads PnL, fills, win rate and equity",
          "[alert_format]") {
  daily_summary s;
  s.day_start = 1'795'392'000 * ns_per_s; // 2026-11-23
  s.taken = t0;
  s.realized_pnl = units("12.5");
  s.unrealized_pnl = units("-3");
  s.fees = units("0.75");
  s.fills = 14;
  s.round_trips = 3;
  s.wins = 2;
  s.equity = units("10012.5");
  s.peak_equity = units("10020");
  CHECK(daily_summary_text(s)
        == "daily summary 2026-11-23: realized PnL 12.5, unrealized -3, fees "
           "0.75, fills 14, "
           "round trips 3, win rate 66.7% (2/3), equity 10012.5 (peak 10020)");
  s.round_trips = 8;
  s.wins = 1; // 12.5% exactly
  CHECK(daily_summary_text(s).find("win rate 12.5% (1/8)")
        != std::string::npos);
  s.round_trips = 16;
  s.wins = 1; // 6.25% rounds half up
  CHECK(daily_summary_text(s).find("win rate 6.3% (1/16)")
        != std::string::npos);
  s.wins = 16;
  CHECK(daily_summary_text(s).find("win rate 100.0% (16/16)")
        != std::string::npos);
  daily_summary empty;
  empty.taken = t0;
  CHECK(daily_summary_text(empty)
        == "daily summary 2026-11-23: realized PnL 0, unrealized 0, fees 0, "
           "fills 0, "
           "round trips 0, win rate - (0/0), equity 0 (peak 0)");
}

TEST_CASE("a partial daily summary says so and up to when",
          "[alert_format]") {
  daily_summary s;
  s.day_start = 1'795'392'000 * ns_per_s;                  // 2026-11-23
  s.taken = s.day_start + (14 * 3600 + 5 * 60 + 9) * ns_per_s + 999 * ns_per_ms;
  s.realized_pnl = units("-0.1");
  s.unrealized_pnl = units("-2");
  s.fees = units("0.1");
  s.fills = 1;
  s.equity = units("9997.9");
  s.peak_equity = units("10000");
  s.partial = true;
  CHECK(daily_summary_text(s)
        == "daily summary 2026-11-23 (partial, so far to 14:05:09Z): realized "
           "PnL -0.1, unrealized -2, fees 0.1, fills 1, round trips 0, win "
           "rate - (0/0), equity 9997.9 (peak 10000)");
  // A closed day carries no label: its date is the whole UTC day.
  s.partial = false;
  CHECK(daily_summary_text(s).rfind("daily summary 2026-11-23: realized PnL "
                                    "-0.1,",
                                    0)
        == 0);
}
