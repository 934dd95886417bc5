#include "app/cli.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <variant>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "config/config_loader.hpp"
#include "messages/time.hpp"
#include "venues/common/http_client.hpp"
#include "venues/common/json.hpp"

namespace agora::cli {

namespace {

constexpr auto timeout = std::chrono::seconds(10);

void err(const std::string& s) { std::fprintf(stderr, "agora: %s\n", s.c_str()); }

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

std::string str(const rapidjson::Value& v, const char* key) {
  auto s = json::get_string(v, key);
  return s ? std::string{*s} : std::string{};
}

uint64_t num(const rapidjson::Value& v, const char* key) {
  return json::get_u64(v, key).value_or(0);
}

std::string age(int64_t started_ns) {
  if (started_ns <= 0)
    return "-";
  auto s = (default_clock().now() - started_ns) / ns_per_s;
  if (s < 120)
    return std::to_string(s) + "s";
  if (s < 7200)
    return std::to_string(s / 60) + "m";
  return std::to_string(s / 3600) + "h";
}

void render_graph_text(const rapidjson::Value& doc) {
  auto* nodes = json::get_array(doc, "nodes");
  if (!nodes)
    return;
  std::map<std::string, std::vector<const rapidjson::Value*>> children;
  std::vector<const rapidjson::Value*> roots;
  for (auto& n : nodes->GetArray()) {
    auto parent = str(n, "parent");
    if (parent.empty())
      roots.push_back(&n);
    else
      children[parent].push_back(&n);
  }
  out(fmt::format("{:<44} {:<11} {:<12} {:>8} {:>7} {:>10} {:>7}  {}\n",
                  "NAME", "KIND", "STATE", "RESTARTS", "MAILBOX", "PROCESSED",
                  "UPTIME", "DETAIL"));
  std::function<void(const rapidjson::Value&, const std::string&, bool, bool)>
    walk = [&](const rapidjson::Value& n, const std::string& prefix, bool last,
               bool root) {
      auto name = str(n, "name");
      auto shown = name;
      if (auto slash = name.rfind('/'); slash != std::string::npos)
        shown = name.substr(slash + 1);
      auto label = root ? shown : prefix + (last ? "└── " : "├── ") + shown;
      out(fmt::format("{:<44} {:<11} {:<12} {:>8} {:>7} {:>10} {:>7}  {}\n",
                      label, str(n, "kind"), str(n, "state"),
                      num(n, "restarts"), num(n, "mailbox"),
                      num(n, "processed"),
                      age(json::get_i64(n, "started_ns").value_or(0)),
                      str(n, "detail")));
      auto& kids = children[name];
      auto next = root ? std::string{} : prefix + (last ? "    " : "│   ");
      for (size_t i = 0; i < kids.size(); ++i)
        walk(*kids[i], next, i + 1 == kids.size(), false);
    };
  for (auto* r : roots)
    walk(*r, "", true, true);
}

void render_graph_dot(const rapidjson::Value& doc) {
  out("digraph agora {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n");
  if (auto* nodes = json::get_array(doc, "nodes")) {
    for (auto& n : nodes->GetArray()) {
      auto name = str(n, "name");
      auto st = str(n, "state");
      out(fmt::format("  \"{}\" [label=\"{}\\n{} {} r={}\"{}];\n", name, name,
                      str(n, "kind"), st, num(n, "restarts"),
                      st == "running" || st == "fresh" || st == "ACTIVE"
                          || st == "connected" || st == "listening"
                        ? ""
                        : ", color=red"));
      auto parent = str(n, "parent");
      if (!parent.empty())
        out(fmt::format("  \"{}\" -> \"{}\";\n", parent, name));
    }
  }
  out("}\n");
}

void render_status(const rapidjson::Value& d) {
  out(fmt::format("state          {}{}\n", str(d, "state"),
                  str(d, "state_reason").empty()
                    ? ""
                    : " (" + str(d, "state_reason") + ")"));
  out(fmt::format("uptime         {}s\n",
                  json::get_i64(d, "uptime_ns").value_or(0) / ns_per_s));
  out(fmt::format("actors         {} (restarts {})\n", num(d, "actors"),
                  num(d, "restarts")));
  out(fmt::format("intents        {} (denied {})\n", num(d, "intents"),
                  num(d, "denied")));
  out(fmt::format("fills          {}\n", num(d, "fills")));
  out(fmt::format("open orders    {}\n", num(d, "open_orders")));
  out(fmt::format("realized pnl   {}\n", str(d, "realized_pnl")));
  out(fmt::format("unrealized pnl {}\n", str(d, "unrealized_pnl")));
  out(fmt::format("gross exposure {}\n", str(d, "gross_exposure")));
}

void render_orders(const rapidjson::Value& d) {
  auto* orders = json::get_array(d, "orders");
  out(fmt::format("{:<22} {:<6} {:<13} {:<5} {:<9} {:>14} {:>14} {:>14} {:<17} {}\n",
                  "CID", "VENUE", "SYMBOL", "SIDE", "TIF", "PRICE", "QTY",
                  "FILLED", "STATUS", "STRATEGY"));
  if (!orders)
    return;
  for (auto& o : orders->GetArray())
    out(fmt::format("{:<22} {:<6} {:<13} {:<5} {:<9} {:>14} {:>14} {:>14} {:<17} {}\n",
                    num(o, "cid"), str(o, "venue"), str(o, "symbol"),
                    str(o, "side"), str(o, "tif"), str(o, "price"),
                    str(o, "qty"), str(o, "cum_qty"), str(o, "status"),
                    str(o, "strategy")));
}

void render_positions(const rapidjson::Value& d) {
  out(fmt::format("{:<6} {:<13} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12}\n",
                  "VENUE", "SYMBOL", "QTY", "AVG PRICE", "MARK", "REALIZED",
                  "UNREALIZED", "FEES"));
  if (auto* ps = json::get_array(d, "positions"))
    for (auto& p : ps->GetArray())
      out(fmt::format("{:<6} {:<13} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12}\n",
                      str(p, "venue"), str(p, "symbol"), str(p, "qty"),
                      str(p, "avg_price"), str(p, "mark"),
                      str(p, "realized_pnl"), str(p, "unrealized_pnl"),
                      str(p, "fees")));
  out(fmt::format("total realized {}  unrealized {}  gross exposure {}\n",
                  str(d, "realized_pnl"), str(d, "unrealized_pnl"),
                  str(d, "gross_exposure")));
}

std::string quote(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      r += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      r += c;
  }
  return r + "\"";
}

} // namespace

void print_usage() {
  out(R"(agora: actor-model algorithmic trading (paper trading on an embedded exchange by default)

usage: agora [--config FILE] COMMAND [ARGS]

service:
  run                       run the service in the foreground (SIGINT/SIGTERM stop it)

client (talks to a running service's control API on 127.0.0.1):
  graph [--json|--dot]      the live actor tree: name, kind, state, restarts, mailbox, uptime
  status                    trading state, counters, PnL
  halt [--reason TEXT]      halt all trading: strategies stop, resting orders are cancelled
  resume                    return to ACTIVE after a halt
  spawn SYMBOL [--venue V]  add a book and a strategy for SYMBOL at runtime
  stop SYMBOL [--venue V]   stop SYMBOL's strategy and book, cancelling its orders
  orders                    open and recent orders
  positions                 positions and PnL
  fault KIND [SYMBOL] [--venue V] [--ms N]
                            inject a fault: feed-drop, seq-gap, malformed, stall, crash-book

local Binance-protocol exchange (a separate process, TLS on 127.0.0.1):
  exchange-sim [--data-dir D] [--spot-port N] [--usdm-port N] [--step-ms N] [--seed N]
                            serve the sim exchange as Binance spot + USD-M (REST, WebSocket)
  exchange-sim fault KIND [ARG] [--market spot|usdm] [--data-dir D]
                            inject a fault: drop, 429, 418, 503, seq_gap, malformed, stall

options:
  --config FILE             configuration (default: the built-in paper config, as config/paper.json)
  --help, --version
)");
}

int run_client(const std::string& command, const std::vector<std::string>& args,
               const std::string& config_path) {
  config::agora_config cfg = config::default_config();
  if (!config_path.empty()) {
    auto loaded = config::load_config_file(config_path);
    if (auto* e = std::get_if<config::config_error>(&loaded)) {
      err(config::to_string(*e));
      return 2;
    }
    cfg = std::get<config::agora_config>(loaded);
  }
  // Options shared by the commands.
  std::vector<std::string> positional;
  std::string reason, venue, format = "text";
  int64_t ms = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    auto& a = args[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        err(std::string{name} + " needs a value");
        return std::nullopt;
      }
      return args[++i];
    };
    if (a == "--json" || a == "--dot") {
      format = a.substr(2);
    } else if (a == "--reason") {
      auto v = value("--reason");
      if (!v)
        return 2;
      reason = *v;
    } else if (a == "--venue") {
      auto v = value("--venue");
      if (!v)
        return 2;
      venue = *v;
    } else if (a == "--ms") {
      auto v = value("--ms");
      if (!v)
        return 2;
      try {
        ms = std::stoll(*v);
      } catch (...) {
        err("--ms needs a number of milliseconds, got '" + *v + "'");
        return 2;
      }
    } else if (a.rfind("--", 0) == 0) {
      err("unknown option '" + a + "' for '" + command + "' (see agora --help)");
      return 2;
    } else {
      positional.push_back(a);
    }
  }
  auto want_args = [&](size_t lo, size_t hi, const char* usage) {
    if (positional.size() < lo || positional.size() > hi) {
      err(std::string{"usage: agora "} + usage);
      return false;
    }
    return true;
  };
  std::string method = "GET", target, body;
  if (command == "graph") {
    if (!want_args(0, 0, "graph [--json|--dot]"))
      return 2;
    target = "/v1/graph";
  } else if (command == "status") {
    if (!want_args(0, 0, "status"))
      return 2;
    target = "/v1/status";
  } else if (command == "orders") {
    if (!want_args(0, 0, "orders"))
      return 2;
    target = "/v1/orders";
  } else if (command == "positions") {
    if (!want_args(0, 0, "positions"))
      return 2;
    target = "/v1/positions";
  } else if (command == "halt") {
    if (!want_args(0, 0, "halt [--reason TEXT]"))
      return 2;
    method = "POST";
    target = "/v1/halt";
    body = "{\"reason\":" + quote(reason.empty() ? "operator halt" : reason) + "}";
  } else if (command == "resume") {
    if (!want_args(0, 0, "resume"))
      return 2;
    method = "POST";
    target = "/v1/resume";
  } else if (command == "spawn" || command == "stop") {
    if (!want_args(1, 1, command == "spawn" ? "spawn SYMBOL [--venue V]"
                                            : "stop SYMBOL [--venue V]"))
      return 2;
    method = "POST";
    target = "/v1/" + command;
    body = "{\"symbol\":" + quote(positional[0]) + ",\"venue\":" + quote(venue)
           + "}";
  } else if (command == "fault") {
    if (!want_args(1, 2, "fault KIND [SYMBOL] [--venue V] [--ms N]"))
      return 2;
    method = "POST";
    target = "/v1/fault";
    body = "{\"kind\":" + quote(positional[0]) + ",\"symbol\":"
           + quote(positional.size() > 1 ? positional[1] : "") + ",\"venue\":"
           + quote(venue) + ",\"duration_ms\":" + std::to_string(ms) + "}";
  } else {
    err("unknown command '" + command + "' (see agora --help)");
    return 2;
  }
  // Token: the service writes it at first start.
  auto token_file = config::token_file_path(cfg);
  std::ifstream tf{token_file};
  std::string token;
  if (!tf || !std::getline(tf, token) || token.empty()) {
    err("cannot read the control token from " + token_file
        + ": is the service running (agora run) with the same --config and "
          "working directory?");
    return 3;
  }
  auto port = cfg.control.port;
  if (port == 0) {
    std::ifstream pf{cfg.data_dir + "/control.port"};
    unsigned p = 0;
    if (!(pf >> p) || p == 0 || p > 65535) {
      err("control port is ephemeral and " + cfg.data_dir
          + "/control.port is missing: is the service running?");
      return 3;
    }
    port = static_cast<uint16_t>(p);
  }
  auto r = net::http_call(cfg.control.address, port, method, target, body,
                          token, timeout);
  if (!r.ok) {
    err("the service is not reachable at " + cfg.control.address + ":"
        + std::to_string(port) + " (" + r.error + "): is it running?");
    return 3;
  }
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (r.status != 200) {
    std::string what = r.body;
    if (!doc.HasParseError() && doc.IsObject())
      if (auto e = json::get_string(doc, "error"))
        what = std::string{*e};
    err(r.status == 401 ? "refused: " + what + " (token file " + token_file + ")"
                        : what);
    return r.status == 401 ? 4 : 1;
  }
  if (format == "json" || doc.HasParseError() || !doc.IsObject()) {
    out(r.body);
    out("\n");
    return 0;
  }
  if (command == "graph")
    format == "dot" ? render_graph_dot(doc) : render_graph_text(doc);
  else if (command == "status")
    render_status(doc);
  else if (command == "orders")
    render_orders(doc);
  else if (command == "positions")
    render_positions(doc);
  else
    out(str(doc, "result") + "\n");
  return 0;
}

} // namespace agora::cli
