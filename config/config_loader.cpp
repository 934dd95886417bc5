#include "config/config_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace agora::config {

namespace {

using json = rapidjson::Value;

/// Largest config file we read; real ones are a few KiB.
constexpr long max_file_size = 4 * 1024 * 1024;

std::string_view view(const json& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// Shortest round-trip text of a double, for messages.
std::string format_number(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  if (ec != std::errc{})
    return "?";
  return {buf, end};
}

std::string quoted(std::string_view s) {
  return "\"" + std::string{s} + "\"";
}

/// How a JSON value appears in an error message: scalars as JSON text,
/// containers by kind.
std::string describe(const json& v) {
  if (v.IsObject())
    return "an object";
  if (v.IsArray())
    return "an array";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  std::string text{buf.GetString(), buf.GetSize()};
  if (text.size() > 80)
    text = text.substr(0, 77) + "...";
  return text;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty())
      out += ", ";
    out += x;
  }
  return out;
}

/// Letters, digits and `extra`; 1 to 32 characters.
bool is_plain_name(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 32)
    return false;
  return std::all_of(s.begin(), s.end(), [extra](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || extra.find(c) != std::string_view::npos;
  });
}

/// 127.0.0.0/8 in dotted-quad form, or "::1".
bool is_loopback_literal(std::string_view s) {
  if (s == "::1")
    return true;
  int octets[4];
  int n = 0;
  size_t i = 0;
  while (n < 4) {
    size_t j = i;
    int value = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 3)
      value = value * 10 + (s[j++] - '0');
    if (j == i || value > 255)
      return false;
    octets[n++] = value;
    i = j;
    if (n < 4) {
      if (i >= s.size() || s[i] != '.')
        return false;
      ++i;
    }
  }
  return i == s.size() && octets[0] == 127;
}

/// The JSON spelling of a mode.
std::string_view mode_name(run_mode m) noexcept {
  switch (m) {
    case run_mode::shadow: return "shadow";
    case run_mode::paper: return "paper";
    case run_mode::live: return "live";
  }
  return "unset";
}

bool is_log_level(std::string_view s) {
  for (std::string_view x : {"trace", "debug", "info", "warn", "warning", "err", "error",
                             "critical", "off"})
    if (s == x)
      return true;
  return false;
}

/// Holds the first error; later failures are ignored so the report names
/// the first problem in reading order.
class checker {
public:
  bool ok() const noexcept { return !error_.has_value(); }

  void fail(std::string path, std::string message) {
    if (!error_)
      error_ = config_error{std::move(path), std::move(message)};
  }

  void fail_value(std::string path, std::string_view expected, const json& got) {
    fail(std::move(path), std::string{expected} + ", got " + describe(got));
  }

  config_error take() { return std::move(*error_); }

private:
  std::optional<config_error> error_;
};

std::string member_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string{key} : parent + "." + std::string{key};
}

std::string element_path(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

/// Reads one JSON object: rejects unknown and duplicate keys up front, then
/// hands out members by name. An absent object reads as all keys missing.
class object_reader {
public:
  object_reader(checker& check, const json* v, std::string path,
                std::initializer_list<std::string_view> keys)
    : check_(check), path_(std::move(path)) {
    if (v == nullptr || !check_.ok())
      return;
    if (!v->IsObject()) {
      check_.fail_value(path_, "expected an object", *v);
      return;
    }
    for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
      auto key = view(it->name);
      auto at = member_path(path_, key);
      for (auto prev = v->MemberBegin(); prev != it; ++prev)
        if (view(prev->name) == key) {
          check_.fail(at, "duplicate key");
          return;
        }
      if (key == "_comment") {
        if (!it->value.IsString())
          check_.fail_value(at, "expected a string", it->value);
        continue;
      }
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string expected;
        for (auto k : keys)
          expected += (expected.empty() ? "" : ", ") + std::string{k};
        check_.fail(at, "unknown key, expected one of: " + expected);
        return;
      }
    }
    obj_ = v;
  }

  checker& check() const noexcept { return check_; }

  const std::string& path() const noexcept { return path_; }

  /// The member's path, e.g. "venues[0].sim.tick".
  std::string at(std::string_view key) const { return member_path(path_, key); }

  /// The member, or nullptr when it is missing or an error is pending.
  const json* get(std::string_view key) const {
    if (obj_ == nullptr || !check_.ok())
      return nullptr;
    auto it = obj_->FindMember(rapidjson::StringRef(key.data(), key.size()));
    return it == obj_->MemberEnd() ? nullptr : &it->value;
  }

  bool has(std::string_view key) const { return get(key) != nullptr; }

  /// A string satisfying `valid`.
  template <class Pred>
  void text(std::string_view key, std::string& out, std::string_view expected, Pred valid) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (v->IsString() && valid(view(*v)))
      out = std::string{view(*v)};
    else
      check_.fail_value(at(key), expected, *v);
  }

  /// Any string.
  void text(std::string_view key, std::string& out) {
    text(key, out, "expected a string", [](std::string_view) { return true; });
  }

  /// An integer in [min, max].
  template <class Int>
  void integer(std::string_view key, Int& out, int64_t min, int64_t max,
               std::string_view expected) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (v->IsInt64() && v->GetInt64() >= min && v->GetInt64() <= max)
      out = static_cast<Int>(v->GetInt64());
    else
      check_.fail_value(at(key), expected, *v);
  }

  /// Any unsigned 64-bit integer.
  void unsigned64(std::string_view key, uint64_t& out) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (v->IsUint64())
      out = v->GetUint64();
    else
      check_.fail_value(at(key), "expected an integer >= 0", *v);
  }

  /// A number satisfying `valid`.
  template <class Pred>
  void number(std::string_view key, double& out, std::string_view expected, Pred valid) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (v->IsNumber() && valid(v->GetDouble()))
      out = v->GetDouble();
    else
      check_.fail_value(at(key), expected, *v);
  }

  void flag(std::string_view key, bool& out) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (v->IsBool())
      out = v->GetBool();
    else
      check_.fail_value(at(key), "expected true or false", *v);
  }

  /// A duration given as a number of `unit` (fractions allowed), at least
  /// `min` nanoseconds once converted.
  void duration(std::string_view key, nanos& out, nanos unit, nanos min,
                std::string_view expected) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    constexpr nanos limit = std::numeric_limits<nanos>::max() / 4;
    std::optional<nanos> ns;
    if (v->IsInt64()) {
      int64_t n = v->GetInt64();
      if (n >= 0 && n <= limit / unit)
        ns = n * unit;
    } else if (v->IsNumber()) {
      double d = v->GetDouble() * static_cast<double>(unit);
      if (d >= 0 && d <= static_cast<double>(limit))
        ns = static_cast<nanos>(std::llround(d));
    }
    if (ns && *ns >= min)
      out = *ns;
    else
      check_.fail_value(at(key), expected, *v);
  }

  /// A decimal string parsed exactly (never through double) satisfying `valid`.
  template <class Fixed, class Pred>
  void decimal(std::string_view key, Fixed& out, std::string_view expected, Pred valid) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    if (!v->IsString()) {
      check_.fail_value(at(key), expected, *v);
      return;
    }
    decimal_errc why{};
    auto x = Fixed::parse(view(*v), &why);
    if (!x)
      check_.fail(at(key), std::string{expected} + ", got " + describe(*v) + " ("
                             + agora::to_string(why) + ")");
    else if (!valid(*x))
      check_.fail_value(at(key), expected, *v);
    else
      out = *x;
  }

  void mode(std::string_view key, run_mode& out) {
    const json* v = get(key);
    if (v == nullptr)
      return;
    std::optional<run_mode> m;
    if (v->IsString()) {
      auto s = view(*v);
      if (s == "paper" || s == "shadow" || s == "live")
        m = parse_run_mode(s);
    }
    if (m)
      out = *m;
    else
      check_.fail_value(at(key), "expected one of: paper, shadow, live", *v);
  }

  /// The member as an array, or nullptr (missing, error, or not an array:
  /// then an error naming `expected` is recorded).
  const json* array(std::string_view key, std::string_view expected) {
    const json* v = get(key);
    if (v == nullptr)
      return nullptr;
    if (!v->IsArray()) {
      check_.fail_value(at(key), expected, *v);
      return nullptr;
    }
    return v;
  }

private:
  checker& check_;
  std::string path_;
  const json* obj_ = nullptr;
};

constexpr auto positive = [](auto x) { return x.is_positive(); };
constexpr auto non_negative = [](auto x) { return !x.is_negative(); };
constexpr auto fee_range = [](rate x) {
  return x.raw() >= -fixed_scale / 100 && x.raw() <= fixed_scale / 100;
};

void read_scheduler(checker& check, const json* v, const std::string& path,
                    scheduler_config& out) {
  object_reader r(check, v, path, {"policy", "max_threads", "max_throughput", "busy_poll"});
  r.text("policy", out.policy, "expected one of: sharing, stealing",
         [](std::string_view s) { return s == "sharing" || s == "stealing"; });
  r.integer("max_threads", out.max_threads, 1, 1024, "expected an integer in 1..1024");
  r.integer("max_throughput", out.max_throughput, 1, std::numeric_limits<int64_t>::max(),
            "expected an integer >= 1");
  r.flag("busy_poll", out.busy_poll);
}

void read_control(checker& check, const json* v, const std::string& path,
                  control_config& out) {
  object_reader r(check, v, path, {"address", "port", "token_file"});
  r.text("address", out.address, "expected a loopback address literal (127.x.x.x or ::1)",
         is_loopback_literal);
  r.integer("port", out.port, 0, 65535,
            "expected a port in 1..65535, or 0 for an ephemeral port");
  r.text("token_file", out.token_file);
}

void read_journal(checker& check, const json* v, const std::string& path,
                  journal_config& out) {
  object_reader r(check, v, path,
                  {"path", "sync", "intent_dir", "reconcile_interval_seconds",
                   "pnl_interval_seconds"});
  r.text("path", out.path);
  r.text("intent_dir", out.intent_dir);
  r.text("sync", out.sync, "expected one of: full, normal",
         [](std::string_view s) { return s == "full" || s == "normal"; });
  r.duration("reconcile_interval_seconds", out.reconcile_interval, ns_per_s, ns_per_s / 10,
             "expected a number of seconds >= 0.1");
  r.duration("pnl_interval_seconds", out.pnl_interval, ns_per_s, ns_per_s,
             "expected a number of seconds >= 1");
}

void read_supervision(checker& check, const json* v, const std::string& path,
                      supervision_config& out) {
  object_reader r(check, v, path,
                  {"max_restarts", "within_seconds", "backoff_initial_ms", "backoff_max_ms"});
  r.integer("max_restarts", out.max_restarts, 0, 1'000'000,
            "expected an integer in 0..1000000");
  r.duration("within_seconds", out.within, ns_per_s, 1, "expected a number of seconds > 0");
  r.duration("backoff_initial_ms", out.backoff_initial, ns_per_ms, 1,
             "expected a number of milliseconds > 0");
  r.duration("backoff_max_ms", out.backoff_max, ns_per_ms, 1,
             "expected a number of milliseconds > 0");
  if (check.ok() && out.backoff_max < out.backoff_initial)
    check.fail(r.at(r.has("backoff_max_ms") ? "backoff_max_ms" : "backoff_initial_ms"),
               "expected backoff_max_ms >= backoff_initial_ms, got "
                 + format_number(static_cast<double>(out.backoff_max) / ns_per_ms) + " < "
                 + format_number(static_cast<double>(out.backoff_initial) / ns_per_ms));
}

void read_groups(checker& check, const json* v, const std::string& path, risk_config& out) {
  if (v == nullptr)
    return;
  if (!v->IsObject()) {
    check.fail_value(path, "expected an object of groups: {\"name\": {\"symbols\": [...], "
                           "\"max_open_positions\": N}}", *v);
    return;
  }
  for (auto m = v->MemberBegin(); m != v->MemberEnd() && check.ok(); ++m) {
    std::string group{m->name.GetString(), m->name.GetStringLength()};
    auto at = member_path(path, group);
    if (!is_plain_name(group, "-_.")) {
      check.fail(at, "expected a group name (1 to 32 letters, digits, '-', '_' or '.')");
      return;
    }
    object_reader g(check, &m->value, at, {"symbols", "max_open_positions"});
    uint64_t cap = 0;
    if (check.ok() && !g.has("max_open_positions"))
      check.fail(g.at("max_open_positions"), "missing key, expected an integer >= 0");
    g.integer("max_open_positions", cap, 0, 1'000'000, "expected an integer in 0..1000000");
    auto* symbols = g.array("symbols", "expected an array of symbol names");
    if (!check.ok())
      return;
    if (symbols == nullptr || symbols->Empty()) {
      check.fail(g.at("symbols"), "expected a non-empty array of symbol names");
      return;
    }
    for (rapidjson::SizeType i = 0; i < symbols->Size(); ++i) {
      auto& s = (*symbols)[i];
      auto sp = element_path(g.at("symbols"), i);
      if (!s.IsString() || s.GetStringLength() == 0) {
        check.fail_value(sp, "expected a symbol name", s);
        return;
      }
      std::string sym{s.GetString(), s.GetStringLength()};
      if (auto prev = out.symbol_groups.find(sym); prev != out.symbol_groups.end()) {
        check.fail(sp, "symbol " + quoted(sym) + " is already in group " + quoted(prev->second));
        return;
      }
      out.symbol_groups[sym] = group;
    }
    out.max_open_positions_per_group[group] = cap;
  }
}

void read_calendar(checker& check, const json* v, const std::string& path, risk_config& out) {
  if (v == nullptr)
    return;
  object_reader r(check, v, path, {"file", "before_minutes", "after_minutes", "impacts"});
  if (check.ok() && !r.has("file"))
    check.fail(r.at("file"), "missing key, expected the calendar file's path");
  r.text("file", out.calendar_file, "expected a non-empty path",
         [](std::string_view s) { return !s.empty(); });
  r.duration("before_minutes", out.macro_before, 60 * ns_per_s, 0,
             "expected a number of minutes >= 0");
  r.duration("after_minutes", out.macro_after, 60 * ns_per_s, 0,
             "expected a number of minutes >= 0");
  if (auto* impacts = r.array("impacts", "expected an array of: high, medium, low")) {
    out.macro_impacts.clear();
    for (rapidjson::SizeType i = 0; i < impacts->Size() && check.ok(); ++i) {
      auto& s = (*impacts)[i];
      std::string_view x = s.IsString() ? std::string_view{s.GetString(), s.GetStringLength()}
                                        : std::string_view{};
      if (x != "high" && x != "medium" && x != "low")
        check.fail_value(element_path(r.at("impacts"), i), "expected one of: high, medium, low", s);
      else
        out.macro_impacts.emplace_back(x);
    }
  }
}

void read_risk(checker& check, const json* v, const std::string& path, risk_config& out) {
  object_reader r(check, v, path,
                  {"max_order_notional", "max_position_notional", "max_gross_exposure", "equity",
                   "daily_loss_limit", "daily_drawdown_limit", "breaker_override_seconds",
                   "groups", "flip_guard_max_age_seconds", "calendar"});
  r.decimal("equity", out.equity, "expected a decimal string > 0", positive);
  r.number("daily_loss_limit", out.daily_loss_limit, "expected a fraction > 0 and < 1",
           [](double x) { return x > 0 && x < 1; });
  r.number("daily_drawdown_limit", out.daily_drawdown_limit, "expected a fraction > 0 and < 1",
           [](double x) { return x > 0 && x < 1; });
  r.duration("breaker_override_seconds", out.breaker_override_window, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.duration("flip_guard_max_age_seconds", out.flip_guard_max_age, ns_per_s, 0,
             "expected a number of seconds >= 0");
  read_groups(check, r.get("groups"), r.at("groups"), out);
  read_calendar(check, r.get("calendar"), r.at("calendar"), out);
  r.decimal("max_order_notional", out.max_order_notional, "expected a decimal string > 0",
            positive);
  r.decimal("max_position_notional", out.max_position_notional,
            "expected a decimal string > 0", positive);
  r.decimal("max_gross_exposure", out.max_gross_exposure, "expected a decimal string > 0",
            positive);
}

void read_gateway(checker& check, const json* v, const std::string& path,
                  gateway_config& out) {
  object_reader r(check, v, path, {"orders_per_minute", "burst", "keep_finished"});
  r.number("orders_per_minute", out.orders_per_minute, "expected a number > 0",
           [](double x) { return x > 0; });
  r.integer("burst", out.burst, 1, 1'000'000, "expected an integer in 1..1000000");
  r.integer("keep_finished", out.keep_finished, 0, 100'000'000,
            "expected an integer in 0..100000000");
}

bool is_url(std::string_view s, std::initializer_list<std::string_view> schemes);

void read_alert_sink(checker& check, const json* v, const std::string& path,
                     alert_sink_config& out) {
  object_reader r(check, v, path,
                  {"kind", "name", "base_url", "token_env", "chat_id", "min_level", "ca_file",
                   "verify_tls", "queue_limit", "timeout_ms", "max_attempts", "backoff_ms"});
  if (check.ok() && !r.has("kind")) {
    check.fail(r.at("kind"), "missing key, expected one of: telegram, webhook");
    return;
  }
  r.text("kind", out.kind, "expected one of: telegram, webhook",
         [](std::string_view s) { return s == "telegram" || s == "webhook"; });
  if (!check.ok())
    return;
  bool telegram = out.kind == "telegram";
  out.name = out.kind;
  r.text("name", out.name, "expected a sink name (1 to 32 letters, digits, '-', '_' or '.')",
         [](std::string_view s) { return is_plain_name(s, "-_."); });
  if (telegram)
    out.base_url = "https://api.telegram.org";
  else if (check.ok() && !r.has("base_url"))
    check.fail(r.at("base_url"), "missing key, expected the webhook's https:// URL");
  r.text("base_url", out.base_url, "expected an https:// URL",
         [](std::string_view s) { return is_url(s, {"https"}); });
  if (telegram)
    out.token_env = "TELEGRAM_BOT_TOKEN";
  r.text("token_env", out.token_env, "expected an environment variable name",
         [](std::string_view s) { return is_plain_name(s, "_"); });
  r.text("chat_id", out.chat_id, "expected a Telegram chat id",
         [](std::string_view s) { return !s.empty(); });
  if (check.ok() && telegram && out.chat_id.empty())
    check.fail(r.at("chat_id"), "missing key, expected the Telegram chat id");
  else if (check.ok() && !telegram && r.has("chat_id"))
    check.fail(r.at("chat_id"), "unexpected key for a webhook sink");
  std::string level = "warning";
  r.text("min_level", level, "expected one of: info, warning, critical",
         [](std::string_view s) { return s == "info" || s == "warning" || s == "critical"; });
  out.min_level = level == "info"       ? alert_level::info
                  : level == "critical" ? alert_level::critical
                                        : alert_level::warning;
  r.text("ca_file", out.ca_file);
  r.flag("verify_tls", out.verify_tls);
  r.integer("queue_limit", out.queue_limit, 1, 1'000'000, "expected an integer in 1..1000000");
  r.duration("timeout_ms", out.timeout, ns_per_ms, ns_per_ms, "expected a number of milliseconds >= 1");
  r.integer("max_attempts", out.max_attempts, 1, 100, "expected an integer in 1..100");
  r.duration("backoff_ms", out.backoff, ns_per_ms, ns_per_ms, "expected a number of milliseconds >= 1");
}

void read_alerts(checker& check, const json* v, const std::string& path, alerts_config& out) {
  object_reader r(check, v, path,
                  {"throttle_info_seconds", "throttle_warning_seconds",
                   "throttle_critical_seconds", "summary_hour_utc", "sinks"});
  r.duration("throttle_info_seconds", out.throttle_info, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.duration("throttle_warning_seconds", out.throttle_warning, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.duration("throttle_critical_seconds", out.throttle_critical, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.integer("summary_hour_utc", out.summary_hour_utc, -1, 23,
            "expected an hour in 0..23, or -1 for no summary");
  if (auto* sinks = r.array("sinks", "expected an array of sink objects")) {
    for (rapidjson::SizeType i = 0; i < sinks->Size() && check.ok(); ++i) {
      auto at = element_path(r.at("sinks"), i);
      alert_sink_config s;
      read_alert_sink(check, &(*sinks)[i], at, s);
      for (size_t j = 0; j < out.sinks.size() && check.ok(); ++j)
        if (out.sinks[j].name == s.name)
          check.fail(at + ".name", "duplicate sink name " + quoted(s.name) + " (also "
                                     + element_path(r.at("sinks"), j) + "); name them apart");
      out.sinks.push_back(std::move(s));
    }
  }
}

/// Reads a sim symbol over `out`, which holds the defaults (the struct's
/// for the template, the venue's template for a listed symbol).
void read_sim_symbol(checker& check, const json* v, const std::string& path,
                     sim_symbol_config& out, bool is_template) {
  std::initializer_list<std::string_view> symbol_keys = {
    "symbol",    "start_price", "tick",       "lot",  "min_notional", "maker_fee",
    "taker_fee", "perpetual",   "volatility", "seed", "depth",        "level_qty",
    "index_symbol", "basis_bps", "basis_volatility_bps", "basis_half_life_seconds"};
  std::initializer_list<std::string_view> template_keys = {
    "start_price", "tick",       "lot",  "min_notional", "maker_fee", "taker_fee",
    "perpetual",   "volatility", "seed", "depth",        "level_qty"};
  object_reader r(check, v, path, is_template ? template_keys : symbol_keys);
  if (!is_template) {
    if (v != nullptr && check.ok() && !r.has("symbol"))
      check.fail(r.at("symbol"), "missing key, expected a symbol name");
    std::string name;
    r.text("symbol", name,
           "expected a symbol name (1 to 32 letters, digits, '-', '_' or '.')",
           [](std::string_view s) { return is_plain_name(s, "-_."); });
    out.symbol = symbol_id{name};
  }
  r.decimal("tick", out.tick, "expected a decimal string > 0", positive);
  r.decimal("start_price", out.start_price, "expected a decimal string > 0", positive);
  r.decimal("lot", out.lot, "expected a decimal string > 0", positive);
  r.decimal("min_notional", out.min_notional, "expected a decimal string >= 0",
            non_negative);
  r.decimal("maker_fee", out.maker_fee, "expected a decimal string in [-0.01, 0.01]",
            fee_range);
  r.decimal("taker_fee", out.taker_fee, "expected a decimal string in [-0.01, 0.01]",
            fee_range);
  r.flag("perpetual", out.perpetual);
  r.number("volatility", out.volatility, "expected a number in [0, 0.1)",
           [](double x) { return x >= 0 && x < 0.1; });
  r.unsigned64("seed", out.seed);
  r.integer("depth", out.depth, 1, 10'000, "expected an integer in 1..10000");
  r.decimal("level_qty", out.level_qty, "expected a decimal string > 0", positive);
  if (check.ok() && !out.start_price.is_multiple_of(out.tick))
    check.fail(r.at("start_price"), "expected a multiple of tick " + out.tick.to_string()
                                      + ", got " + quoted(out.start_price.to_string()));
  if (is_template || !check.ok())
    return;
  std::string index;
  r.text("index_symbol", index, "expected a symbol name", [](std::string_view s) { return !s.empty(); });
  out.index_symbol = symbol_id{index};
  r.number("basis_bps", out.basis_bps, "expected a number of bps in (-1000, 1000)",
           [](double x) { return x > -1000 && x < 1000; });
  r.number("basis_volatility_bps", out.basis_volatility_bps,
           "expected a number of bps in [0, 100]", [](double x) { return x >= 0 && x <= 100; });
  r.duration("basis_half_life_seconds", out.basis_half_life, ns_per_s, ns_per_ms,
             "expected a number of seconds >= 0.001");
  if (check.ok() && out.index_symbol.valid() && !out.perpetual)
    check.fail(r.at("index_symbol"), "expected only on a perpetual (\"perpetual\": true)");
}

void read_sim_venue(checker& check, const json* v, const std::string& path,
                    sim_venue_config& out) {
  object_reader r(check, v, path,
                  {"step_interval_ms", "latency_us", "jitter_us", "heartbeat_timeout_ms",
                   "default_symbol", "symbols"});
  r.duration("step_interval_ms", out.step_interval, ns_per_ms, 1,
             "expected a number of milliseconds > 0");
  r.duration("latency_us", out.latency, ns_per_us, 0,
             "expected a number of microseconds >= 0");
  r.duration("jitter_us", out.jitter, ns_per_us, 0, "expected a number of microseconds >= 0");
  if (check.ok() && out.jitter > out.latency)
    check.fail(r.at("jitter_us"),
               "expected at most latency_us ("
                 + format_number(static_cast<double>(out.latency) / ns_per_us) + "), got "
                 + format_number(static_cast<double>(out.jitter) / ns_per_us));
  r.duration("heartbeat_timeout_ms", out.heartbeat_timeout, ns_per_ms, 1,
             "expected a number of milliseconds > 0");
  if (check.ok() && out.heartbeat_timeout <= out.step_interval)
    check.fail(r.at("heartbeat_timeout_ms"),
               "expected more than step_interval_ms ("
                 + format_number(static_cast<double>(out.step_interval) / ns_per_ms)
                 + "), got "
                 + format_number(static_cast<double>(out.heartbeat_timeout) / ns_per_ms));
  read_sim_symbol(check, r.get("default_symbol"), r.at("default_symbol"), out.default_symbol,
                  true);
  if (auto* symbols = r.array("symbols", "expected an array of symbol objects")) {
    out.symbols.clear();
    for (rapidjson::SizeType i = 0; i < symbols->Size() && check.ok(); ++i) {
      auto at = element_path(r.at("symbols"), i);
      sim_symbol_config s = out.default_symbol;
      read_sim_symbol(check, &(*symbols)[i], at, s, false);
      for (size_t j = 0; j < out.symbols.size() && check.ok(); ++j)
        if (out.symbols[j].symbol == s.symbol)
          check.fail(at + ".symbol", "duplicate symbol " + quoted(s.symbol.str()) + " (also "
                                       + element_path(r.at("symbols"), j) + ")");
      out.symbols.push_back(std::move(s));
    }
    for (size_t i = 0; i < out.symbols.size() && check.ok(); ++i) {
      auto& idx = out.symbols[i].index_symbol;
      if (!idx.valid())
        continue;
      bool found = false;
      for (auto& x : out.symbols)
        found = found || (x.symbol == idx && !x.perpetual);
      if (!found)
        check.fail(element_path(r.at("symbols"), i) + ".index_symbol",
                   "expected a spot symbol listed on this venue, got " + quoted(idx.str()));
    }
  }
}

bool is_url(std::string_view s, std::initializer_list<std::string_view> schemes) {
  for (auto scheme : schemes) {
    auto prefix = std::string{scheme} + "://";
    if (s.size() > prefix.size() && s.substr(0, prefix.size()) == prefix
        && s.find_first_of(" \t\r\n") == std::string_view::npos)
      return true;
  }
  return false;
}

/// Fills the URLs a network implies (Binance's documented endpoints).
void default_urls(binance_venue_config& b) {
  struct endpoints {
    const char* rest;
    const char* ws;
    const char* ws_api;
  };
  endpoints e{"", "", ""};
  if (b.market == "spot")
    e = b.network == "mainnet"
          ? endpoints{"https://api.binance.com", "wss://stream.binance.com:9443",
                      "wss://ws-api.binance.com:443/ws-api/v3"}
          : endpoints{"https://testnet.binance.vision", "wss://stream.testnet.binance.vision",
                      "wss://ws-api.testnet.binance.vision/ws-api/v3"};
  else
    e = b.network == "mainnet"
          ? endpoints{"https://fapi.binance.com", "wss://fstream.binance.com", ""}
          : endpoints{"https://testnet.binancefuture.com", "wss://stream.binancefuture.com", ""};
  if (b.rest_url.empty())
    b.rest_url = e.rest;
  if (b.ws_url.empty())
    b.ws_url = e.ws;
  if (b.ws_api_url.empty())
    b.ws_api_url = e.ws_api;
}

void read_binance_venue(checker& check, const json* v, const std::string& path,
                        binance_venue_config& out) {
  object_reader r(check, v, path,
                  {"market", "network", "rest_url", "ws_url", "ws_api_url", "ca_file",
                   "verify_tls", "symbols", "api_key_env", "api_secret_env",
                   "credentials_file", "live", "maker_fee", "taker_fee", "recv_window_ms",
                   "depth_limit", "heartbeat_timeout_ms", "ping_interval_ms",
                   "listen_key_keepalive_minutes", "reconcile_interval_seconds", "orders",
                   "paper_latency_ms", "paper_jitter_ms"});
  if (v == nullptr) {
    check.fail(path, "missing key, expected the binance venue's settings (market, network, symbols)");
    return;
  }
  r.text("market", out.market, "expected one of: spot, usdm",
         [](std::string_view s) { return s == "spot" || s == "usdm"; });
  r.text("network", out.network, "expected one of: testnet, mainnet, local",
         [](std::string_view s) { return s == "testnet" || s == "mainnet" || s == "local"; });
  auto https = [](std::string_view s) { return is_url(s, {"https", "http"}); };
  auto wss = [](std::string_view s) { return is_url(s, {"wss", "ws"}); };
  r.text("rest_url", out.rest_url, "expected an https:// URL", https);
  r.text("ws_url", out.ws_url, "expected a wss:// URL", wss);
  r.text("ws_api_url", out.ws_api_url, "expected a wss:// URL", wss);
  r.text("ca_file", out.ca_file);
  r.flag("verify_tls", out.verify_tls);
  if (auto* symbols = r.array("symbols", "expected an array of symbol names")) {
    out.symbols.clear();
    for (rapidjson::SizeType i = 0; i < symbols->Size() && check.ok(); ++i) {
      auto at = element_path(r.at("symbols"), i);
      const auto& s = (*symbols)[i];
      if (!s.IsString() || !is_plain_name(view(s), "") || view(s).size() > 20) {
        check.fail_value(at, "expected a Binance symbol such as \"BTCUSDT\"", s);
        break;
      }
      symbol_id id{std::string{view(s)}};
      for (size_t j = 0; j < out.symbols.size() && check.ok(); ++j)
        if (out.symbols[j] == id)
          check.fail(at, "duplicate symbol " + quoted(id.str()));
      out.symbols.push_back(std::move(id));
    }
  }
  if (check.ok() && out.symbols.empty())
    check.fail(r.at("symbols"), "expected at least one symbol");
  r.text("api_key_env", out.api_key_env, "expected an environment variable name",
         [](std::string_view s) { return is_plain_name(s, "_"); });
  r.text("api_secret_env", out.api_secret_env, "expected an environment variable name",
         [](std::string_view s) { return is_plain_name(s, "_"); });
  r.text("credentials_file", out.credentials_file);
  r.flag("live", out.live);
  r.text("orders", out.orders, "expected one of: venue, paper",
         [](std::string_view s) { return s == "venue" || s == "paper"; });
  r.duration("paper_latency_ms", out.paper_latency, ns_per_ms, 0,
             "expected a number of milliseconds >= 0");
  r.duration("paper_jitter_ms", out.paper_jitter, ns_per_ms, 0,
             "expected a number of milliseconds >= 0");
  bool spot = out.market == "spot";
  out.maker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(20'000);
  out.taker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(50'000);
  auto fee_range = [](rate x) { return x >= rate::from_raw(-1'000'000) && x <= rate::from_raw(1'000'000); };
  r.decimal("maker_fee", out.maker_fee, "expected a decimal string in [-0.01, 0.01]", fee_range);
  r.decimal("taker_fee", out.taker_fee, "expected a decimal string in [-0.01, 0.01]", fee_range);
  r.integer("recv_window_ms", out.recv_window_ms, 1, 60'000, "expected an integer in 1..60000");
  r.integer("depth_limit", out.depth_limit, 5, 5000, "expected an integer in 5..5000");
  r.duration("heartbeat_timeout_ms", out.heartbeat_timeout, ns_per_ms, 100 * ns_per_ms,
             "expected a number of milliseconds >= 100");
  r.duration("ping_interval_ms", out.ping_interval, ns_per_ms, 0,
             "expected a number of milliseconds >= 0");
  r.duration("listen_key_keepalive_minutes", out.listen_key_keepalive, 60 * ns_per_s, ns_per_s,
             "expected a number of minutes > 0 (Binance expires a key after 60)");
  r.duration("reconcile_interval_seconds", out.reconcile_interval, ns_per_s, 100 * ns_per_ms,
             "expected a number of seconds >= 0.1");
  if (!check.ok())
    return;
  if (out.network == "local") {
    if (out.rest_url.empty() || out.ws_url.empty() || (spot && out.ws_api_url.empty()))
      check.fail(path, std::string{"expected rest_url, ws_url"} + (spot ? " and ws_api_url" : "")
                         + " for network \"local\" (the exchange-sim's addresses)");
  } else {
    default_urls(out);
  }
}

void read_replay_venue(checker& check, const json* v, const std::string& path,
                       replay_venue_config& out) {
  object_reader r(check, v, path,
                  {"market", "symbols", "maker_fee", "taker_fee", "paper_latency_ms",
                   "paper_jitter_ms"});
  if (v == nullptr) {
    check.fail(path, "missing key, expected the replay venue's settings (market, symbols)");
    return;
  }
  r.text("market", out.market, "expected one of: spot, usdm",
         [](std::string_view s) { return s == "spot" || s == "usdm"; });
  if (auto* symbols = r.array("symbols", "expected an array of symbol objects")) {
    out.symbols.clear();
    for (rapidjson::SizeType i = 0; i < symbols->Size() && check.ok(); ++i) {
      auto at = element_path(r.at("symbols"), i);
      object_reader e(check, &(*symbols)[i], at, {"symbol", "tick", "lot", "min_notional"});
      for (auto key : {"symbol", "tick", "lot"})
        if (check.ok() && !e.has(key))
          check.fail(e.at(key), std::string{"missing key, expected "}
                                  + (std::string_view{key} == "symbol"
                                       ? "a Binance symbol such as \"ETHUSDT\""
                                       : "a decimal string > 0"));
      replay_symbol_config x;
      std::string name;
      e.text("symbol", name, "expected a Binance symbol such as \"ETHUSDT\"",
             [](std::string_view s) { return is_plain_name(s, "") && s.size() <= 20; });
      x.symbol = symbol_id{name};
      e.decimal("tick", x.tick, "expected a decimal string > 0", positive);
      e.decimal("lot", x.lot, "expected a decimal string > 0", positive);
      e.decimal("min_notional", x.min_notional, "expected a decimal string >= 0", non_negative);
      for (size_t j = 0; j < out.symbols.size() && check.ok(); ++j)
        if (out.symbols[j].symbol == x.symbol)
          check.fail(at + ".symbol", "duplicate symbol " + quoted(name) + " (also "
                                       + element_path(r.at("symbols"), j) + ")");
      out.symbols.push_back(std::move(x));
    }
  }
  if (check.ok() && out.symbols.empty())
    check.fail(r.at("symbols"), "expected at least one symbol");
  bool spot = out.market == "spot";
  out.maker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(20'000);
  out.taker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(50'000);
  r.decimal("maker_fee", out.maker_fee, "expected a decimal string in [-0.01, 0.01]", fee_range);
  r.decimal("taker_fee", out.taker_fee, "expected a decimal string in [-0.01, 0.01]", fee_range);
  r.duration("paper_latency_ms", out.paper_latency, ns_per_ms, 0,
             "expected a number of milliseconds >= 0");
  r.duration("paper_jitter_ms", out.paper_jitter, ns_per_ms, 0,
             "expected a number of milliseconds >= 0");
}

void read_venue(checker& check, const json* v, const std::string& path, venue_config& out) {
  object_reader r(check, v, path, {"name", "kind", "sim", "binance", "replay"});
  r.text("kind", out.kind, "expected one of: sim, binance, replay",
         [](std::string_view s) { return s == "sim" || s == "binance" || s == "replay"; });
  std::string name = out.kind;
  r.text("name", name, "expected a venue name (1 to 32 letters, digits, '-', '_' or '.')",
         [](std::string_view s) { return is_plain_name(s, "-_."); });
  out.name = venue_id{name};
  if (!check.ok())
    return;
  for (auto other : {"sim", "binance", "replay"})
    if (out.kind != other && r.has(other))
      check.fail(r.at(other), "unexpected key for a venue of kind " + quoted(out.kind));
  if (!check.ok())
    return;
  if (out.kind == "sim") {
    read_sim_venue(check, r.get("sim"), r.at("sim"), out.sim);
    return;
  }
  out.sim.symbols.clear();
  if (out.kind == "replay")
    read_replay_venue(check, r.get("replay"), r.at("replay"), out.replay);
  else
    read_binance_venue(check, r.get("binance"), r.at("binance"), out.binance);
}

/// Reads mean-reversion settings over `out`, which holds the defaults.
void read_mean_reversion(checker& check, const json* v, const std::string& path,
                         mean_reversion_config& out) {
  object_reader r(check, v, path,
                  {"window", "entry_z", "exit_z", "stop_loss", "bar_seconds",
                   "time_stop_minutes", "time_stop_off_hours_minutes", "off_hours_start_utc",
                   "off_hours_end_utc", "allow_short", "order_notional",
                   "maker_lifetime_seconds", "liquidity", "reprice_threshold",
                   "reprice_min_interval_seconds", "max_reprices", "imbalance_levels"});
  r.integer("window", out.window, 2, 100'000, "expected an integer in 2..100000");
  r.number("entry_z", out.entry_z, "expected a number > 0", [](double x) { return x > 0; });
  r.number("exit_z", out.exit_z, "expected a number > 0", [](double x) { return x > 0; });
  if (check.ok() && out.exit_z >= out.entry_z)
    check.fail(r.at(r.has("exit_z") ? "exit_z" : "entry_z"),
               "expected exit_z < entry_z, got " + format_number(out.exit_z)
                 + " >= " + format_number(out.entry_z));
  r.number("stop_loss", out.stop_loss, "expected a number > 0 and < 1",
           [](double x) { return x > 0 && x < 1; });
  r.duration("bar_seconds", out.bar_interval, ns_per_s, ns_per_ms,
             "expected a number of seconds >= 0.001");
  r.duration("time_stop_minutes", out.time_stop, 60 * ns_per_s, ns_per_s,
             "expected a number of minutes > 0");
  r.duration("time_stop_off_hours_minutes", out.time_stop_off_hours, 60 * ns_per_s,
             ns_per_s, "expected a number of minutes > 0");
  r.integer("off_hours_start_utc", out.off_hours_start_utc, 0, 23,
            "expected an hour in 0..23");
  r.integer("off_hours_end_utc", out.off_hours_end_utc, 0, 23, "expected an hour in 0..23");
  r.flag("allow_short", out.allow_short);
  r.decimal("order_notional", out.order_notional, "expected a decimal string > 0", positive);
  auto liquidity = out.liquidity;
  r.text("liquidity", out.liquidity, "expected one of: liquid, thin",
         [](std::string_view s) { return s == "liquid" || s == "thin"; });
  if (check.ok() && out.liquidity != liquidity) {
    // The class sets the watchdog's defaults; explicit keys below override.
    bool thin = out.liquidity == "thin";
    out.maker_lifetime = (thin ? 120 : 30) * ns_per_s;
    out.max_reprices = thin ? 15 : 5;
  }
  r.duration("maker_lifetime_seconds", out.maker_lifetime, ns_per_s, ns_per_ms,
             "expected a number of seconds >= 0.001");
  r.number("reprice_threshold", out.reprice_threshold, "expected a number > 0 and < 0.1",
           [](double x) { return x > 0 && x < 0.1; });
  r.duration("reprice_min_interval_seconds", out.reprice_min_interval, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.integer("max_reprices", out.max_reprices, 0, 254, "expected an integer in 0..254");
  r.integer("imbalance_levels", out.imbalance_levels, 1, 1000,
            "expected an integer in 1..1000");
}

std::vector<std::string> venue_names(const agora_config& cfg) {
  std::vector<std::string> out;
  for (const auto& v : cfg.venues)
    out.push_back(v.name.str());
  return out;
}

/// What the config knows of one symbol of a venue: a Binance symbol's min
/// notional comes from the venue at run time (the gateway checks it then).
struct known_symbol {
  symbol_id symbol;
  bool perpetual = false;
  notional min_notional;
};

std::vector<known_symbol> known_symbols(const venue_config& venue) {
  std::vector<known_symbol> known;
  if (venue.kind == "binance")
    for (const auto& s : venue.binance.symbols)
      known.push_back({s, venue.binance.market == "usdm", notional{}});
  else if (venue.kind == "replay")
    for (const auto& s : venue.replay.symbols)
      known.push_back({s.symbol, venue.replay.market == "usdm", s.min_notional});
  else
    for (const auto& s : venue.sim.symbols)
      known.push_back({s.symbol, s.perpetual, s.min_notional});
  return known;
}

/// Reads one leg {"venue", "symbol"} of a basis strategy.
std::optional<known_symbol> read_leg(checker& check, const json* v, const std::string& path,
                                     const agora_config& cfg, instrument_ref& out) {
  if (v == nullptr) {
    check.fail(path, "missing key, expected an object {\"venue\": ..., \"symbol\": ...}");
    return std::nullopt;
  }
  object_reader r(check, v, path, {"venue", "symbol"});
  std::string venue_name, symbol_name;
  r.text("venue", venue_name, "expected a venue name", [](std::string_view s) { return !s.empty(); });
  r.text("symbol", symbol_name, "expected a symbol name", [](std::string_view s) { return !s.empty(); });
  if (!check.ok())
    return std::nullopt;
  if (!r.has("venue") || !r.has("symbol")) {
    check.fail(r.at(r.has("venue") ? "symbol" : "venue"), "missing key");
    return std::nullopt;
  }
  const venue_config* venue = nullptr;
  for (const auto& x : cfg.venues)
    if (x.name.str() == venue_name)
      venue = &x;
  if (venue == nullptr) {
    check.fail(r.at("venue"), "unknown venue " + quoted(venue_name) + ", expected one of: "
                                + join(venue_names(cfg)));
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& s : known_symbols(*venue)) {
    names.push_back(s.symbol.str());
    if (s.symbol.str() == symbol_name) {
      out.venue = venue->name;
      out.symbol = s.symbol;
      return s;
    }
  }
  check.fail(r.at("symbol"), "unknown symbol " + quoted(symbol_name) + " on venue "
                               + quoted(venue_name) + ", expected one of: " + join(names));
  return std::nullopt;
}

/// Reads a basis strategy's `basis` block over `out`, which holds the defaults.
void read_basis(checker& check, const json* v, const std::string& path,
                const agora_config& cfg, basis_config& out) {
  if (v == nullptr) {
    check.fail(path, "missing key, expected the basis settings with \"spot\" and \"perp\"");
    return;
  }
  object_reader r(check, v, path,
                  {"spot", "perp", "trade_notional", "entry_threshold_bps", "exit_threshold_bps",
                   "safety_buffer_bps", "include_funding", "funding_horizon_hours",
                   "allow_reverse", "slippage_tolerance_bps", "leg_deadline_ms",
                   "cooldown_seconds", "max_quote_skew_ms", "retry_backoff_seconds",
                   "unwind_retry_ms", "max_unwind_attempts"});
  auto spot = read_leg(check, r.get("spot"), r.at("spot"), cfg, out.spot);
  if (!check.ok())
    return;
  auto perp = read_leg(check, r.get("perp"), r.at("perp"), cfg, out.perp);
  if (!check.ok())
    return;
  if (spot->perpetual) {
    check.fail(r.at("spot") + ".symbol", "expected a spot symbol, got the perpetual "
                                           + quoted(spot->symbol.str()));
    return;
  }
  if (!perp->perpetual) {
    check.fail(r.at("perp") + ".symbol", "expected a perpetual symbol, got the spot symbol "
                                           + quoted(perp->symbol.str()));
    return;
  }
  auto non_negative = [](double x) { return x >= 0; };
  r.decimal("trade_notional", out.trade_notional, "expected a decimal string > 0", positive);
  r.number("entry_threshold_bps", out.entry_threshold_bps, "expected a number of bps", [](double) { return true; });
  r.number("exit_threshold_bps", out.exit_threshold_bps, "expected a number of bps", [](double) { return true; });
  if (check.ok() && out.exit_threshold_bps >= out.entry_threshold_bps)
    check.fail(r.at(r.has("exit_threshold_bps") ? "exit_threshold_bps" : "entry_threshold_bps"),
               "expected exit_threshold_bps < entry_threshold_bps (hysteresis), got "
                 + format_number(out.exit_threshold_bps) + " >= "
                 + format_number(out.entry_threshold_bps));
  r.number("safety_buffer_bps", out.safety_buffer_bps, "expected a number of bps >= 0", non_negative);
  r.flag("include_funding", out.include_funding);
  r.duration("funding_horizon_hours", out.funding_horizon, 3600 * ns_per_s, 0,
             "expected a number of hours >= 0");
  r.flag("allow_reverse", out.allow_reverse);
  r.number("slippage_tolerance_bps", out.slippage_tolerance_bps, "expected a number of bps >= 0",
           non_negative);
  r.duration("leg_deadline_ms", out.leg_deadline, ns_per_ms, 10 * ns_per_ms,
             "expected a number of milliseconds >= 10");
  r.duration("cooldown_seconds", out.cooldown, ns_per_s, 0, "expected a number of seconds >= 0");
  r.duration("max_quote_skew_ms", out.max_quote_skew, ns_per_ms, ns_per_ms,
             "expected a number of milliseconds >= 1");
  r.duration("retry_backoff_seconds", out.retry_backoff, ns_per_s, 0,
             "expected a number of seconds >= 0");
  r.duration("unwind_retry_ms", out.unwind_retry, ns_per_ms, ns_per_ms,
             "expected a number of milliseconds >= 1");
  r.integer("max_unwind_attempts", out.max_unwind_attempts, 1, 100, "expected an integer in 1..100");
  if (!check.ok())
    return;
  for (const auto* leg : {&*spot, &*perp})
    if (out.trade_notional < leg->min_notional) {
      check.fail(r.at("trade_notional"), "expected at least the min_notional of "
                                           + quoted(leg->symbol.str()) + " ("
                                           + leg->min_notional.to_string() + "), got "
                                           + quoted(out.trade_notional.to_string()));
      return;
    }
  if (out.trade_notional > cfg.risk.max_order_notional)
    check.fail(r.at("trade_notional"), "expected at most risk.max_order_notional ("
                                         + cfg.risk.max_order_notional.to_string() + "), got "
                                         + quoted(out.trade_notional.to_string()));
}

/// Reads a strategy; venues, risk, mode and the template must be read first.
void read_strategy(checker& check, const json* v, const std::string& path,
                   const agora_config& cfg, strategy_config& out) {
  object_reader r(check, v, path,
                  {"name", "kind", "venue", "symbol", "mode", "mean_reversion", "basis"});
  r.text("kind", out.kind, "expected one of: mean_reversion, basis",
         [](std::string_view s) { return s == "mean_reversion" || s == "basis"; });
  if (!check.ok())
    return;
  if (out.kind == "basis") {
    for (auto key : {"venue", "symbol", "mean_reversion"})
      if (r.has(key)) {
        check.fail(r.at(key), "unexpected key for a strategy of kind \"basis\" (its legs are "
                              "basis.spot and basis.perp)");
        return;
      }
    read_basis(check, r.get("basis"), r.at("basis"), cfg, out.basis);
    if (!check.ok())
      return;
    out.venue = out.basis.perp.venue;
    out.symbol = out.basis.perp.symbol;
    out.name = "basis:" + out.basis.spot.symbol.str();
    r.text("name", out.name,
           "expected a strategy name (1 to 32 letters, digits, '-', '_', '.' or ':')",
           [](std::string_view s) { return is_plain_name(s, "-_.:"); });
    out.mode = cfg.mode;
    r.mode("mode", out.mode);
    if (check.ok() && out.mode == run_mode::live && cfg.mode != run_mode::live)
      check.fail(r.at("mode"), "expected paper or shadow when the top-level mode is "
                                 + std::string{mode_name(cfg.mode)} + ", got \"live\"");
    return;
  }
  if (r.has("basis")) {
    check.fail(r.at("basis"), "unexpected key for a strategy of kind \"mean_reversion\"");
    return;
  }

  const venue_config* venue = nullptr;
  if (check.ok() && !r.has("venue")) {
    if (cfg.venues.size() == 1)
      venue = &cfg.venues.front();
    else if (cfg.venues.empty())
      check.fail(r.at("venue"), "missing key, expected a configured venue (none is configured)");
    else
      check.fail(r.at("venue"), "missing key, expected one of: " + join(venue_names(cfg)));
  }
  std::string venue_name;
  r.text("venue", venue_name, "expected a venue name",
         [](std::string_view s) { return !s.empty(); });
  if (check.ok() && venue == nullptr) {
    for (const auto& x : cfg.venues)
      if (x.name.str() == venue_name)
        venue = &x;
    if (venue == nullptr)
      check.fail(r.at("venue"), "unknown venue " + quoted(venue_name) + ", expected one of: "
                                  + join(venue_names(cfg)));
  }
  if (!check.ok())
    return;
  out.venue = venue->name;

  auto known = known_symbols(*venue);
  const known_symbol* symbol = nullptr;
  std::vector<std::string> symbols;
  for (const auto& s : known)
    symbols.push_back(s.symbol.str());
  if (!r.has("symbol")) {
    check.fail(r.at("symbol"), "missing key, expected one of the symbols of venue "
                                 + quoted(venue->name.str()) + ": " + join(symbols));
    return;
  }
  std::string symbol_name;
  r.text("symbol", symbol_name, "expected a symbol name",
         [](std::string_view s) { return !s.empty(); });
  if (!check.ok())
    return;
  for (const auto& s : known)
    if (s.symbol.str() == symbol_name)
      symbol = &s;
  if (symbol == nullptr) {
    check.fail(r.at("symbol"), "unknown symbol " + quoted(symbol_name) + " on venue "
                                 + quoted(venue->name.str()) + ", expected one of: "
                                 + join(symbols));
    return;
  }
  out.symbol = symbol->symbol;

  out.name = "mr:" + symbol_name;
  r.text("name", out.name,
         "expected a strategy name (1 to 32 letters, digits, '-', '_', '.' or ':')",
         [](std::string_view s) { return is_plain_name(s, "-_.:"); });

  out.mode = cfg.mode;
  r.mode("mode", out.mode);
  if (check.ok() && out.mode == run_mode::live && cfg.mode != run_mode::live)
    check.fail(r.at("mode"), "expected paper or shadow when the top-level mode is "
                               + std::string{mode_name(cfg.mode)} + ", got \"live\"");

  out.mean_reversion = cfg.strategy_template;
  auto mr_path = r.at("mean_reversion");
  read_mean_reversion(check, r.get("mean_reversion"), mr_path, out.mean_reversion);
  if (!check.ok())
    return;
  const auto& mr = out.mean_reversion;
  if (mr.allow_short && !symbol->perpetual)
    check.fail(mr_path + ".allow_short", "expected false: " + quoted(symbol_name)
                                           + " on venue " + quoted(venue->name.str())
                                           + " is spot and cannot be shorted");
  else if (mr.order_notional < symbol->min_notional)
    check.fail(mr_path + ".order_notional",
               "expected at least the min_notional of " + quoted(symbol_name) + " ("
                 + symbol->min_notional.to_string() + "), got "
                 + quoted(mr.order_notional.to_string()));
  else if (mr.order_notional > cfg.risk.max_order_notional)
    check.fail(mr_path + ".order_notional",
               "expected at most risk.max_order_notional ("
                 + cfg.risk.max_order_notional.to_string() + "), got "
                 + quoted(mr.order_notional.to_string()));
}

void read_config(checker& check, const json& root, agora_config& cfg) {
  if (!root.IsObject()) {
    check.fail_value("", "expected a JSON object at the top level", root);
    return;
  }
  object_reader r(check, &root, "",
                  {"data_dir", "log_level", "log_file", "status_interval_seconds", "mode",
                   "scheduler", "control", "journal", "supervision", "risk", "gateway", "alerts",
                   "record", "venues", "strategies", "strategy_template"});
  r.text("data_dir", cfg.data_dir, "expected a non-empty path",
         [](std::string_view s) { return !s.empty(); });
  r.text("log_level", cfg.log_level,
         "expected one of: trace, debug, info, warn, warning, err, error, critical, off",
         is_log_level);
  r.text("log_file", cfg.log_file);
  r.duration("status_interval_seconds", cfg.status_interval, ns_per_s, ns_per_ms,
             "expected a number of seconds >= 0.001");
  r.mode("mode", cfg.mode);
  read_scheduler(check, r.get("scheduler"), "scheduler", cfg.scheduler);
  read_control(check, r.get("control"), "control", cfg.control);
  read_journal(check, r.get("journal"), "journal", cfg.journal);
  read_supervision(check, r.get("supervision"), "supervision", cfg.supervision);
  read_risk(check, r.get("risk"), "risk", cfg.risk);
  read_gateway(check, r.get("gateway"), "gateway", cfg.gateway);
  read_alerts(check, r.get("alerts"), "alerts", cfg.alerts);
  {
    object_reader rec(check, r.get("record"), "record", {"dir", "rotate"});
    rec.text("dir", cfg.record.dir, "expected a folder path",
             [](std::string_view s) { return !s.empty(); });
    rec.text("rotate", cfg.record.rotate, "expected one of: hour, day",
             [](std::string_view s) { return s == "hour" || s == "day"; });
  }
  read_mean_reversion(check, r.get("strategy_template"), "strategy_template",
                      cfg.strategy_template);

  if (auto* venues = r.array("venues", "expected an array of venue objects")) {
    for (rapidjson::SizeType i = 0; i < venues->Size() && check.ok(); ++i) {
      auto at = element_path("venues", i);
      venue_config v;
      read_venue(check, &(*venues)[i], at, v);
      for (size_t j = 0; j < cfg.venues.size() && check.ok(); ++j)
        if (cfg.venues[j].name == v.name)
          check.fail(at + ".name", "duplicate venue name " + quoted(v.name.str()) + " (also "
                                     + element_path("venues", j) + ")");
      cfg.venues.push_back(std::move(v));
    }
  }
  for (size_t i = 0; i < cfg.venues.size() && check.ok(); ++i) {
    const auto& b = cfg.venues[i].binance;
    if (cfg.venues[i].kind != "binance" || b.network != "mainnet")
      continue;
    auto at = element_path("venues", i) + ".binance";
    if (b.orders == "paper") {
      // Paper trading on mainnet's market data: nothing is sent.
      if (b.live)
        check.fail(at + ".live", "expected false: \"orders\": \"paper\" sends nothing, "
                                   "\"live\": true contradicts it");
      else if (!b.verify_tls)
        check.fail(at + ".verify_tls", "expected true on mainnet, got false");
      continue;
    }
    if (!b.live)
      check.fail(at + ".live", "expected true: network \"mainnet\" trades real money and needs "
                                 "\"live\": true here and \"mode\": \"live\" at the top "
                                 "(or \"orders\": \"paper\" to paper-trade on its market data)");
    else if (cfg.mode != run_mode::live)
      check.fail("mode", "expected \"live\": venue " + quoted(cfg.venues[i].name.str())
                           + " is a mainnet venue with live: true, got "
                           + quoted(std::string{mode_name(cfg.mode)}));
    else if (!b.verify_tls)
      check.fail(at + ".verify_tls", "expected true on mainnet, got false");
  }
  for (size_t i = 0; i < cfg.venues.size() && check.ok(); ++i) {
    const auto& b = cfg.venues[i].binance;
    if (cfg.venues[i].kind == "binance" && b.live && b.network != "mainnet")
      check.fail(element_path("venues", i) + ".binance.live",
                 "expected false: live is only for network \"mainnet\", got true on "
                   + quoted(b.network));
  }
  if (check.ok() && cfg.mode == run_mode::live) {
    for (size_t i = 0; i < cfg.venues.size(); ++i) {
      if (cfg.venues[i].kind == "binance" && cfg.venues[i].binance.orders == "paper") {
        check.fail(element_path("venues", i) + ".binance.orders",
                   "expected \"venue\": the top-level mode is \"live\", got \"paper\"");
        break;
      } else if (cfg.venues[i].kind == "sim" || cfg.venues[i].binance.network != "mainnet") {
        check.fail("mode", "expected paper or shadow: venue "
                             + quoted(cfg.venues[i].name.str()) + " ("
                             + element_path("venues", i)
                             + ") is not a mainnet venue and cannot trade live, got \"live\"");
        break;
      }
    }
  }

  if (auto* strategies = r.array("strategies", "expected an array of strategy objects")) {
    for (rapidjson::SizeType i = 0; i < strategies->Size() && check.ok(); ++i) {
      auto at = element_path("strategies", i);
      strategy_config s;
      read_strategy(check, &(*strategies)[i], at, cfg, s);
      for (size_t j = 0; j < cfg.strategies.size() && check.ok(); ++j)
        if (cfg.strategies[j].name == s.name)
          check.fail(at + ".name", "duplicate strategy name " + quoted(s.name) + " (also "
                                     + element_path("strategies", j) + ")");
      cfg.strategies.push_back(std::move(s));
    }
  }
}

} // namespace

std::string to_string(const config_error& e) {
  if (e.path.empty())
    return "config error: " + e.message;
  return "config error at " + e.path + ": " + e.message;
}

std::variant<agora_config, config_error> parse_config(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json_text.data(), json_text.size());
  if (doc.HasParseError())
    return config_error{"<json>", "invalid JSON at byte offset "
                                    + std::to_string(doc.GetErrorOffset()) + ": "
                                    + rapidjson::GetParseError_En(doc.GetParseError())};
  checker check;
  agora_config cfg;
  read_config(check, doc, cfg);
  if (!check.ok())
    return check.take();
  return cfg;
}

/// A relative calendar file is read from the config file's directory.
static void resolve_relative_paths(agora_config& cfg, const std::string& config_path) {
  auto& f = cfg.risk.calendar_file;
  if (f.empty() || f.front() == '/')
    return;
  auto slash = config_path.rfind('/');
  if (slash != std::string::npos)
    f = config_path.substr(0, slash + 1) + f;
}

namespace {

/// Sets `value` at `path` in `doc`; an error message, or "" on success.
std::string apply_override(rapidjson::Document& doc, const config_override& o) {
  json* at = &doc;
  auto& alloc = doc.GetAllocator();
  std::string_view rest{o.path};
  std::string walked;
  while (!rest.empty()) {
    auto dot = rest.find('.');
    auto part = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    std::optional<size_t> index;
    if (auto b = part.find('['); b != std::string_view::npos && part.back() == ']') {
      auto digits = part.substr(b + 1, part.size() - b - 2);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
        return "bad index in " + quoted(o.path);
      index = std::stoul(std::string{digits});
      part = part.substr(0, b);
    }
    walked += (walked.empty() ? "" : ".") + std::string{part};
    if (part.empty() || !at->IsObject())
      return quoted(walked) + " is not an object member in " + quoted(o.path);
    // A key Value, not a StringRef: that one converts to const char* and
    // the lookup would read past the part (part is not NUL-terminated).
    const json key(rapidjson::StringRef(part.data(), static_cast<rapidjson::SizeType>(part.size())));
    auto m = at->FindMember(key);
    if (m == at->MemberEnd()) {
      if (index)
        return quoted(walked) + ": no such array";
      at->AddMember(json(part.data(), static_cast<rapidjson::SizeType>(part.size()), alloc),
                    json(rest.empty() ? rapidjson::kNullType : rapidjson::kObjectType), alloc);
      m = at->FindMember(key);
    }
    at = &m->value;
    if (index) {
      if (!at->IsArray() || *index >= at->Size())
        return quoted(walked + "[" + std::to_string(*index) + "]") + ": no such element";
      at = &(*at)[static_cast<rapidjson::SizeType>(*index)];
      walked += "[" + std::to_string(*index) + "]";
    }
  }
  const auto& v = o.value;
  if (at->IsString()) {
    at->SetString(v.data(), static_cast<rapidjson::SizeType>(v.size()), alloc);
    return "";
  }
  rapidjson::Document parsed;
  parsed.Parse(v.data(), v.size());
  if (!parsed.HasParseError() && (parsed.IsNumber() || parsed.IsBool()))
    at->CopyFrom(parsed, alloc);
  else
    at->SetString(v.data(), static_cast<rapidjson::SizeType>(v.size()), alloc);
  return "";
}

} // namespace

std::variant<agora_config, config_error> load_config_file(const std::string& path,
                                                          const std::vector<config_override>& overrides) {
  if (overrides.empty())
    return load_config_file(path);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return config_error{"<file>", "cannot read " + quoted(path) + ": " + std::strerror(errno)};
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && text.size() <= static_cast<size_t>(max_file_size))
    text.append(buf, n);
  std::fclose(f);
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    return load_config_file(path); // the plain loader names the syntax error
  for (const auto& o : overrides)
    if (auto e = apply_override(doc, o); !e.empty())
      return config_error{o.path, e};
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  doc.Accept(w);
  auto parsed = parse_config(std::string_view{sb.GetString(), sb.GetSize()});
  if (auto* cfg = std::get_if<agora_config>(&parsed))
    resolve_relative_paths(*cfg, path);
  return parsed;
}

std::variant<agora_config, config_error> load_config_file(const std::string& path) {
  auto unreadable = [&path](int err) {
    return config_error{"<file>", "cannot read " + quoted(path) + ": " + std::strerror(err)};
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return unreadable(errno);
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    text.append(buf, n);
    if (text.size() > static_cast<size_t>(max_file_size)) {
      std::fclose(f);
      return config_error{"<file>", "cannot read " + quoted(path) + ": larger than "
                                      + std::to_string(max_file_size) + " bytes"};
    }
  }
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err != 0)
    return unreadable(err);
  auto parsed = parse_config(text);
  if (auto* cfg = std::get_if<agora_config>(&parsed))
    resolve_relative_paths(*cfg, path);
  return parsed;
}

} // namespace agora::config
