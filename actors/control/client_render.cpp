#include "actors/control/client_render.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "messages/fixed_point.hpp"
#include "venues/common/json.hpp"

namespace agora {

namespace {

std::string str(const rapidjson::Value& v, const char* key) {
  auto s = json::get_string(v, key);
  return s ? std::string{*s} : std::string{};
}

uint64_t num(const rapidjson::Value& v, const char* key) {
  return json::get_u64(v, key).value_or(0);
}

/// One table line without trailing blanks.
std::string line(std::string s) {
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s + "\n";
}

std::string two_places(const rapidjson::Value& v, const char* key) {
  auto d = json::get_double(v, key);
  return d ? fmt::format("{:.2f}", *d) : std::string{"-"};
}

/// "1 orphan" / "3 orphans".
std::string counted(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

enum class venue_state { ok = 1, mismatch, incomplete };

venue_state state_of(const rapidjson::Value& v) {
  if (!json::get_bool(v, "complete").value_or(false))
    return venue_state::incomplete;
  auto* diffs = json::get_array(v, "differences");
  if (diffs && !diffs->Empty())
    return venue_state::mismatch;
  return venue_state::ok;
}

std::string signed_diff(const std::string& diff) {
  if (diff.empty() || diff[0] == '-' || diff == "0"
      || !parse_fixed_raw(diff).has_value())
    return diff;
  return "+" + diff;
}

/// What recovery did, "(startup, 3 orders recovered, 1 orphan cancelled)",
/// or "" when nothing is worth saying.
std::string recovery_note(const rapidjson::Value& v) {
  std::vector<std::string> parts;
  if (json::get_bool(v, "startup").value_or(false))
    parts.emplace_back("startup");
  if (auto n = num(v, "orders_recovered"))
    parts.push_back(counted(n, "order", "orders") + " recovered");
  if (auto n = num(v, "fills_recovered"))
    parts.push_back(counted(n, "fill", "fills") + " recovered");
  if (auto n = num(v, "orphans_canceled"))
    parts.push_back(counted(n, "orphan", "orphans") + " cancelled");
  if (parts.empty())
    return {};
  std::string out = " (";
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? ", " : "") + parts[i];
  return out + ")";
}

constexpr auto fills_row = "{:<23} {:<8} {:<12} {:<4} {:>14} {:>14} {:>12} {:<5} {:<20} {}";
constexpr auto signals_row = "{:<23} {:<16} {:<12} {:<14} {:>7} {:>6} {:<5} {}";
constexpr auto pnl_row = "{:<23} {:>14} {:>14} {:>14} {:>12}";
constexpr auto records_row = "{:<23} {:<8} {:<16} {:<10} {:>14} {:>14} {:<6} {}";

} // namespace

std::string format_utc_ms(nanos t) {
  if (t <= 0)
    return "-";
  int64_t ms = t / ns_per_ms;
  int64_t secs = ms / 1000;
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, days >= 0).
  days += 719468;
  int64_t era = days / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", year, month,
                     day, sod / 3600, sod % 3600 / 60, sod % 60, ms % 1000);
}

std::string format_decimal8(const std::string& text) {
  auto raw = parse_fixed_raw(text);
  if (!raw)
    return text;
  bool negative = *raw < 0;
  auto mag = negative ? static_cast<uint64_t>(-(*raw + 1)) + 1u
                      : static_cast<uint64_t>(*raw);
  auto scale = static_cast<uint64_t>(fixed_scale);
  return fmt::format("{}{}.{:08}", negative ? "-" : "", mag / scale,
                     mag % scale);
}

std::string render_fills(const rapidjson::Value& doc) {
  std::string out = line(fmt::format(fills_row, "TIME (UTC)", "VENUE", "SYMBOL",
                                     "SIDE", "QTY", "PX", "FEE", "LIQ", "CID",
                                     "STRATEGY"));
  auto* fills = json::get_array(doc, "fills");
  if (!fills || fills->Empty())
    return out + "(no fills)\n";
  for (auto& f : fills->GetArray())
    out += line(fmt::format(
      fills_row, format_utc_ms(json::get_i64(f, "time_ns").value_or(0)),
      str(f, "venue"), str(f, "symbol"), str(f, "side"), str(f, "qty"),
      str(f, "px"), str(f, "fee"), str(f, "liquidity"), num(f, "cid"),
      str(f, "strategy")));
  return out;
}

std::string render_signals(const rapidjson::Value& doc) {
  std::string out = line(fmt::format(signals_row, "TIME (UTC)", "STRATEGY",
                                     "SYMBOL", "NAME", "Z", "RHO", "ACTED",
                                     "WHY"));
  auto* signals = json::get_array(doc, "signals");
  if (!signals || signals->Empty())
    return out + "(no signals)\n";
  for (auto& s : signals->GetArray())
    out += line(fmt::format(
      signals_row, format_utc_ms(json::get_i64(s, "time_ns").value_or(0)),
      str(s, "strategy"), str(s, "symbol"), str(s, "name"), two_places(s, "z"),
      two_places(s, "rho"),
      json::get_bool(s, "acted").value_or(false) ? "yes" : "no",
      str(s, "why")));
  return out;
}

std::string render_scopes(const rapidjson::Value& status) {
  std::string out;
  auto* scopes = json::get_array(status, "scopes");
  if (scopes == nullptr)
    return out;
  for (auto& x : scopes->GetArray()) {
    auto reason = str(x, "reason");
    out += line(fmt::format("scope          {} {} by {} since {}{}", str(x, "scope"),
                            str(x, "state"), str(x, "by"),
                            format_utc_ms(json::get_i64(x, "since_ns").value_or(0)),
                            reason.empty() ? "" : " (" + reason + ")"));
  }
  return out;
}

std::string render_pnl(const rapidjson::Value& doc) {
  std::string out;
  if (auto* live = json::get_object(doc, "live")) {
    out += fmt::format("realized pnl   {}\n", str(*live, "realized"));
    out += fmt::format("unrealized pnl {}\n", str(*live, "unrealized"));
    out += fmt::format("gross exposure {}\n", str(*live, "gross_exposure"));
  }
  out += "\n";
  out += line(fmt::format(pnl_row, "TIME (UTC)", "REALIZED", "UNREALIZED",
                          "GROSS EXPOSURE", "FEES"));
  auto* snaps = json::get_array(doc, "snapshots");
  if (!snaps || snaps->Empty())
    return out + "(no snapshots)\n";
  for (auto& p : snaps->GetArray())
    out += line(fmt::format(
      pnl_row, format_utc_ms(json::get_i64(p, "time_ns").value_or(0)),
      str(p, "realized"), str(p, "unrealized"), str(p, "gross_exposure"),
      str(p, "fees")));
  return out;
}

reconcile_verdict verdict_of(const rapidjson::Value& doc) {
  bool incomplete = false;
  if (auto* venues = json::get_array(doc, "venues")) {
    for (auto& v : venues->GetArray()) {
      auto st = state_of(v);
      if (st == venue_state::mismatch)
        return reconcile_verdict::mismatch;
      incomplete = incomplete || st == venue_state::incomplete;
    }
  }
  return incomplete ? reconcile_verdict::incomplete : reconcile_verdict::clean;
}

int exit_code(reconcile_verdict v) noexcept {
  switch (v) {
    case reconcile_verdict::clean: return 0;
    case reconcile_verdict::mismatch: return 5;
    case reconcile_verdict::incomplete: return 6;
  }
  return 6;
}

std::string render_reconcile(const rapidjson::Value& doc) {
  std::string out;
  auto* venues = json::get_array(doc, "venues");
  if (!venues || venues->Empty()) {
    out += "no venues\n";
  } else {
    size_t width = 0;
    for (auto& v : venues->GetArray())
      width = std::max(width, str(v, "venue").size());
    for (auto& v : venues->GetArray()) {
      auto name = fmt::format("{:<{}}", str(v, "venue"), width);
      switch (state_of(v)) {
        case venue_state::ok:
          out += name + "  OK" + recovery_note(v) + "\n";
          break;
        case venue_state::incomplete: {
          auto why = str(v, "error");
          out += name + "  INCOMPLETE: " + (why.empty() ? "unknown" : why)
                 + "\n";
          break;
        }
        case venue_state::mismatch: {
          out += name + "  MISMATCH" + recovery_note(v) + "\n";
          auto& diffs = *json::get_array(v, "differences");
          size_t key_w = 0, j_w = 0, v_w = 0;
          for (auto& d : diffs.GetArray()) {
            key_w = std::max(key_w, str(d, "key").size());
            j_w = std::max(j_w, format_decimal8(str(d, "journal")).size());
            v_w = std::max(v_w, format_decimal8(str(d, "venue")).size());
          }
          for (auto& d : diffs.GetArray())
            out += fmt::format("  {:<{}}  journal {:>{}}  venue {:>{}}  "
                               "(venue {})\n",
                               str(d, "key"), key_w,
                               format_decimal8(str(d, "journal")), j_w,
                               format_decimal8(str(d, "venue")), v_w,
                               signed_diff(str(d, "diff")));
          break;
        }
      }
    }
  }
  auto reason = str(doc, "reason");
  out += "\ntrading " + str(doc, "trading")
         + (reason.empty() ? "" : " (" + reason + ")") + "\n";
  auto* recent = json::get_array(doc, "recent");
  if (!recent || recent->Empty())
    return out + "\nrecent reconciliation records: none\n";
  out += "\nrecent reconciliation records:\n";
  out += line(fmt::format(records_row, "TIME (UTC)", "VENUE", "ACTION", "KEY",
                          "EXPECTED", "ACTUAL", "BY", "DETAIL"));
  for (auto& r : recent->GetArray())
    out += line(fmt::format(
      records_row, format_utc_ms(json::get_i64(r, "time_ns").value_or(0)),
      str(r, "venue"), str(r, "action"), str(r, "key"), str(r, "expected"),
      str(r, "actual"), str(r, "by"), str(r, "detail")));
  return out;
}

} // namespace agora
