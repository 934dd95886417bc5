#include "actors/risk/macro_calendar.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "venues/common/json.hpp"

namespace agora {

namespace {

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) noexcept {
  static constexpr unsigned days[]
      = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

/// Reads exactly `n` digits at `pos`.
std::optional<int64_t> digits(std::string_view s, size_t& pos,
                              size_t n) noexcept {
  if (pos + n > s.size())
    return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, size_t& pos, char c) noexcept {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

std::string entry(size_t i, const char* field) {
  return "events[" + std::to_string(i) + "]." + field;
}

} // namespace

std::optional<nanos> parse_iso8601(std::string_view s) noexcept {
  size_t pos = 0;
  auto y = digits(s, pos, 4);
  if (!y || !expect(s, pos, '-'))
    return std::nullopt;
  auto mo = digits(s, pos, 2);
  if (!mo || !expect(s, pos, '-'))
    return std::nullopt;
  auto d = digits(s, pos, 2);
  if (!d || pos >= s.size() || (s[pos] != 'T' && s[pos] != 't'))
    return std::nullopt;
  ++pos;
  auto h = digits(s, pos, 2);
  if (!h || !expect(s, pos, ':'))
    return std::nullopt;
  auto mi = digits(s, pos, 2);
  if (!mi || !expect(s, pos, ':'))
    return std::nullopt;
  auto sec = digits(s, pos, 2);
  if (!sec)
    return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1
      || *d > days_in_month(*y, static_cast<unsigned>(*mo)) || *h > 23
      || *mi > 59 || *sec > 59)
    return std::nullopt;
  nanos frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    nanos scale = ns_per_s;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (++n > 9)
        return std::nullopt;
      scale /= 10;
      frac += (s[pos] - '0') * scale;
      ++pos;
    }
    if (n == 0)
      return std::nullopt;
  }
  nanos offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    auto oh = digits(s, pos, 2);
    if (!oh || !expect(s, pos, ':'))
      return std::nullopt;
    auto om = digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = sign * (*oh * 3600 + *om * 60) * ns_per_s;
  } else {
    return std::nullopt; // a time without a zone is ambiguous
  }
  if (pos != s.size())
    return std::nullopt;
  auto days = days_from_civil(*y, static_cast<unsigned>(*mo),
                              static_cast<unsigned>(*d));
  auto secs = days * 86'400 + *h * 3'600 + *mi * 60 + *sec;
  return secs * ns_per_s + frac - offset;
}

std::string utc_hhmm(nanos t) {
  constexpr nanos day = 86'400 * ns_per_s;
  auto in_day = t % day;
  if (in_day < 0)
    in_day += day;
  auto minutes = in_day / (60 * ns_per_s);
  char buf[8];
  buf[0] = static_cast<char>('0' + minutes / 600);
  buf[1] = static_cast<char>('0' + minutes / 60 % 10);
  buf[2] = ':';
  buf[3] = static_cast<char>('0' + minutes % 60 / 10);
  buf[4] = static_cast<char>('0' + minutes % 10);
  buf[5] = 'Z';
  return std::string{buf, 6};
}

macro_calendar::macro_calendar(std::vector<macro_event> events,
                               macro_settings settings)
    : events_(std::move(events)) {
  std::stable_sort(events_.begin(), events_.end(),
                   [](const macro_event& a, const macro_event& b) {
                     return a.time < b.time;
                   });
  for (auto& e : events_) {
    if (std::find(settings.impacts.begin(), settings.impacts.end(), e.impact)
        == settings.impacts.end())
      continue;
    macro_window w{e.name, e.time - settings.before, e.time + settings.after};
    // Events are sorted by time and every window has the same width, so
    // starts come in order: only the last window can overlap this one.
    if (!windows_.empty() && w.start <= windows_.back().end) {
      auto& last = windows_.back();
      last.end = std::max(last.end, w.end);
      last.name += " + " + w.name;
    } else {
      windows_.push_back(std::move(w));
    }
  }
}

macro_calendar_result macro_calendar::parse(std::string_view json,
                                            macro_settings settings) {
  macro_calendar_result r;
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    r.error = std::string{"not JSON: "}
              + rapidjson::GetParseError_En(doc.GetParseError()) + " at offset "
              + std::to_string(doc.GetErrorOffset());
    return r;
  }
  auto list = json::get_array(doc, "events");
  if (list == nullptr) {
    r.error = "events: missing or not an array";
    return r;
  }
  std::vector<macro_event> events;
  size_t i = 0;
  for (auto& item : list->GetArray()) {
    if (!item.IsObject()) {
      r.error = "events[" + std::to_string(i) + "]: not an object";
      return r;
    }
    auto time = json::get_string(item, "time");
    if (!time) {
      r.error = entry(i, "time") + ": missing or not a string";
      return r;
    }
    auto t = parse_iso8601(*time);
    if (!t) {
      r.error = entry(i, "time") + ": not an ISO 8601 time with a zone: \""
                + std::string{*time} + "\"";
      return r;
    }
    auto name = json::get_string(item, "name");
    if (!name || name->empty()) {
      r.error = entry(i, "name") + ": missing, empty or not a string";
      return r;
    }
    auto impact = json::get_string(item, "impact");
    if (!impact) {
      r.error = entry(i, "impact") + ": missing or not a string";
      return r;
    }
    if (*impact != "high" && *impact != "medium" && *impact != "low") {
      r.error = entry(i, "impact") + ": \"" + std::string{*impact}
                + "\" is not high, medium or low";
      return r;
    }
    events.push_back(macro_event{*t, std::string{*name}, std::string{*impact}});
    ++i;
  }
  r.calendar.emplace(std::move(events), std::move(settings));
  return r;
}

macro_calendar_result macro_calendar::load(const std::string& path,
                                           macro_settings settings) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    macro_calendar_result r;
    r.error = path + ": cannot be read";
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto r = parse(text.str(), std::move(settings));
  if (!r)
    r.error = path + ": " + r.error;
  return r;
}

std::optional<macro_window> macro_calendar::window_at(nanos now) const {
  // The first window ending after now; it holds now if it started.
  auto i = std::upper_bound(
      windows_.begin(), windows_.end(), now,
      [](nanos t, const macro_window& w) { return t < w.end; });
  if (i == windows_.end() || i->start > now)
    return std::nullopt;
  return *i;
}

std::optional<nanos> macro_calendar::next_change(nanos now) const {
  auto i = std::upper_bound(
      windows_.begin(), windows_.end(), now,
      [](nanos t, const macro_window& w) { return t < w.end; });
  if (i == windows_.end())
    return std::nullopt;
  return i->start > now ? i->start : i->end;
}

} // namespace agora
