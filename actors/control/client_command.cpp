#include "actors/control/client_command.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "actors/control/api_query.hpp"

namespace agora {

namespace {

/// What a command accepts.
struct command_spec {
  std::string_view name;
  std::string_view usage;
  size_t min_args;
  size_t max_args;
  std::vector<std::string_view> options;
};

// clang-format off
const std::vector<command_spec> specs = {
  {"graph",     "graph [--json|--dot]",                          0, 0, {"--json", "--dot"}},
  {"status",    "status [--json]",                               0, 0, {"--json"}},
  {"halt",      "halt [--venue V | --strategy S | --symbol V/SYM] [--reason TEXT]",
                                                                 0, 0, {"--json", "--reason", "--venue", "--strategy", "--symbol"}},
  {"resume",    "resume [--venue V | --strategy S | --symbol V/SYM]",
                                                                 0, 0, {"--json", "--venue", "--strategy", "--symbol"}},
  {"spawn",     "spawn SYMBOL [--venue V]",                      1, 1, {"--json", "--venue"}},
  {"stop",      "stop SYMBOL [--venue V]",                       1, 1, {"--json", "--venue"}},
  {"orders",    "orders [--all] [--limit N] [--json]",           0, 0, {"--json", "--all", "--limit"}},
  {"positions", "positions [--json]",                            0, 0, {"--json"}},
  {"fault",     "fault KIND [SYMBOL] [--venue V] [--ms N]",      1, 2, {"--json", "--venue", "--ms"}},
  {"fills",     "fills [--limit N] [--json]",                    0, 0, {"--json", "--limit"}},
  {"signals",   "signals [--blocked] [--limit N] [--json]",      0, 0, {"--json", "--blocked", "--limit"}},
  {"pnl",       "pnl [--limit N] [--json]",                      0, 0, {"--json", "--limit"}},
  {"reconcile", "reconcile [--accept] [--json]",                 0, 0, {"--json", "--accept"}},
  {"journal",   "journal export --csv DIR [--config FILE]",      1, 1, {"--csv"}},
};
// clang-format on

bool takes_value(std::string_view opt) {
  return opt == "--reason" || opt == "--venue" || opt == "--ms"
         || opt == "--limit" || opt == "--csv" || opt == "--strategy"
         || opt == "--symbol";
}

std::string usage(const command_spec& s) {
  return "usage: agora " + std::string{s.usage};
}

/// A JSON object of string members, and `duration_ms` when given.
std::string json_body(
  std::initializer_list<std::pair<const char*, std::string>> members,
  std::optional<int64_t> duration_ms = std::nullopt) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  for (auto& [k, v] : members) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  if (duration_ms) {
    w.Key("duration_ms");
    w.Int64(*duration_ms);
  }
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

} // namespace

std::optional<client_command>
parse_client_command(const std::string& command,
                     const std::vector<std::string>& args, std::string* error) {
  auto spec = std::find_if(specs.begin(), specs.end(),
                           [&](const command_spec& s) { return s.name == command; });
  if (spec == specs.end()) {
    *error = "unknown command '" + command + "' (see agora --help)";
    return std::nullopt;
  }
  client_command out;
  out.name = command;
  std::vector<std::string> positional;
  std::string reason, venue, ms_text, limit_text, strategy, symbol;
  bool has_ms = false, has_limit = false, blocked = false, all = false;
  bool has_csv = false;
  for (size_t i = 0; i < args.size(); ++i) {
    auto& a = args[i];
    if (a.size() < 2 || a.compare(0, 2, "--") != 0) {
      positional.push_back(a);
      continue;
    }
    if (std::find(spec->options.begin(), spec->options.end(), a)
        == spec->options.end()) {
      *error = "unknown option '" + a + "' for '" + command + "'; "
               + usage(*spec);
      return std::nullopt;
    }
    std::string value;
    if (takes_value(a)) {
      if (i + 1 >= args.size()) {
        *error = a + " needs a value; " + usage(*spec);
        return std::nullopt;
      }
      value = args[++i];
    }
    if (a == "--json" || a == "--dot")
      out.format = a.substr(2);
    else if (a == "--reason")
      reason = value;
    else if (a == "--venue")
      venue = value;
    else if (a == "--strategy")
      strategy = value;
    else if (a == "--symbol")
      symbol = value;
    else if (a == "--ms")
      ms_text = value, has_ms = true;
    else if (a == "--limit")
      limit_text = value, has_limit = true;
    else if (a == "--blocked")
      blocked = true;
    else if (a == "--all")
      all = true;
    else if (a == "--accept")
      out.accept = true;
    else if (a == "--csv")
      out.csv_dir = value, has_csv = true;
  }
  if (positional.size() < spec->min_args || positional.size() > spec->max_args) {
    *error = usage(*spec);
    return std::nullopt;
  }
  std::string query;
  if (has_limit) {
    if (!parse_limit(limit_text, max_client_limit)) {
      *error = "--limit needs a whole number from 1 to "
               + std::to_string(max_client_limit) + ", got '" + limit_text + "'";
      return std::nullopt;
    }
    query = "limit=" + limit_text;
  }
  int64_t ms = 0;
  if (has_ms) {
    auto* b = ms_text.data();
    auto* e = b + ms_text.size();
    auto [end, ec] = std::from_chars(b, e, ms);
    if (ms_text.empty() || ec != std::errc{} || end != e || ms < 0) {
      *error = "--ms needs a number of milliseconds, got '" + ms_text + "'";
      return std::nullopt;
    }
  }
  auto with_query = [&](std::string path) {
    return query.empty() ? path : path + "?" + query;
  };
  if (command == "graph" || command == "status" || command == "positions"
      || command == "fills" || command == "pnl") {
    out.target = with_query("/v1/" + command);
  } else if (command == "orders") {
    if (has_limit && !all) {
      *error = "--limit applies to the journal's history: agora orders --all "
               "--limit N";
      return std::nullopt;
    }
    out.target = all ? with_query("/v1/orders/history") : "/v1/orders";
  } else if (command == "signals") {
    if (blocked)
      query += (query.empty() ? "" : "&") + std::string{"blocked=1"};
    out.target = with_query("/v1/signals");
  } else if (command == "halt" || command == "resume") {
    // At most one scope; none is global.
    int scopes = !venue.empty() + !strategy.empty() + !symbol.empty();
    if (scopes > 1) {
      *error = "one scope at most (--venue, --strategy or --symbol); " + usage(*spec);
      return std::nullopt;
    }
    if (!symbol.empty()) {
      auto slash = symbol.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == symbol.size()
          || symbol.find('/', slash + 1) != std::string::npos) {
        *error = "--symbol needs VENUE/SYMBOL (e.g. sim/BTCUSDT), got '" + symbol + "'";
        return std::nullopt;
      }
    }
    std::string kind = !venue.empty()      ? "venue"
                       : !strategy.empty() ? "strategy"
                       : !symbol.empty()   ? "symbol"
                                           : "";
    std::string name = venue + strategy + symbol;
    out.method = "POST";
    out.target = "/v1/" + command;
    if (command == "halt") {
      auto r = reason.empty() ? std::string{"operator halt"} : reason;
      out.body = kind.empty() ? json_body({{"reason", r}})
                              : json_body({{"reason", r}, {"scope", kind}, {"name", name}});
    } else if (!kind.empty()) {
      out.body = json_body({{"scope", kind}, {"name", name}});
    }
  } else if (command == "spawn" || command == "stop") {
    out.method = "POST";
    out.target = "/v1/" + command;
    out.body = json_body({{"symbol", positional[0]}, {"venue", venue}});
  } else if (command == "fault") {
    out.method = "POST";
    out.target = "/v1/fault";
    out.body = json_body({{"kind", positional[0]},
                          {"symbol", positional.size() > 1 ? positional[1] : ""},
                          {"venue", venue}},
                         ms);
  } else if (command == "reconcile") {
    out.method = out.accept ? "POST" : "GET";
    out.target = out.accept ? "/v1/reconcile/accept" : "/v1/reconcile";
  } else if (command == "journal") {
    if (positional[0] != "export" || !has_csv || out.csv_dir.empty()) {
      *error = usage(*spec);
      return std::nullopt;
    }
  }
  return out;
}

} // namespace agora
