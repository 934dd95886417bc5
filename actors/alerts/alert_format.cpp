#include "actors/alerts/alert_format.hpp"

#include <cctype>
#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace agora {

namespace {

constexpr nanos ns_per_day = 86'400 * ns_per_s;

struct civil_time {
  int64_t year = 1970;
  unsigned month = 1, day = 1;
  unsigned hour = 0, minute = 0, second = 0, milli = 0;
};

/// Howard Hinnant's days_from_civil inverse: the proleptic Gregorian date
/// of day `z` since 1970-01-01.
void civil_from_days(int64_t z, civil_time& c) noexcept {
  z += 719'468;
  auto era = (z >= 0 ? z : z - 146'096) / 146'097;
  auto doe = static_cast<unsigned>(z - era * 146'097);
  auto yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  auto mp = (5 * doy + 2) / 153;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2 ? 1 : 0);
}

civil_time civil_of(nanos t) noexcept {
  auto days = t / ns_per_day;
  auto rest = t % ns_per_day;
  if (rest < 0) {
    rest += ns_per_day;
    --days;
  }
  civil_time c;
  civil_from_days(days, c);
  auto secs = rest / ns_per_s;
  c.hour = static_cast<unsigned>(secs / 3600);
  c.minute = static_cast<unsigned>(secs / 60 % 60);
  c.second = static_cast<unsigned>(secs % 60);
  c.milli = static_cast<unsigned>(rest % ns_per_s / ns_per_ms);
  return c;
}

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w,
                  std::string_view s) {
  auto clean = valid_utf8(s);
  w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

/// Length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t utf8_sequence(std::string_view s) noexcept {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0u) == 0x80u; };
  auto c = b(0);
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2))
      return 0;
    if (c == 0xE0 && b(1) < 0xA0) // overlong
      return 0;
    if (c == 0xED && b(1) >= 0xA0) // surrogates
      return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3))
      return 0;
    if (c == 0xF0 && b(1) < 0x90) // overlong
      return 0;
    if (c == 0xF4 && b(1) >= 0x90) // beyond U+10FFFF
      return 0;
    return 4;
  }
  return 0;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& ch : out)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

} // namespace

std::string alert_message_text(const alert_raised& a, uint64_t repeats) {
  std::string out = "[";
  out += to_string(a.level);
  out += "] ";
  out += a.source;
  out += ": ";
  out += a.text;
  if (repeats == 1)
    out += " (+1 repeat)";
  else if (repeats > 1)
    out += " (+" + std::to_string(repeats) + " repeats)";
  return out;
}

std::string format_utc_millis(nanos t) {
  auto c = civil_of(t);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                static_cast<long long>(c.year), c.month, c.day, c.hour,
                c.minute, c.second, c.milli);
  return buf;
}

std::string format_utc_date(nanos t) {
  auto c = civil_of(t);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u",
                static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto n = utf8_sequence(text);
    if (n == 0) {
      out += '?';
      n = 1;
    } else {
      out.append(text.data(), n);
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string telegram_message_json(std::string_view chat_id,
                                  std::string_view text, bool silent) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("chat_id");
  write_string(w, chat_id);
  w.Key("text");
  write_string(w, text);
  w.Key("disable_notification");
  w.Bool(silent);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string webhook_json(const alert_raised& a, uint64_t repeats) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("service");
  write_string(w, "agora");
  w.Key("level");
  write_string(w, lower(to_string(a.level)));
  w.Key("source");
  write_string(w, a.source);
  w.Key("key");
  write_string(w, a.key);
  w.Key("text");
  write_string(w, a.text);
  w.Key("time");
  write_string(w, format_utc_millis(a.local_time));
  w.Key("repeats");
  w.Uint64(repeats);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string daily_summary_text(const daily_summary& s) {
  std::string win_rate = "-";
  if (s.round_trips > 0) {
    // Per mille, rounded half up, in integers.
    auto pm = (s.wins * 2000 + s.round_trips) / (2 * s.round_trips);
    win_rate = std::to_string(pm / 10) + "." + std::to_string(pm % 10) + "%";
  }
  std::string day = format_utc_date(s.day_start != 0 ? s.day_start : s.taken);
  if (s.partial) {
    auto c = civil_of(s.taken);
    char buf[64];
    std::snprintf(buf, sizeof(buf), " (partial, so far to %02u:%02u:%02uZ)",
                  c.hour, c.minute, c.second);
    day += buf;
  }
  return "daily summary " + day + ": realized PnL "
         + s.realized_pnl.to_string() + ", unrealized "
         + s.unrealized_pnl.to_string() + ", fees " + s.fees.to_string()
         + ", fills " + std::to_string(s.fills) + ", round trips "
         + std::to_string(s.round_trips) + ", win rate " + win_rate + " ("
         + std::to_string(s.wins) + "/" + std::to_string(s.round_trips)
         + "), equity " + s.equity.to_string() + " (peak "
         + s.peak_equity.to_string() + ")";
}

} // namespace agora
