#include "app/cli.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>
#include <variant>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "actors/control/client_command.hpp"
#include "actors/control/client_render.hpp"
#include "actors/journal/journal_db.hpp"
#include "config/config_loader.hpp"
#include "messages/time.hpp"
#include "venues/common/http_client.hpp"
#include "venues/common/json.hpp"

namespace agora::cli {

namespace {

constexpr auto timeout = std::chrono::seconds(10);

/// POST /v1/reconcile/accept waits for the gateways (the API bounds it at 40 s).
constexpr auto accept_timeout = std::chrono::seconds(45);

/// `reconcile --accept` polls the outcome this often, this long.
constexpr auto poll_interval = std::chrono::milliseconds(500);
constexpr auto poll_limit = std::chrono::seconds(30);

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
  out(render_scopes(d));
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

/// `agora journal export --csv DIR`: reads the journal file directly
/// (read-only; works while the service runs, WAL readers do not block it).
int export_journal(const config::agora_config& cfg, const std::string& dir) {
  journal::open_options o;
  o.path = config::journal_file_path(cfg);
  o.sync = cfg.journal.sync == "normal" ? journal::sync_mode::normal
                                        : journal::sync_mode::full;
  o.read_only = true;
  auto opened = journal::db::open(o);
  if (!opened.journal) {
    err("cannot read the journal: "
        + (opened.error.empty() ? o.path : opened.error));
    return 2;
  }
  journal::export_summary summary;
  try {
    summary = opened.journal->export_csv(dir);
  } catch (const journal::journal_error& e) {
    err("cannot export the journal " + o.path + " to " + dir + ": " + e.what());
    return 2;
  }
  size_t width = 0;
  for (auto& [stem, rows] : summary.tables)
    width = std::max(width, stem.size() + 4);
  for (auto& [stem, rows] : summary.tables)
    out(fmt::format("{:<{}}  {} {}\n", stem + ".csv", width, rows,
                    rows == 1 ? "row" : "rows"));
  return 0;
}

/// Where and how to reach the control API.
struct endpoint {
  std::string address;
  uint16_t port = 0;
  std::string token;
  std::string token_file;
};

/// The control token and port of the running service; an exit code (3) and
/// a message when the service does not seem to run.
std::optional<endpoint> find_service(const config::agora_config& cfg,
                                     int* exit_code) {
  endpoint ep;
  ep.address = cfg.control.address;
  // Token: the service writes it at first start.
  ep.token_file = config::token_file_path(cfg);
  std::ifstream tf{ep.token_file};
  if (!tf || !std::getline(tf, ep.token) || ep.token.empty()) {
    err("cannot read the control token from " + ep.token_file
        + ": is the service running (agora run) with the same --config and "
          "working directory?");
    *exit_code = 3;
    return std::nullopt;
  }
  ep.port = cfg.control.port;
  if (ep.port == 0) {
    std::ifstream pf{cfg.data_dir + "/control.port"};
    unsigned p = 0;
    if (!(pf >> p) || p == 0 || p > 65535) {
      err("control port is ephemeral and " + cfg.data_dir
          + "/control.port is missing: is the service running?");
      *exit_code = 3;
      return std::nullopt;
    }
    ep.port = static_cast<uint16_t>(p);
  }
  return ep;
}

/// One call to the control API. On success the answer's body is returned
/// (parsed into `doc` when it is JSON); otherwise the error is printed and
/// `exit_code` set (3 unreachable, 4 refused, 1 any other failure).
std::optional<std::string> call(const endpoint& ep, const std::string& method,
                                const std::string& target,
                                const std::string& body,
                                std::chrono::milliseconds limit,
                                rapidjson::Document& doc, int* exit_code) {
  auto r = net::http_call(ep.address, ep.port, method, target, body, ep.token,
                          limit);
  if (!r.ok) {
    err("the service is not reachable at " + ep.address + ":"
        + std::to_string(ep.port) + " (" + r.error + "): is it running?");
    *exit_code = 3;
    return std::nullopt;
  }
  doc.Parse(r.body.data(), r.body.size());
  if (r.status != 200) {
    std::string what = r.body;
    if (!doc.HasParseError() && doc.IsObject())
      if (auto e = json::get_string(doc, "error"))
        what = std::string{*e};
    err(r.status == 401 ? "refused: " + what + " (token file " + ep.token_file
                            + ")"
                        : what);
    *exit_code = r.status == 401 ? 4 : 1;
    return std::nullopt;
  }
  return std::move(r.body);
}

/// `reconcile --accept`: the accept, then GET /v1/reconcile until no venue
/// differs (or `poll_limit`), then the final view.
int accept_and_watch(const endpoint& ep, const client_command& cmd) {
  rapidjson::Document doc;
  int code = 0;
  auto answer = call(ep, "POST", "/v1/reconcile/accept", "", accept_timeout,
                     doc, &code);
  if (!answer)
    return code;
  bool json_out = cmd.format == "json";
  if (json_out)
    out(*answer + "\n");
  else if (!doc.HasParseError() && doc.IsObject())
    out(str(doc, "result") + "\n");
  auto deadline = std::chrono::steady_clock::now() + poll_limit;
  std::string view;
  for (;;) {
    auto body = call(ep, "GET", "/v1/reconcile", "", timeout, doc, &code);
    if (!body)
      return code;
    view = std::move(*body);
    if (doc.HasParseError() || !doc.IsObject()) {
      err("unreadable answer from GET /v1/reconcile");
      return 1;
    }
    if (verdict_of(doc) != reconcile_verdict::mismatch
        || std::chrono::steady_clock::now() + poll_interval > deadline)
      break;
    std::this_thread::sleep_for(poll_interval);
  }
  out(json_out ? view + "\n" : "\n" + render_reconcile(doc));
  auto verdict = verdict_of(doc);
  if (verdict == reconcile_verdict::mismatch)
    err("venues still differ from the journal after "
        + std::to_string(poll_limit.count()) + " s");
  return exit_code(verdict);
}

} // namespace

void print_usage() {
  out(R"(agora: actor-model algorithmic trading (paper trading on an embedded exchange by default)

usage: agora [--config FILE] COMMAND [ARGS]

service:
  run                       run the service in the foreground (SIGINT/SIGTERM stop it)

recording (market data for backtests):
  record [--out DIR] [--rotate hour|day] [--seconds N]
                            record every venue's raw frames and snapshots as gzip files
                            (agora record --help)

backtest (no service needed):
  backtest --data PATH... [--from T] [--to T] [--report DIR] [--speed max|N]
                            play recorded market data through the same tree, on a virtual
                            clock; report.json, equity.csv, trades.csv (agora backtest --help)

client (talks to a running service's control API on 127.0.0.1):
  graph [--json|--dot]      the live actor tree: name, kind, state, restarts, mailbox, uptime
  status                    trading state, counters, PnL
  halt [--reason TEXT] [--venue V | --strategy S | --symbol V/SYM]
                            halt all trading (or one venue, strategy or symbol): strategies stop,
                            resting orders are cancelled
  resume [--venue V | --strategy S | --symbol V/SYM]
                            return to ACTIVE after a halt (at the same scope)
  spawn SYMBOL [--venue V]  add a book and a strategy for SYMBOL at runtime
  stop SYMBOL [--venue V]   stop SYMBOL's strategy and book, cancelling its orders
  orders [--all] [--limit N]
                            open and recent orders; --all: the journal's order history
                            (newest first, N from 1 to 10000, default 50)
  positions                 positions and PnL
  fills [--limit N]         the journal's fills, newest first
  signals [--blocked] [--limit N]
                            strategy signals, acted on or blocked (--blocked: only those) with why
  pnl [--limit N]           live PnL, then the journaled PnL snapshots
  reconcile                 per venue: OK, MISMATCH (with the differences) or INCOMPLETE;
                            the trading state; recent reconciliation records.
                            exit 0 all venues clean, 5 a venue differs, 6 a venue not read yet
  reconcile --accept        adopt each mismatched venue's holdings, then wait (up to 30 s)
                            until no venue differs; exit 0 clean, 5 still differs, 6 incomplete
  fault KIND [SYMBOL] [--venue V] [--ms N]
                            inject a fault: feed-drop, seq-gap, malformed, stall, crash-book, reject-next, expire-next, partial-next
  every client command takes --json: the API's answer as is.
  exit codes: 0 ok, 1 the service answered with an error, 2 bad arguments,
  3 the service is not reachable, 4 the token was refused, 5 and 6: see reconcile

journal (reads the journal file itself; the service may be running or not):
  journal export --csv DIR  one CSV file per journal table into DIR; exit 2 if it cannot

local Binance-protocol exchange (a separate process, TLS on 127.0.0.1):
  exchange-sim [--data-dir D] [--spot-port N] [--usdm-port N] [--step-ms N] [--seed N]
               [--listen-key-ttl-s N] [--weight-limit N]
                            serve the sim exchange as Binance spot + USD-M (REST, WebSocket);
                            --weight-limit: request weight per minute (Binance: 6000 spot, 2400 USD-M)
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
  std::string error;
  auto cmd = parse_client_command(command, args, &error);
  if (!cmd) {
    err(error);
    return 2;
  }
  if (cmd->name == "journal")
    return export_journal(cfg, cmd->csv_dir);
  int code = 0;
  auto ep = find_service(cfg, &code);
  if (!ep)
    return code;
  if (cmd->accept)
    return accept_and_watch(*ep, *cmd);
  rapidjson::Document doc;
  auto body = call(*ep, cmd->method, cmd->target, cmd->body, timeout, doc,
                   &code);
  if (!body)
    return code;
  bool readable = !doc.HasParseError() && doc.IsObject();
  if (cmd->format == "json" || !readable) {
    out(*body);
    out("\n");
    return command == "reconcile" && readable ? exit_code(verdict_of(doc)) : 0;
  }
  if (command == "graph")
    cmd->format == "dot" ? render_graph_dot(doc) : render_graph_text(doc);
  else if (command == "status")
    render_status(doc);
  else if (command == "orders")
    render_orders(doc);
  else if (command == "positions")
    render_positions(doc);
  else if (command == "fills")
    out(render_fills(doc));
  else if (command == "signals")
    out(render_signals(doc));
  else if (command == "pnl")
    out(render_pnl(doc));
  else if (command == "reconcile") {
    out(render_reconcile(doc));
    return exit_code(verdict_of(doc));
  } else
    out(str(doc, "result") + "\n");
  return 0;
}

} // namespace agora::cli
