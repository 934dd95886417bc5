#pragma once

// Shared helpers of the integration tests: start the whole supervision tree
// from a config JSON in a real actor system, talk to it like an operator
// (control API over HTTP on 127.0.0.1) or like a strategy (scoped actors
// sending intents to risk), poll with bounds, and stop it like app/main.cpp.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/others.hpp>
#include <caf/scoped_actor.hpp>

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "actors/service/service.hpp"
#include "config/config_loader.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/http_client.hpp"
#include "venues/common/json.hpp"
#include "venues/common/logging.hpp"

namespace agora::itest {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

/// The default bound of every wait.
inline constexpr milliseconds default_bound = 10s;

/// Polls `pred` every `every` until it holds or `bound` has passed; returns
/// whether it held. Never waits longer than `bound` plus one `pred` call.
inline bool poll_until(const std::function<bool()>& pred,
                       milliseconds bound = default_bound,
                       milliseconds every = 25ms) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(every);
  }
}

/// The value of `key` in a graph node's detail ("k1=v1 k2=v2"), or nullopt.
inline std::optional<std::string> detail_value(const std::string& detail,
                                               const std::string& key) {
  std::istringstream in{detail};
  std::string tok;
  while (in >> tok) {
    auto eq = tok.find('=');
    if (eq != std::string::npos && tok.compare(0, eq, key) == 0
        && eq == key.size())
      return tok.substr(eq + 1);
  }
  return std::nullopt;
}

/// A numeric detail value; 0 when absent or not a number.
inline uint64_t detail_u64(const std::string& detail, const std::string& key) {
  auto v = detail_value(detail, key);
  if (!v || v->empty())
    return 0;
  char* end = nullptr;
  auto n = std::strtoull(v->c_str(), &end, 10);
  return end && *end == '\0' ? n : 0;
}

/// A fresh directory under /tmp, removed with everything in it.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = "/tmp/agora-itest-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      FAIL("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
};

/// Sets up logging once per process: the level of the first config, or
/// AGORA_TEST_LOG_LEVEL when set (e.g. "info" while debugging a test).
inline void init_logging_once(const std::string& level) {
  static std::once_flag once;
  std::call_once(once, [&] {
    const char* env = std::getenv("AGORA_TEST_LOG_LEVEL");
    std::string err;
    if (!setup_logging(env ? env : level, "", &err))
      FAIL("setup_logging: " << err);
  });
}

/// Replaces every "@DATA_DIR@" in `json`.
inline std::string with_data_dir(std::string json, const std::string& dir) {
  const std::string key = "@DATA_DIR@";
  for (auto i = json.find(key); i != std::string::npos; i = json.find(key, i))
    json.replace(i, key.size(), dir);
  return json;
}

/// A parsed JSON answer; `ok` is false if it did not parse.
struct json_doc {
  rapidjson::Document doc;
  bool ok = false;
};

inline std::unique_ptr<json_doc> parse_json(const std::string& text) {
  auto out = std::make_unique<json_doc>();
  out->doc.Parse(text.data(), text.size());
  out->ok = !out->doc.HasParseError();
  return out;
}

/// The standard config of most tests: the sim venue stepping every 20 ms with
/// BTCUSDT and ETHUSDT, one strategy per symbol that never trades on its own
/// (entry_z 10 cannot be reached with a 5-bar window: |z| <= 4/sqrt(5)), quick
/// restarts, an ephemeral control port. BTCUSDT's min notional is 0.5 so
/// that one lot (0.00001 BTC, ~0.65 USDT) is a valid order.
inline const char* standard_config = R"({
  "data_dir": "@DATA_DIR@",
  "log_level": "error",
  "status_interval_seconds": 60,
  "scheduler": { "policy": "sharing", "max_threads": 2 },
  "control": { "port": 0 },
  "supervision": { "max_restarts": 5, "within_seconds": 60, "backoff_initial_ms": 50, "backoff_max_ms": 400 },
  "risk": { "max_order_notional": "5000", "max_position_notional": "20000", "max_gross_exposure": "50000" },
  "gateway": { "orders_per_minute": 600, "burst": 20 },
  "venues": [ { "name": "sim", "kind": "sim", "sim": {
    "step_interval_ms": 20, "latency_us": 1000, "jitter_us": 500, "heartbeat_timeout_ms": 1000,
    "symbols": [
      { "symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001", "min_notional": "0.5", "level_qty": "0.5", "seed": 1 },
      { "symbol": "ETHUSDT", "start_price": "3500", "tick": "0.01", "lot": "0.0001", "level_qty": "5", "seed": 2 }
    ] } } ],
  "strategies": [ { "symbol": "BTCUSDT" }, { "symbol": "ETHUSDT" } ],
  "strategy_template": { "window": 5, "entry_z": 10, "exit_z": 5, "bar_seconds": 0.1,
                         "order_notional": "100", "maker_lifetime_seconds": 1 }
})";

/// The whole service, started from a config JSON in its own actor system;
/// stopped (like app/main.cpp does) by `stop()` or the destructor.
class service_fixture {
public:
  /// `credentials`: API keys of the config's Binance venues, by venue name.
  /// `data_dir`: use this directory (a restart of an earlier fixture's
  /// service, with its journal) instead of a fresh one.
  explicit service_fixture(const std::string& config_json,
                           std::map<std::string, binance::credentials> credentials = {},
                           const std::string& data_dir = "")
    : data_dir_(data_dir.empty() ? dir_.path() : data_dir) {
    auto parsed = config::parse_config(with_data_dir(config_json, data_dir_));
    if (auto* e = std::get_if<config::config_error>(&parsed))
      FAIL("config rejected: " << config::to_string(*e));
    cfg_ = std::get<config::agora_config>(parsed);
    init_logging_once(cfg_.log_level);
    sys_cfg_ = std::make_unique<caf::actor_system_config>();
    configure_actor_system(*sys_cfg_, cfg_.scheduler);
    sys_ = std::make_unique<caf::actor_system>(*sys_cfg_);
    port_file_ = data_dir_ + "/control.port";
    auto journal = prepare_journal(cfg_);
    if (!journal.error.empty())
      FAIL("journal: " << journal.error);
    service_options opts{token_, port_file_, nullptr, std::move(credentials), journal.run};
    opts.intent_warnings = journal.intent_warnings;
    handles_ = start_service(*sys_, cfg_, std::move(opts));
    // Stop before failing: a running tree would keep the actor system's
    // destructor waiting forever.
    if (!poll_until([&] { return read_port(); })) {
      stop();
      FAIL("the control API did not write its port file");
    }
    if (!wait_ready()) {
      stop();
      FAIL("the tree did not become whole with every book fresh");
    }
    // A clean start: nothing failed on the way up (e.g. a strategy started
    // before its venue's gateway was registered).
    for (auto& n : graph().nodes) {
      INFO("node " << n.name << " restarted at start-up: " << n.detail);
      CHECK(n.restarts == 0);
    }
  }

  ~service_fixture() { stop(); }

  service_fixture(const service_fixture&) = delete;
  service_fixture& operator=(const service_fixture&) = delete;

  /// Stops the tree and the directory (idempotent), as app/main.cpp does
  /// after its graceful steps: exit the root, wait (bounded) for it to go
  /// down, then exit the directory.
  void stop() {
    if (stopped_ || !sys_)
      return;
    stopped_ = true;
    {
      caf::scoped_actor self{*sys_};
      self->monitor(handles_.root);
      self->send_exit(handles_.root, caf::exit_reason::user_shutdown);
      bool down = false;
      self->receive([&](caf::down_msg&) { down = true; },
                    caf::after(std::chrono::seconds(5)) >> [] {});
      CHECK(down);
      self->send_exit(handles_.directory, caf::exit_reason::user_shutdown);
    }
    sys_.reset(); // waits for every actor to finish
  }

  caf::actor_system& sys() { return *sys_; }
  const service_handles& handles() const { return handles_; }
  const config::agora_config& cfg() const { return cfg_; }
  uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }

  /// One control API call with the fixture's token (or `token`).
  net::http_result http(const std::string& method, const std::string& target,
                        const std::string& body = "") {
    return http_with(token_, method, target, body);
  }

  net::http_result http_with(const std::string& token,
                             const std::string& method,
                             const std::string& target,
                             const std::string& body = "") {
    return net::http_call("127.0.0.1", port_, method, target, body, token,
                          std::chrono::milliseconds(10'000));
  }

  /// The live graph straight from the directory.
  graph_report graph() {
    caf::scoped_actor self{*sys_};
    graph_report out;
    self->request(handles_.directory, std::chrono::seconds(5), graph_atom_v)
      .receive([&](graph_report& g) { out = std::move(g); },
               [](caf::error&) {});
    return out;
  }

  /// One node of the live graph, if present.
  std::optional<graph_node> node(const std::string& name) {
    for (auto& n : graph().nodes)
      if (n.name == name)
        return n;
    return std::nullopt;
  }

  /// The live actor at a directory path, or an invalid handle.
  caf::actor lookup(const std::string& path) {
    caf::scoped_actor self{*sys_};
    caf::actor out;
    self->request(handles_.directory, std::chrono::seconds(5), lookup_atom_v,
                  path)
      .receive([&](caf::actor& a) { out = std::move(a); },
               [](caf::error&) {});
    return out;
  }

  /// True when every configured actor is in the graph, every book is fresh,
  /// every strategy has started (it has its instrument spec), and nothing is
  /// down or unresponsive.
  bool all_fresh() {
    auto g = graph();
    std::vector<std::string> expected{"agora", "alerts", "journal", "risk", "strategies",
                                      "control"};
    for (auto& v : cfg_.venues) {
      auto venue = "venue:" + v.name.str();
      bool binance = v.kind == "binance";
      auto entry = !binance ? "/exchange"
                   : v.binance.orders == "paper" ? "/paper-entry" : "/order-entry";
      for (auto child : {"", entry, "/gateway", "/feed"})
        expected.push_back(venue + child);
      for (auto& s : v.sim.symbols)
        expected.push_back(venue + "/book:" + s.symbol.str());
      for (auto& s : v.binance.symbols)
        if (binance)
          expected.push_back(venue + "/book:" + s.str());
    }
    for (auto& s : cfg_.strategies)
      expected.push_back("strategies/" + s.name);
    for (auto& name : expected) {
      bool found = false;
      for (auto& n : g.nodes)
        found = found || n.name == name;
      if (!found)
        return false;
    }
    for (auto& n : g.nodes) {
      if (n.state == "down" || n.state == "unresponsive")
        return false;
      if (n.kind == "book" && n.state != "fresh")
        return false;
      if (n.kind == "strategy" && n.state == "starting")
        return false;
      // Recovered: every venue reconciled with the journal.
      if (n.kind == "risk" && require_active && n.state != "ACTIVE")
        return false;
    }
    return true;
  }

  /// all_fresh() also waits for trading to be ACTIVE (recovery done).
  bool require_active = true;

  /// Polls until the tree is whole and every book fresh.
  bool wait_ready(milliseconds bound = default_bound) {
    return poll_until([&] { return all_fresh(); }, bound, 50ms);
  }

  /// A book's current view (subscribes, takes the first view, unsubscribes).
  std::optional<book_view> first_view(const std::string& symbol,
                                      milliseconds bound = default_bound,
                                      const std::string& venue = "sim") {
    auto book = lookup("venue:" + venue + "/book:" + symbol);
    if (!book)
      return std::nullopt;
    caf::scoped_actor watcher{*sys_};
    watcher->send(book, caf::subscribe_atom_v);
    std::optional<book_view> out;
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!out && std::chrono::steady_clock::now() < deadline) {
      watcher->receive(
        [&](book_view& v) {
          if (!v.bids.empty() && !v.asks.empty())
            out = std::move(v);
        },
        caf::others >> [](caf::message_view&) -> caf::result<caf::message> {
          return caf::message{};
        },
        caf::after(std::chrono::milliseconds(100)) >> [] {});
    }
    watcher->send(book, unsub_atom_v);
    return out;
  }

private:
  bool read_port() {
    std::ifstream in{port_file_};
    std::string line;
    if (!std::getline(in, line) || line.empty() || in.eof())
      return false; // not written completely yet
    auto n = std::strtoul(line.c_str(), nullptr, 10);
    if (n == 0 || n > 65535)
      return false;
    port_ = static_cast<uint16_t>(n);
    return true;
  }

  temp_dir dir_;
  std::string data_dir_;
  config::agora_config cfg_;
  std::unique_ptr<caf::actor_system_config> sys_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  service_handles handles_;
  std::string token_ = "itest-token-0123456789abcdef";
  std::string port_file_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

/// Every order event a trader received.
struct order_events {
  std::vector<order_accepted> accepted;
  std::vector<order_filled> filled;
  std::vector<order_canceled> canceled;
  std::vector<order_rejected> rejected;

  const order_accepted* accepted_of(client_order_id cid) const {
    for (auto& e : accepted)
      if (e.cid == cid)
        return &e;
    return nullptr;
  }
  const order_canceled* canceled_of(client_order_id cid) const {
    for (auto& e : canceled)
      if (e.cid == cid)
        return &e;
    return nullptr;
  }
  const order_rejected* rejected_of(client_order_id cid) const {
    for (auto& e : rejected)
      if (e.cid == cid)
        return &e;
    return nullptr;
  }
  /// The last fill of `cid` (highest cum_qty), if any.
  const order_filled* last_fill_of(client_order_id cid) const {
    const order_filled* out = nullptr;
    for (auto& e : filled)
      if (e.cid == cid && (!out || out->cum_qty < e.cum_qty))
        out = &e;
    return out;
  }
  quantity filled_qty(client_order_id cid) const {
    quantity q;
    for (auto& e : filled)
      if (e.cid == cid)
        q = q + e.fill_qty;
    return q;
  }
  bool done(client_order_id cid) const {
    if (canceled_of(cid) || rejected_of(cid))
      return true;
    auto f = last_fill_of(cid);
    return f && f->leaves_qty.is_zero();
  }
};

/// Acts as a strategy: sends intents to risk, cancels to the gateway, and
/// collects the order events addressed to it.
class trader {
public:
  explicit trader(service_fixture& f, std::string name = "itest")
    : fix_(f), self_(f.sys()), name_(std::move(name)) {
    // Ids far from any strategy's (those carry the start time in bit 40+).
    static uint64_t next = 1'000;
    next_cid_ = next;
    next += 1'000;
  }

  client_order_id next_cid() { return client_order_id{++next_cid_}; }

  /// A limit order intent.
  submit_order order(const std::string& symbol, side sd, time_in_force tif,
                     price px, quantity qty, const std::string& venue = "sim") {
    submit_order o;
    o.cid = next_cid();
    o.venue = venue_id{venue};
    o.symbol = symbol_id{symbol};
    o.sd = sd;
    o.type = order_type::limit;
    o.tif = tif;
    o.px = px;
    o.qty = qty;
    o.strategy = name_;
    o.local_time = default_clock().now();
    return o;
  }

  /// Sends an intent to risk (the single choke point).
  void submit(const submit_order& o) {
    auto risk = well_known(fix_.sys(), risk_name);
    REQUIRE(risk);
    self_->send(risk, o);
  }

  /// Sends a cancel straight to the venue's gateway, as strategies do.
  void cancel(const submit_order& o) {
    auto gw = fix_.lookup("venue:" + o.venue.str() + "/gateway");
    REQUIRE(gw);
    self_->send(gw, cancel_order{o.cid, o.venue, o.symbol, name_,
                                 default_clock().now()});
  }

  /// Receives order events until `pred(events)` holds or `bound` passes.
  bool wait(const std::function<bool(const order_events&)>& pred,
            milliseconds bound = default_bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!pred(events)) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero())
        return false;
      auto slice = std::min<std::chrono::steady_clock::duration>(left, 50ms);
      self_->receive(
        [&](order_accepted& e) { events.accepted.push_back(std::move(e)); },
        [&](order_filled& e) { events.filled.push_back(std::move(e)); },
        [&](order_canceled& e) { events.canceled.push_back(std::move(e)); },
        [&](order_rejected& e) { events.rejected.push_back(std::move(e)); },
        caf::others >> [](caf::message_view&) -> caf::result<caf::message> {
          return caf::message{};
        },
        caf::after(std::chrono::duration_cast<std::chrono::microseconds>(
          slice)) >> [] {});
    }
    return true;
  }

  order_events events;

private:
  service_fixture& fix_;
  caf::scoped_actor self_;
  std::string name_;
  uint64_t next_cid_ = 0;
};

/// A quantity from its decimal text.
inline quantity qty_of(const char* text) {
  auto q = quantity::parse(text);
  REQUIRE(q);
  return *q;
}

/// `px` moved by `percent` (may be negative), before tick rounding.
inline price shifted(price px, int64_t percent) {
  return price::from_raw(px.raw() + px.raw() / 100 * percent);
}

/// An IOC buy of `qty` on the sim venue 1% through `symbol`'s best ask, sent
/// by `t` and waited for until done: the order (its events are in
/// `t.events`).
inline submit_order ioc_through_ask(service_fixture& f, trader& t, const std::string& symbol,
                                    const char* qty) {
  auto view = f.first_view(symbol);
  REQUIRE(view);
  auto o = t.order(symbol, side::buy, time_in_force::ioc, shifted(view->asks.front().px, 1),
                   qty_of(qty));
  t.submit(o);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(o.cid); }));
  return o;
}

/// The orders the control API lists (GET /v1/orders) as (cid, status, qty).
struct listed_order {
  uint64_t cid = 0;
  std::string status;
  std::string qty;
  std::string symbol;
};

inline std::vector<listed_order> list_orders(service_fixture& f) {
  std::vector<listed_order> out;
  auto r = f.http("GET", "/v1/orders");
  if (!r.ok || r.status != 200)
    return out;
  auto d = parse_json(r.body);
  if (!d->ok)
    return out;
  auto* arr = json::get_array(d->doc, "orders");
  if (!arr)
    return out;
  for (auto& o : arr->GetArray()) {
    listed_order x;
    x.cid = json::get_u64(o, "cid").value_or(0);
    x.status = std::string{json::get_string(o, "status").value_or("")};
    x.qty = std::string{json::get_string(o, "qty").value_or("")};
    x.symbol = std::string{json::get_string(o, "symbol").value_or("")};
    out.push_back(std::move(x));
  }
  return out;
}

inline std::optional<listed_order> listed(service_fixture& f,
                                          client_order_id cid) {
  for (auto& o : list_orders(f))
    if (o.cid == cid.value)
      return o;
  return std::nullopt;
}

/// A string field of a JSON object answer, "" when absent.
inline std::string json_field(const std::string& body, const std::string& key) {
  auto d = parse_json(body);
  if (!d->ok)
    return {};
  return std::string{json::get_string(d->doc, key).value_or("")};
}

inline std::optional<uint64_t> json_u64(const std::string& body,
                                        const std::string& key) {
  auto d = parse_json(body);
  if (!d->ok)
    return std::nullopt;
  return json::get_u64(d->doc, key);
}

inline std::optional<int64_t> json_i64(const std::string& body,
                                       const std::string& key) {
  auto d = parse_json(body);
  if (!d->ok)
    return std::nullopt;
  return json::get_i64(d->doc, key);
}

} // namespace agora::itest
