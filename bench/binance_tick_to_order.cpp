// Tick-to-order latency over loopback TLS against a Binance-protocol venue:
//
//   bench venue (net::tls_server on 127.0.0.1, its own I/O thread)
//     --depthUpdate over WSS /stream--> binance feed (ws_client thread ->
//     feed actor: JSON parse, batch, flush) --> book --> mean-reversion
//     strategy --> risk --> gateway --> binance order entry (HMAC-signed
//     query) --POST /api/v3/order over HTTPS (keep-alive pool thread)-->
//     bench venue
//
// The real spawn_* functions build the chain around a directory, with names
// registered as the supervisor would (and risk in CAF's registry); the venue
// is real TLS on loopback (a fresh self-signed certificate that the feed and
// the order entry verify, host name included). The bench venue serves the
// few Binance paths the actors call with canned Binance JSON: GET
// /api/v3/time, /api/v3/exchangeInfo (BENCHUSDT: tick 0.01, lot 0.001,
// NOTIONAL 5), /api/v3/depth (a snapshot at a known lastUpdateId),
// /api/v3/openOrders ("[]"), POST /api/v3/order (records the steady_clock
// arrival and newClientOrderId, answers 400 -2010 "Order would immediately
// match and take." so the strategy is flat again), and the WebSockets
// /stream?streams=... (market data the bench pushes: depthUpdate frames with
// consecutive U/u in the combined-stream wrapper) and /ws-api/v3 (answers
// userDataStream.subscribe.signature with status 200).
//
// Each frame moves the book down one tick one bar (1 ms of venue time) later
// and keeps it bid-heavy, so with window 2 every frame makes a post-only buy
// entry (as in pipeline_latency; the first frame only fills the window and
// times out, once, in the warm-up). One event is in flight at a time: the
// main thread writes a frame (steady_clock just before ws_connection::send),
// waits for its POST /order at the venue (or a 100 ms watchdog), then until
// the rejection has reached the strategy (its stats say "flat"), then writes
// the next frame: at once (closed loop) or 300 us later (paced: the actor
// workers and the I/O threads go idle in between, as on a quiet market).
//
// Breakdowns measured without touching production code:
// - probe: a bench actor subscribed to the book (after the strategy) stamps
//   each book_view: frame written -> book_view at a subscriber (TLS + WS
//   client thread + feed parse and flush + book).
// - rest: a scoped_actor sends submit_order straight to the order entry:
//   submit -> POST arrival at the venue (actor hop, signing, HTTPS write)
//   and submit -> order_rejected back at the sender (the full REST round
//   trip through the order entry).
//
// Every combination of scheduler setting (each its own actor_system and
// venue) and mode runs 2 times, interleaved; medians are printed too. To
// keep the whole bench near 2 minutes on 2 busy cores now that the journal
// adds runs (and a journal run is slower), rounds went from 3 to 2 and the
// measured events per run from 10'000 (closed) and 5'000 (paced, probe,
// REST) to 5'000 and 2'500.
//
// Journal: the closed and paced modes run twice, with the gateway's journal
// off (as before) and on: the gateway's intent log (an order leaves once
// written there, in-line) in front of the real journal actor (detached, SQLite,
// sync=normal) on a fresh temp file per run, registered in CAF's registry as
// the supervisor would; the gateway then waits for the journal's durable ack
// of each order before it goes to the order entry (and journals the
// rejection without waiting). The venue also serves GET /api/v3/account for
// the gateway's start-up reconciliation; the periodic one is set to an hour
// so it never runs inside a measurement. Risk keeps its journal off. The
// strategy journals a bar per frame (its 1 ms bars) and a signal per entry;
// the journal keeps 16 bars, not 2000 (the prune on every bar costs
// O(bars kept)). The probe and REST modes run with the journal off only
// (the REST modes bypass the gateway; the probe's extra series ends before
// it). The cost the journal adds to tick-to-order is printed side by side.
// Prints figures only; asserts nothing about time.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/book/book_actor.hpp"
#include "actors/gateway/gateway_actor.hpp"
#include "bench/bench_journal.hpp"
#include "actors/journal/journal_actor.hpp"
#include "actors/journal/journal_db.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/service/service.hpp"
#include "actors/strategy/mean_reversion_actor.hpp"
#include "actors/supervision/directory.hpp"
#include "config/agora_config.hpp"
#include "messages/type_ids.hpp"
#include "venues/binance/client_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/feed_actor.hpp"
#include "venues/binance/order_entry_actor.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/json.hpp"
#include "venues/common/logging.hpp"
#include "venues/common/tls.hpp"
#include "venues/common/tls_server.hpp"

using namespace agora;

namespace {

using steady = std::chrono::steady_clock;

constexpr size_t closed_warmup = 500;
constexpr size_t closed_events = 5'000; // 10'000 before the journal runs
constexpr size_t paced_warmup = 200;
constexpr size_t paced_events = 2'500; // 5'000 before the journal runs
constexpr size_t book_levels = 10;
constexpr int64_t tick_raw = 1'000'000;    // 0.01
constexpr int64_t start_tick = 10'000'000; // 100000.00
constexpr uint64_t snapshot_id = 1'000'000;
constexpr auto event_timeout = std::chrono::milliseconds(100);
constexpr auto pace = std::chrono::microseconds(300);
constexpr auto poll_step = std::chrono::microseconds(20);
constexpr int rounds = 2;

const venue_id bench_venue{"bench"};
const symbol_id bench_symbol{"BENCHUSDT"};
constexpr const char* depth_stream = "benchusdt@depth@100ms";

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           steady::now().time_since_epoch())
    .count();
}

int64_t wall_ms() { return default_clock().now() / ns_per_ms; }

price tick_px(int64_t tick) { return price::from_raw(tick * tick_raw); }

// -- canned Binance payloads ---------------------------------------------------

using level = std::pair<price, quantity>;

/// [["99999.99","5"],...] as Binance quotes levels (decimals as strings).
std::string levels_json(const std::vector<level>& xs) {
  std::string out = "[";
  for (const auto& [px, qty] : xs) {
    if (out.size() > 1)
      out += ',';
    out += "[\"" + px.to_string() + "\",\"" + qty.to_string() + "\"]";
  }
  return out + "]";
}

/// GET /api/v3/depth at `snapshot_id`: bids 99999.99 down (5 each), asks
/// 100000.00 up (1 each), `book_levels` per side. "E" (which real spot
/// snapshots lack) puts the snapshot's view at the start of venue time, so
/// the strategy's first bar opens there, as in pipeline_latency.
std::string snapshot_json(int64_t venue_start_ms) {
  std::vector<level> bids;
  std::vector<level> asks;
  for (int64_t i = 0; i < static_cast<int64_t>(book_levels); ++i) {
    bids.emplace_back(tick_px(start_tick - 1 - i), quantity::from_units(5));
    asks.emplace_back(tick_px(start_tick + i), quantity::from_units(1));
  }
  return "{\"lastUpdateId\":" + std::to_string(snapshot_id)
         + ",\"E\":" + std::to_string(venue_start_ms) + ",\"bids\":" + levels_json(bids)
         + ",\"asks\":" + levels_json(asks) + "}";
}

/// Frame k (1-based, U = u = snapshot_id + k, E one ms per frame) shifts the
/// whole book down one tick: the best bid goes, a bid is added at the bottom,
/// an ask is added one tick under the best ask, the worst ask goes. Mid falls
/// by one tick; the book stays bid-heavy and is never crossed.
std::vector<std::string> make_frames(size_t count, int64_t venue_start_ms) {
  std::vector<std::string> out;
  out.reserve(count);
  const auto levels = static_cast<int64_t>(book_levels);
  for (size_t k = 1; k <= count; ++k) {
    const auto shift = static_cast<int64_t>(k - 1);
    const int64_t best_bid = start_tick - 1 - shift;
    const int64_t best_ask = start_tick - shift;
    const auto id = std::to_string(snapshot_id + k);
    std::vector<level> bids{{tick_px(best_bid), quantity{}},
                            {tick_px(best_bid - levels), quantity::from_units(5)}};
    std::vector<level> asks{{tick_px(best_ask - 1), quantity::from_units(1)},
                            {tick_px(best_ask + levels - 1), quantity{}}};
    out.push_back(std::string{"{\"stream\":\""} + depth_stream
                  + "\",\"data\":{\"e\":\"depthUpdate\",\"E\":"
                  + std::to_string(venue_start_ms + static_cast<int64_t>(k))
                  + ",\"s\":\"" + bench_symbol.str() + "\",\"U\":" + id + ",\"u\":" + id
                  + ",\"b\":" + levels_json(bids) + ",\"a\":" + levels_json(asks) + "}}");
  }
  return out;
}

/// GET /api/v3/exchangeInfo with the one bench symbol.
std::string exchange_info_json() {
  return "{\"timezone\":\"UTC\",\"serverTime\":" + std::to_string(wall_ms())
         + ",\"rateLimits\":[],\"exchangeFilters\":[],\"symbols\":[{\"symbol\":\""
         + bench_symbol.str()
         + "\",\"status\":\"TRADING\",\"baseAsset\":\"BENCH\",\"baseAssetPrecision\":8,"
           "\"quoteAsset\":\"USDT\",\"quotePrecision\":8,\"quoteAssetPrecision\":8,"
           "\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\",\"MARKET\"],"
           "\"isSpotTradingAllowed\":true,\"filters\":["
           "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\","
           "\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"0.01000000\"},"
           "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00100000\","
           "\"maxQty\":\"9000.00000000\",\"stepSize\":\"0.00100000\"},"
           "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\","
           "\"applyMinToMarket\":true,\"maxNotional\":\"9000000.00000000\","
           "\"applyMaxToMarket\":false,\"avgPriceMins\":5}],"
           "\"permissions\":[\"SPOT\"]}]}";
}

constexpr const char* would_match_json
  = R"({"code":-2010,"msg":"Order would immediately match and take."})";

// -- the bench venue -----------------------------------------------------------

/// What the venue's I/O thread shares with the main thread.
struct venue_record {
  std::string snapshot;      ///< Set before the server starts.
  std::string exchange_info; ///< Set before the server starts.
  std::atomic<uint64_t> in_flight{0};  ///< Event (1-based) awaiting its POST; 0 none.
  std::atomic<uint64_t> arrived{0};    ///< Event whose POST arrived (after arrival_ns).
  std::atomic<int64_t> arrival_ns{0};  ///< steady_clock at the handler's start.
  std::atomic<uint64_t> arrival_cid{0};
  std::atomic<uint64_t> posts{0};
  std::atomic<uint64_t> late_orders{0}; ///< POSTs with no event in flight.
  std::atomic<uint64_t> unexpected{0};  ///< Requests the bench does not serve.
  std::mutex mu;
  std::shared_ptr<net::ws_connection> market; ///< The feed's /stream (under mu).
};

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

/// The value of `key` in a query string ("" if absent); no decoding needed
/// for the values the bench reads.
std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == key)
      return std::string{part.substr(eq + 1)};
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

net::server_response json_response(unsigned status, std::string body) {
  net::server_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

/// The WebSocket API's answer to one request: the id echoed as sent.
std::string ws_api_answer(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  std::string id = "null";
  std::string_view method;
  if (!doc.HasParseError() && doc.IsObject()) {
    if (auto s = json::get_string(doc, "id"))
      id = "\"" + std::string{*s} + "\"";
    else if (auto n = json::get_u64(doc, "id"))
      id = std::to_string(*n);
    method = json::get_string(doc, "method").value_or("");
  }
  if (method == "userDataStream.subscribe.signature")
    return "{\"id\":" + id + ",\"status\":200,\"result\":{\"subscriptionId\":0}}";
  return "{\"id\":" + id
         + ",\"status\":400,\"error\":{\"code\":-1100,\"msg\":\"not served by the bench\"}}";
}

net::tls_server::handlers venue_handlers(venue_record& rec) {
  net::tls_server::handlers h;
  h.on_http = [&rec](const net::server_request& req) {
    const auto path = path_of(req.target);
    const auto q = req.target.find('?');
    const std::string_view query
      = q == std::string::npos ? std::string_view{} : std::string_view{req.target}.substr(q + 1);
    if (req.method == "POST" && path == "/api/v3/order") {
      const auto arrived = steady_ns();
      ++rec.posts;
      auto cid = binance::decode_client_id(query_param(query, "newClientOrderId"));
      const auto event = rec.in_flight.exchange(0);
      if (event != 0) {
        rec.arrival_ns = arrived;
        rec.arrival_cid = cid ? cid->value : 0;
        rec.arrived.store(event, std::memory_order_release);
      } else {
        ++rec.late_orders;
      }
      return json_response(400, would_match_json);
    }
    if (req.method == "GET") {
      if (path == "/api/v3/time")
        return json_response(200, "{\"serverTime\":" + std::to_string(wall_ms()) + "}");
      if (path == "/api/v3/exchangeInfo")
        return json_response(200, rec.exchange_info);
      if (path == "/api/v3/depth" && query_param(query, "symbol") == bench_symbol.str())
        return json_response(200, rec.snapshot);
      if (path == "/api/v3/openOrders")
        return json_response(200, "[]");
      if (path == "/api/v3/account") // the gateway's reconciliation (journal on)
        return json_response(200, R"({"makerCommission":10,"takerCommission":10,)"
                                  R"("canTrade":true,"updateTime":0,"accountType":"SPOT",)"
                                  R"("balances":[{"asset":"BENCH","free":"0.00000000",)"
                                  R"("locked":"0.00000000"},{"asset":"USDT",)"
                                  R"("free":"1000000.00000000","locked":"0.00000000"}],)"
                                  R"("permissions":["SPOT"]})");
    }
    ++rec.unexpected;
    return json_response(404, R"({"code":-1100,"msg":"not served by the bench"})");
  };
  h.accept_ws = [](const net::server_request& req) {
    auto path = path_of(req.target);
    return path == "/stream" || path == "/ws-api/v3";
  };
  h.on_ws_open = [&rec](const std::shared_ptr<net::ws_connection>& c) {
    if (path_of(c->target()) == "/stream") {
      std::lock_guard<std::mutex> guard{rec.mu};
      rec.market = c;
    }
  };
  h.on_ws_message = [](const std::shared_ptr<net::ws_connection>& c, std::string&& text) {
    if (path_of(c->target()) == "/ws-api/v3") {
      c->send(ws_api_answer(text));
      return;
    }
    // SUBSCRIBE on the market stream: the streams are in the URL already.
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    uint64_t id = 0;
    if (!doc.HasParseError() && doc.IsObject())
      id = json::get_u64(doc, "id").value_or(0);
    c->send("{\"result\":null,\"id\":" + std::to_string(id) + "}");
  };
  h.on_ws_close = [&rec](const std::shared_ptr<net::ws_connection>& c) {
    std::lock_guard<std::mutex> guard{rec.mu};
    if (rec.market == c)
      rec.market.reset();
  };
  return h;
}

std::shared_ptr<net::ws_connection> market_connection(venue_record& rec) {
  std::lock_guard<std::mutex> guard{rec.mu};
  return rec.market;
}

// -- the probe -----------------------------------------------------------------

/// What the probe actor saw last (written by it, read by the main thread).
struct probe_record {
  std::atomic<uint64_t> update_id{0}; ///< Of the last book_view (after at_ns).
  std::atomic<int64_t> at_ns{0};
};

/// Subscribes to `book` and stamps every book_view on arrival.
caf::behavior probe_impl(caf::event_based_actor* self, std::shared_ptr<probe_record> rec,
                         caf::actor book) {
  self->set_default_handler(caf::drop);
  self->send(book, caf::subscribe_atom_v);
  return {
    [rec](const book_view& v) {
      auto t = steady_ns();
      rec->at_ns = t;
      rec->update_id.store(v.update_id, std::memory_order_release);
    },
  };
}

// -- one run -------------------------------------------------------------------

enum class mode : uint8_t {
  closed = 1, ///< Frames, next at once.
  paced,      ///< Frames, next 300 us after.
  probe,      ///< Paced frames with a probe subscribed to the book.
  rest_closed, ///< submit_order straight to the order entry, next at once.
  rest_paced,  ///< The same, next 300 us after.
};

const char* mode_name(mode m) {
  switch (m) {
    case mode::closed:
      return "closed";
    case mode::paced:
      return "paced";
    case mode::probe:
      return "probe";
    case mode::rest_closed:
      return "rest-closed";
    case mode::rest_paced:
      return "rest-paced";
  }
  return "?";
}

bool is_rest(mode m) { return m == mode::rest_closed || m == mode::rest_paced; }
bool is_paced(mode m) { return m != mode::closed && m != mode::rest_closed; }

/// One scheduler setting to measure.
struct setting {
  const char* label;
  config::scheduler_config sched;
};

struct figures {
  size_t n = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double mean_ns = 0;
};

int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

figures summarize(std::vector<int64_t> v) {
  figures f;
  std::sort(v.begin(), v.end());
  f.n = v.size();
  f.p50 = percentile(v, 0.50);
  f.p90 = percentile(v, 0.90);
  f.p99 = percentile(v, 0.99);
  f.p999 = percentile(v, 0.999);
  f.max = v.empty() ? 0 : v.back();
  double sum = 0;
  for (auto x : v)
    sum += static_cast<double>(x);
  f.mean_ns = v.empty() ? 0 : sum / static_cast<double>(v.size());
  return f;
}

/// One named latency series of a run.
struct series {
  std::string name;
  figures fig;
};

/// The figures of one run.
struct run_result {
  std::string label;
  mode m = mode::closed;
  bool journal = false;        ///< The gateway journals every order first.
  std::string journal_detail;  ///< The journal's stats at the end (journal on).
  int round = 0;
  size_t events = 0;           ///< Measured events.
  size_t orders = 0;           ///< Measured events whose order arrived.
  size_t timeouts = 0;         ///< Measured events with no order in 100 ms.
  size_t warmup_timeouts = 0;  ///< Frame modes: 1 expected (the window fills).
  size_t not_flat = 0;         ///< The strategy was not flat 1 s after the POST.
  size_t repeated_cids = 0;    ///< An order's cid equal to the previous one.
  size_t probe_missed = 0;     ///< Probe runs: events without their book_view.
  uint64_t late = 0;
  uint64_t unexpected = 0;
  double events_per_s = 0;
  std::vector<series> out;
  bool ok = false;
  std::string error;
};

/// Sends `(register_atom, entry, 0)` to the directory, as a supervisor does.
void register_entry(caf::scoped_actor& self, const caf::actor& dir, std::string name,
                    std::string kind, std::string parent, const caf::actor& handle) {
  self->send(dir, register_atom_v,
             actor_entry{std::move(name), std::move(kind), std::move(parent), handle},
             uint64_t{0});
}

/// Asks `who` for stats until `ok(stats)` or the deadline; false on timeout.
template <class Pred>
bool wait_for_stats(caf::scoped_actor& self, const caf::actor& who, Pred ok,
                    std::chrono::milliseconds limit, std::chrono::microseconds step) {
  auto deadline = steady::now() + limit;
  while (steady::now() < deadline) {
    bool good = false;
    self->request(who, std::chrono::seconds(1), stats_atom_v)
      .receive([&](actor_stats& s) { good = ok(s); }, [](caf::error&) {});
    if (good)
      return true;
    std::this_thread::sleep_for(step);
  }
  return false;
}

bool detail_has(const actor_stats& s, const std::string& what) {
  return s.detail.find(what) != std::string::npos;
}

/// Waits (sleeping `poll_step`) until `pred()` or `limit`; returns pred().
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = steady::now() + limit;
  while (!pred()) {
    if (steady::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(poll_step);
  }
  return true;
}

/// The actors of one run, in spawn order.
struct chain {
  caf::actor dir, order_entry, risk, gateway, feed, book, strategy, probe;
  std::vector<caf::actor> spawned;
};

/// The chain; with a `journal` handle the gateway journals through it.
chain spawn_chain(caf::actor_system& sys, caf::scoped_actor& self, uint16_t port,
                  const std::string& cert, const caf::actor& journal,
                  const std::string& intent_dir) {
  chain c;
  c.dir = spawn_directory(sys, nullptr);
  c.spawned.push_back(c.dir);
  sys.registry().put(directory_name, caf::actor_cast<caf::strong_actor_ptr>(c.dir));
  if (journal) {
    register_entry(self, c.dir, "journal", "journal", "agora", journal);
    c.spawned.push_back(journal);
  }
  const std::string vpath = venue_path(bench_venue);
  const std::string base = "127.0.0.1:" + std::to_string(port);
  net::tls_client_options tls;
  tls.verify = true;
  tls.ca_file = cert;

  binance::order_entry_params op;
  op.venue = bench_venue;
  op.m = binance::market::spot;
  op.rest_url = "https://" + base;
  op.ws_url = "wss://" + base;
  op.ws_api_url = "wss://" + base + "/ws-api/v3";
  op.tls = tls;
  op.keys = binance::credentials{"bench-api-key", "bench-secret"};
  op.maker_fee = rate::from_raw(20'000);
  op.taker_fee = rate::from_raw(40'000);
  op.heartbeat_timeout = 600 * ns_per_s;
  op.clock_sync_interval = 3'600 * ns_per_s;
  op.reconcile_interval = 3'600 * ns_per_s;
  const auto oe_path = vpath + "/order-entry";
  c.order_entry = binance::spawn_order_entry(sys, oe_path, std::move(op));
  register_entry(self, c.dir, oe_path, "order-entry", vpath, c.order_entry);
  c.spawned.push_back(c.order_entry);

  risk_params rp;
  rp.limits = risk_limits{notional::from_units(1'000'000'000),
                          notional::from_units(1'000'000'000),
                          notional::from_units(1'000'000'000)};
  rp.venues = {bench_venue};
  rp.directory = c.dir;
  rp.status_interval = 3'600 * ns_per_s;
  c.risk = spawn_risk(sys, "risk", std::move(rp));
  sys.registry().put(risk_name, caf::actor_cast<caf::strong_actor_ptr>(c.risk));
  register_entry(self, c.dir, "risk", "risk", "agora", c.risk);
  c.spawned.push_back(c.risk);

  gateway_params gp;
  gp.venue = bench_venue;
  gp.endpoint_path = oe_path;
  gp.directory = c.dir;
  gp.orders_per_minute = 6e10; // never the limit here
  gp.burst = 1e9;
  gp.journal = static_cast<bool>(journal);
  gp.intent_dir = intent_dir; // the service's durable path: the gateway's intent log
  gp.reconcile_interval = 3'600 * ns_per_s; // never inside a measurement
  c.gateway = spawn_gateway(sys, vpath + "/gateway", std::move(gp));
  register_entry(self, c.dir, vpath + "/gateway", "gateway", vpath, c.gateway);
  c.spawned.push_back(c.gateway);

  binance::feed_params fp;
  fp.venue = bench_venue;
  fp.m = binance::market::spot;
  fp.rest_url = "https://" + base;
  fp.ws_url = "wss://" + base;
  fp.tls = tls;
  fp.symbols = {bench_symbol};
  fp.heartbeat_timeout = 600 * ns_per_s; // the bench drives frames itself
  fp.directory = c.dir;
  c.feed = binance::spawn_feed(sys, vpath + "/feed", std::move(fp));
  register_entry(self, c.dir, vpath + "/feed", "feed", vpath, c.feed);
  c.spawned.push_back(c.feed);

  book_params bp;
  bp.venue = bench_venue;
  bp.symbol = bench_symbol;
  bp.feed_path = vpath + "/feed";
  bp.directory = c.dir;
  const auto book_path = vpath + "/book:" + bench_symbol.str();
  c.book = spawn_book(sys, book_path, std::move(bp));
  register_entry(self, c.dir, book_path, "book", vpath, c.book);
  c.spawned.push_back(c.book);

  strategy_params sp;
  sp.name = spawned_strategy_name(bench_symbol);
  sp.venue = bench_venue;
  sp.symbol = bench_symbol;
  sp.mode = run_mode::paper;
  sp.params.window = 2;
  sp.params.entry_z = 0.5;
  sp.params.exit_z = 0.1;
  sp.params.bar_interval = 1 * ns_per_ms; // the wire carries milliseconds
  sp.params.order_notional = notional::from_units(100);
  sp.params.allow_short = false;
  sp.params.max_reprices = 0; // a crossing entry is given up at once: flat again
  sp.directory = c.dir;
  sp.cid_base = next_cid_base(0);
  sp.timer_interval = 3'600 * ns_per_s; // bars close on venue time only
  const auto strat_path = "strategies/" + sp.name;
  c.strategy = spawn_mean_reversion(sys, strat_path, std::move(sp));
  register_entry(self, c.dir, strat_path, "strategy", "strategies", c.strategy);
  c.spawned.push_back(c.strategy);
  return c;
}

/// What the drivers record per run.
struct samples {
  std::vector<int64_t> primary;   ///< tick-to-order, or submit -> POST.
  std::vector<int64_t> secondary; ///< frame -> book_view, or submit -> rejected.
};

/// Frame modes: writes every frame, one event in flight.
void drive_frames(caf::scoped_actor& self, const chain& c, venue_record& vr,
                  const std::shared_ptr<net::ws_connection>& conn,
                  const std::vector<std::string>& frames, size_t warmup, mode m,
                  const probe_record* probe, samples& s, run_result& res) {
  uint64_t last_cid = 0;
  auto flat = [](const actor_stats& st) { return st.state == "flat"; };
  steady::time_point start;
  for (size_t i = 0; i < frames.size(); ++i) {
    const bool measured = i >= warmup;
    if (i == warmup)
      start = steady::now();
    if (is_paced(m))
      std::this_thread::sleep_for(pace);
    const uint64_t event = i + 1;
    std::string text = frames[i];
    vr.in_flight = event;
    const auto sent = steady_ns();
    conn->send(std::move(text));
    bool got = wait_until(
      [&] { return vr.arrived.load(std::memory_order_acquire) == event; }, event_timeout);
    if (!got && vr.in_flight.exchange(0) != event)
      got = wait_until([&] { return vr.arrived.load(std::memory_order_acquire) == event; },
                       event_timeout); // it arrived as the watchdog fired
    if (!got) {
      ++(measured ? res.timeouts : res.warmup_timeouts);
      continue;
    }
    const auto cid = vr.arrival_cid.load();
    if (cid == last_cid)
      ++res.repeated_cids;
    last_cid = cid;
    if (measured) {
      ++res.orders;
      s.primary.push_back(vr.arrival_ns.load() - sent);
      if (probe) {
        if (probe->update_id.load(std::memory_order_acquire) == snapshot_id + event)
          s.secondary.push_back(probe->at_ns.load() - sent);
        else
          ++res.probe_missed;
      }
    }
    // The rejection travels order entry -> gateway -> strategy: the next
    // frame leaves only once the strategy is flat again.
    if (!wait_for_stats(self, c.strategy, flat, std::chrono::milliseconds(1000), poll_step))
      ++res.not_flat;
  }
  res.events = frames.size() - warmup;
  res.events_per_s = static_cast<double>(res.events)
                     / std::chrono::duration<double>(steady::now() - start).count();
}

/// REST modes: submit_order straight to the order entry, one in flight.
void drive_rest(caf::scoped_actor& self, const chain& c, venue_record& vr, size_t warmup,
                size_t measured_count, mode m, samples& s, run_result& res) {
  steady::time_point start;
  const size_t total = warmup + measured_count;
  for (size_t i = 0; i < total; ++i) {
    const bool measured = i >= warmup;
    if (i == warmup)
      start = steady::now();
    if (is_paced(m))
      std::this_thread::sleep_for(pace);
    const uint64_t event = i + 1;
    submit_order o;
    o.cid = client_order_id{event}; // the strategy's ids start far above
    o.venue = bench_venue;
    o.symbol = bench_symbol;
    o.sd = side::buy;
    o.type = order_type::limit;
    o.tif = time_in_force::post_only;
    o.px = tick_px(start_tick - 1);
    o.qty = quantity::from_raw(100'000); // 0.001
    o.strategy = "bench";
    o.local_time = default_clock().now();
    vr.in_flight = event;
    const auto sent = steady_ns();
    self->send(c.order_entry, std::move(o));
    int64_t rejected_at = 0;
    auto deadline = steady::now() + event_timeout;
    while (rejected_at == 0 && steady::now() < deadline) {
      self->receive(
        [&](order_rejected& r) {
          if (r.cid.value == event)
            rejected_at = steady_ns();
        },
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(
                     deadline - steady::now())
                   + std::chrono::milliseconds(1))
          >> [] {});
    }
    const bool arrived = vr.arrived.load(std::memory_order_acquire) == event;
    if (!arrived)
      vr.in_flight.exchange(0);
    if (!arrived || rejected_at == 0) {
      if (measured)
        ++res.timeouts;
      continue;
    }
    if (measured) {
      ++res.orders;
      s.primary.push_back(vr.arrival_ns.load() - sent);
      s.secondary.push_back(rejected_at - sent);
    }
  }
  res.events = measured_count;
  res.events_per_s = static_cast<double>(res.events)
                     / std::chrono::duration<double>(steady::now() - start).count();
}

run_result run_one(const setting& set, mode m, const std::string& cert,
                   const std::string& key, bool journal, const std::string& journal_path) {
  run_result res;
  res.label = set.label;
  res.m = m;
  res.journal = journal;
  const bool frames_mode = !is_rest(m);
  const size_t warmup = m == mode::closed ? closed_warmup : paced_warmup;
  const size_t measured = m == mode::closed ? closed_events : paced_events;
  // Venue time runs ahead of the wall clock, one bar (1 ms) per frame.
  const int64_t venue_start_ms = wall_ms() + 1'000;
  venue_record vr;
  vr.snapshot = snapshot_json(venue_start_ms);
  vr.exchange_info = exchange_info_json();
  std::vector<std::string> frames;
  if (frames_mode)
    frames = make_frames(warmup + measured, venue_start_ms);
  net::tls_server_options so;
  so.cert_file = cert;
  so.key_file = key;
  so.read_timeout = std::chrono::milliseconds(120'000);
  // Declared before the actor system: it outlives the actors' clients.
  net::tls_server server{so, venue_handlers(vr)};
  std::string err;
  if (!server.start(&err)) {
    res.error = "venue did not start: " + err;
    return res;
  }
  caf::actor_system_config cfg;
  configure_actor_system(cfg, set.sched);
  caf::actor_system sys{cfg};
  {
    caf::scoped_actor self{sys};
    caf::actor jrnl;
    if (journal) {
      jrnl = spawn_bench_journal(sys, journal_path, &res.error);
      if (!jrnl)
        return res;
    }
    auto c = spawn_chain(sys, self, server.port(), cert, jrnl,
                         journal ? journal_path + ".intents/" + bench_venue.str() : "");
    auto probe = std::make_shared<probe_record>();
    // Ready: feed and user stream connected, the book synced with the
    // strategy subscribed, the strategy's core built, the gateway answering.
    const auto lim = std::chrono::milliseconds(10'000);
    const auto step = std::chrono::microseconds(5'000);
    auto any = [](const actor_stats&) { return true; };
    auto subscribers = [](size_t n) {
      return [n](const actor_stats& s) {
        return s.state == "fresh" && detail_has(s, "subscribers=" + std::to_string(n));
      };
    };
    bool ready
      = wait_for_stats(self, c.feed, [](const actor_stats& s) { return s.state == "connected"; },
                       lim, step)
        && wait_for_stats(self, c.order_entry,
                          [](const actor_stats& s) { return s.state == "connected"; }, lim,
                          step)
        && wait_for_stats(self, c.book, subscribers(1), lim, step)
        && wait_for_stats(self, c.strategy,
                          [](const actor_stats& s) { return s.state == "flat"; }, lim, step)
        && wait_for_stats(self, c.gateway, any, lim, step);
    if (ready && m == mode::probe) {
      c.probe = sys.spawn(probe_impl, probe, c.book);
      c.spawned.push_back(c.probe);
      ready = wait_for_stats(self, c.book, subscribers(2), lim, step);
    }
    auto conn = market_connection(vr);
    if (!ready || !conn) {
      res.error = "chain did not come up within 10 s";
    } else {
      samples s;
      if (frames_mode)
        drive_frames(self, c, vr, conn, frames, warmup, m,
                     m == mode::probe ? probe.get() : nullptr, s, res);
      else
        drive_rest(self, c, vr, warmup, measured, m, s, res);
      if (frames_mode) {
        res.out.push_back({"frame -> POST /order (tick-to-order)", summarize(s.primary)});
        if (m == mode::probe)
          res.out.push_back({"frame -> book_view at a subscriber", summarize(s.secondary)});
      } else {
        res.out.push_back({"submit_order -> POST /order", summarize(s.primary)});
        res.out.push_back({"submit_order -> order_rejected back", summarize(s.secondary)});
      }
      res.late = vr.late_orders;
      res.unexpected = vr.unexpected;
      res.ok = true;
    }
    if (jrnl) {
      self->request(jrnl, std::chrono::seconds(5), stats_atom_v)
        .receive([&](actor_stats& st) { res.journal_detail = st.detail; },
                 [](caf::error&) {});
      // The detached journal must leave the registry before the system
      // shuts down.
      sys.registry().erase(journal_name);
    }
    sys.registry().erase(risk_name);
    sys.registry().erase(directory_name);
    for (auto i = c.spawned.rbegin(); i != c.spawned.rend(); ++i)
      self->send_exit(*i, caf::exit_reason::user_shutdown);
  }
  return res;
}

double us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

const char* journal_name_of(bool journal) { return journal ? "intent" : "off"; }

void print_row(const char* m, const char* label, bool journal, const std::string& round,
               const series& x) {
  std::printf("  %-11s %-26s %-7s %-3s %-38s %6zu %8.1f %8.1f %8.1f %9.1f %9.1f %8.1f\n", m,
              label, journal_name_of(journal), round.c_str(), x.name.c_str(), x.fig.n,
              us(x.fig.p50), us(x.fig.p90), us(x.fig.p99), us(x.fig.p999), us(x.fig.max),
              x.fig.mean_ns / 1e3);
}

void print_header() {
  std::printf("  %-11s %-26s %-7s %-3s %-38s %6s %8s %8s %8s %9s %9s %8s\n", "mode",
              "scheduler", "journal", "#", "measured", "N", "p50 us", "p90 us", "p99 us",
              "p99.9 us", "max us", "mean us");
}

} // namespace

int main() {
  std::string err;
  if (!setup_logging("warn", "", &err)) {
    std::fprintf(stderr, "binance_tick_to_order: %s\n", err.c_str());
    return 1;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "agora-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "binance_tick_to_order: cannot create a temporary directory\n");
    return 1;
  }
  const std::string dir = tmpl;
  const std::string cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  if (!net::generate_self_signed(cert, key, &err)) {
    std::fprintf(stderr, "binance_tick_to_order: %s\n", err.c_str());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::vector<setting> settings;
  {
    setting s{"sharing x1 (Agora default)", {}};
    s.sched.policy = "sharing";
    s.sched.max_threads = 1;
    settings.push_back(s);
  }
  {
    setting s{"stealing x2", {}};
    s.sched.policy = "stealing";
    s.sched.max_threads = 2;
    settings.push_back(s);
  }
  const std::vector<mode> modes{mode::closed, mode::paced, mode::probe, mode::rest_closed,
                                mode::rest_paced};
  std::printf("binance_tick_to_order: depthUpdate written by a Binance-protocol venue on "
              "loopback TLS -> binance feed -> book -> strategy -> risk -> gateway -> "
              "binance order entry -> signed POST /api/v3/order at the venue\n");
  std::printf(
    "  closed: %zu warm-up + %zu measured frames per run, the next frame as soon as the "
    "rejection reached the strategy\n"
    "  paced: %zu warm-up + %zu measured frames, each %lld us after the last was done "
    "(workers and I/O threads idle in between)\n"
    "  probe: paced, with a bench actor subscribed to the book after the strategy: frame "
    "-> book_view (TLS + WS client + feed + book)\n"
    "  rest-closed / rest-paced: %zu warm-up + %zu submit_order sent by a scoped_actor "
    "straight to the order entry (no gap / %lld us gap)\n"
    "  one event in flight; steady_clock; the venue stamps a frame just before "
    "ws_connection::send and a POST at its handler's start; %d rounds of every "
    "setting (closed and paced each with the journal off and on, sync=normal), "
    "interleaved; hardware threads: %u\n",
    closed_warmup, closed_events, paced_warmup, paced_events,
    static_cast<long long>(pace.count()), paced_warmup, paced_events,
    static_cast<long long>(pace.count()), rounds, std::thread::hardware_concurrency());
  {
    // The floor of the work alone: parsing one frame, no actors, no sockets.
    auto frames = make_frames(20'000, wall_ms());
    size_t ok = 0;
    auto t0 = steady::now();
    for (auto& f : frames)
      ok += binance::parse_stream(f, binance::market::spot, bench_venue, 0) ? 1 : 0;
    auto t1 = steady::now();
    std::printf("  reference: binance::parse_stream alone %.2f us per frame (%zu bytes, "
                "%zu/%zu parsed)\n",
                std::chrono::duration<double, std::micro>(t1 - t0).count()
                  / static_cast<double>(frames.size()),
                frames.front().size(), ok, frames.size());
  }
  std::vector<run_result> results;
  int run_no = 0;
  for (int round = 1; round <= rounds; ++round)
    for (auto m : modes)
      for (auto& s : settings)
        for (bool journal : {false, true}) {
          if (journal && m != mode::closed && m != mode::paced)
            continue;
          std::fprintf(stderr, "round %d: %s %s%s ...\n", round, mode_name(m), s.label,
                       journal ? " + journal" : "");
          const auto path = dir + "/journal-" + std::to_string(++run_no) + ".db";
          results.push_back(run_one(s, m, cert, key, journal, path));
          results.back().round = round;
          std::error_code ec;
          for (auto f : {path, path + "-wal", path + "-shm"})
            std::filesystem::remove(f, ec);
          std::filesystem::remove_all(path + ".intents", ec);
        }
  std::filesystem::remove_all(dir);

  std::printf("\n  every run:\n");
  print_header();
  for (auto& r : results) {
    if (!r.ok) {
      std::printf("  %-11s %-26s %-7s %-3d FAILED: %s\n", mode_name(r.m), r.label.c_str(),
                  journal_name_of(r.journal), r.round, r.error.c_str());
      continue;
    }
    for (auto& x : r.out)
      print_row(mode_name(r.m), r.label.c_str(), r.journal, std::to_string(r.round), x);
  }
  std::printf("\n  events/s (one in flight, gaps included) and counts per run:\n");
  for (auto& r : results) {
    if (!r.ok)
      continue;
    std::printf("  %-11s %-26s %-7s %-3d %7.0f events/s  orders %zu/%zu  timeouts %zu  "
                "warm-up timeouts %zu%s  late %llu  not flat %zu  repeated cids %zu  probe "
                "missed %zu  unserved requests %llu\n",
                mode_name(r.m), r.label.c_str(), journal_name_of(r.journal), r.round,
                r.events_per_s, r.orders, r.events, r.timeouts, r.warmup_timeouts,
                is_rest(r.m) ? "" : " (1 expected)", static_cast<unsigned long long>(r.late),
                r.not_flat, r.repeated_cids, r.probe_missed,
                static_cast<unsigned long long>(r.unexpected));
  }
  std::printf("\n  journal at the end of each journal run (its stats):\n");
  for (auto& r : results)
    if (r.journal && !r.journal_detail.empty())
      std::printf("  %-11s %-26s %-3d %s\n", mode_name(r.m), r.label.c_str(), r.round,
                  r.journal_detail.c_str());

  // Medians over the rounds, per setting, mode, journal and series.
  std::printf("\n  median of %d rounds (max: the largest of the rounds; N: summed):\n",
              rounds);
  print_header();
  struct median_row {
    mode m;
    std::string label;
    bool journal;
    series med;
  };
  std::vector<median_row> medians;
  for (auto m : modes)
    for (auto& s : settings)
      for (bool journal : {false, true}) {
        std::vector<std::string> names;
        for (auto& r : results)
          if (r.ok && r.m == m && r.label == s.label && r.journal == journal)
            for (auto& x : r.out)
              if (std::find(names.begin(), names.end(), x.name) == names.end())
                names.push_back(x.name);
        for (auto& name : names) {
          std::vector<const figures*> fs;
          for (auto& r : results)
            if (r.ok && r.m == m && r.label == s.label && r.journal == journal)
              for (auto& x : r.out)
                if (x.name == name)
                  fs.push_back(&x.fig);
          auto mid = [&](auto field) {
            std::vector<double> v;
            for (auto* f : fs)
              v.push_back(field(*f));
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
          };
          series med{name, {}};
          med.fig.p50 = static_cast<int64_t>(mid([](const figures& f) { return double(f.p50); }));
          med.fig.p90 = static_cast<int64_t>(mid([](const figures& f) { return double(f.p90); }));
          med.fig.p99 = static_cast<int64_t>(mid([](const figures& f) { return double(f.p99); }));
          med.fig.p999
            = static_cast<int64_t>(mid([](const figures& f) { return double(f.p999); }));
          med.fig.mean_ns = mid([](const figures& f) { return f.mean_ns; });
          for (auto* f : fs) {
            med.fig.max = std::max(med.fig.max, f->max);
            med.fig.n += f->n;
          }
          print_row(mode_name(m), s.label, journal, "", med);
          medians.push_back(median_row{m, s.label, journal, med});
        }
      }

  // The journal's cost, side by side (medians of tick-to-order).
  std::printf("\n  the journal's cost on tick-to-order (medians; +: journal on minus off):\n"
              "  %-11s %-26s %23s   %23s   %23s\n",
              "mode", "scheduler", "off p50/p90/p99 us", "normal p50/p90/p99 us",
              "+ p50/p90/p99 us");
  auto find_med = [&](mode m, const std::string& label, bool journal) -> const figures* {
    for (auto& x : medians)
      if (x.m == m && x.label == label && x.journal == journal
          && x.med.name.rfind("frame -> POST", 0) == 0)
        return &x.med.fig;
    return nullptr;
  };
  for (auto m : {mode::closed, mode::paced})
    for (auto& s : settings) {
      auto* off = find_med(m, s.label, false);
      auto* on = find_med(m, s.label, true);
      if (!off || !on)
        continue;
      std::printf("  %-11s %-26s %7.1f/%7.1f/%7.1f   %7.1f/%7.1f/%7.1f   "
                  "%+7.1f/%+7.1f/%+7.1f\n",
                  mode_name(m), s.label, us(off->p50), us(off->p90), us(off->p99),
                  us(on->p50), us(on->p90), us(on->p99), us(on->p50 - off->p50),
                  us(on->p90 - off->p90), us(on->p99 - off->p99));
    }
  std::printf(
    "\n  tick-to-order: from the venue writing a depthUpdate (just before "
    "ws_connection::send on the venue's side) to the venue's handler receiving the POST "
    "/api/v3/order it caused: venue I/O thread, TLS write + read on loopback, the feed's "
    "WS client thread, feed parse and flush, book, strategy, risk, gateway, order entry "
    "(HMAC signing), the HTTPS client thread, TLS write + read, the venue's HTTP parse.\n"
    "  journal intent: the gateway writes each order to its intent log (one write(), "
    "in-line) before it goes to the order entry; the journal actor (detached, SQLite, "
    "synchronous=NORMAL, WAL, fresh temp file) stores it behind.\n"
    "  frame -> book_view: the first half of that path, ending when a second subscriber "
    "of the book (after the strategy) handles the view.\n"
    "  submit_order -> POST: the last leg alone (order entry, signing, HTTPS client "
    "thread, TLS, venue parse), sent from a non-worker thread.\n"
    "  submit_order -> order_rejected: that leg plus the 400 answer back through the "
    "HTTPS client thread and the order entry to the sender's blocking receive.\n");
  return 0;
}
