#include "venues/exchange_sim/server.hpp"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include "venues/common/json.hpp"
#include "venues/common/tls.hpp"
#include "venues/common/tls_server.hpp"
#include "venues/exchange_sim/binance_core.hpp"
#include "venues/exchange_sim/request_params.hpp"

namespace agora::xsim {

namespace {

listed_symbol listing(binance::market m, const char* symbol, const char* base,
                      const char* start, const char* tick, const char* lot,
                      const char* min_notional, const char* level_qty, uint64_t seed) {
  listed_symbol l;
  bool spot = m == binance::market::spot;
  l.spec.venue = venue_id{spot ? "exchange-sim-spot" : "exchange-sim-usdm"};
  l.spec.symbol = symbol_id{symbol};
  l.spec.tick = *price::parse(tick);
  l.spec.lot = *quantity::parse(lot);
  l.spec.min_notional = *notional::parse(min_notional);
  l.spec.maker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(20'000);
  l.spec.taker_fee = spot ? rate::from_raw(100'000) : rate::from_raw(50'000);
  l.spec.perpetual = !spot;
  l.params.seed = seed;
  l.params.start_price = *price::parse(start);
  l.params.volatility = 0.00005;
  l.params.depth_levels = 50;
  l.params.level_qty = *quantity::parse(level_qty);
  l.base_asset = base;
  l.quote_asset = "USDT";
  return l;
}

std::string random_hex(size_t bytes) {
  std::random_device rd;
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    auto b = rd() & 0xFFu;
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

/// Writes `text` to `path` with mode 0600 (replacing the file).
bool write_private(const std::string& path, const std::string& text, std::string* error) {
  ::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  auto n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

/// The exchange's own time: the wall clock (its timestamps and recvWindow
/// checks are in wall milliseconds, like Binance's).
nanos wall_now() {
  static const wall_clock clock;
  return clock.now();
}

/// The decoded query parameter `key` ("" if absent).
std::string query_param(std::string_view query, std::string_view key) {
  return std::string{request_params{query, ""}.get(key).value_or("")};
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(sep, pos);
    if (end == std::string_view::npos)
      end = text.size();
    if (end > pos)
      out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

/// One market's listener, core and WebSocket clients.
struct market_side {
  enum class conn_kind : uint8_t { market = 1, user, ws_api };

  struct conn_info {
    std::shared_ptr<net::ws_connection> conn;
    conn_kind kind = conn_kind::market;
    bool combined = false;
    std::set<std::string> streams;
    std::string listen_key;
  };

  binance::market m = binance::market::spot;
  std::mutex mu; ///< Guards core and conns.
  std::unique_ptr<binance_core> core;
  std::map<uint64_t, conn_info> conns;
  std::unique_ptr<net::tls_server> server;
  std::atomic<uint64_t> frames{0};

  /// Sends every frame to the connections of its channel. Holds mu.
  void route(std::vector<outbound>& outs) {
    for (auto& o : outs) {
      if (o.channel.rfind("listen-key:", 0) == 0) {
        auto key = o.channel.substr(11);
        for (auto& [id, c] : conns)
          if (c.kind == conn_kind::user && c.listen_key == key) {
            c.conn->send(o.text);
            ++frames;
          }
      } else if (o.channel.rfind("ws-api:", 0) == 0) {
        auto id = std::strtoull(o.channel.c_str() + 7, nullptr, 10);
        if (auto i = conns.find(id); i != conns.end()) {
          i->second.conn->send(o.text);
          ++frames;
        }
      } else {
        std::string wrapped;
        for (auto& [id, c] : conns) {
          if (c.kind != conn_kind::market || c.streams.count(o.channel) == 0)
            continue;
          if (c.combined) {
            if (wrapped.empty())
              wrapped = wrap_combined(o.channel, o.text);
            c.conn->send(wrapped);
          } else {
            c.conn->send(o.text);
          }
          ++frames;
        }
      }
    }
  }

  /// Closes user streams whose listen key expired. Holds mu.
  void close_expired(nanos now) {
    for (auto& [id, c] : conns)
      if (c.kind == conn_kind::user && !core->listen_key_valid(c.listen_key, now))
        c.conn->close();
  }

  /// Market-stream control messages: SUBSCRIBE, UNSUBSCRIBE,
  /// LIST_SUBSCRIPTIONS. Holds mu.
  void on_control(conn_info& c, const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    auto method = doc.HasParseError() ? std::nullopt : json::get_string(doc, "method");
    const rapidjson::Value* id = doc.HasParseError() ? nullptr : json::find(doc, "id");
    std::string id_text = "null";
    if (id != nullptr && id->IsUint64())
      id_text = std::to_string(id->GetUint64());
    else if (id != nullptr && id->IsString())
      id_text = std::string{"\""} + id->GetString() + "\"";
    if (!method) {
      c.conn->send(R"({"error":{"code":2,"msg":"Invalid request: request ID must be an )"
                   R"(unsigned integer"},"id":null})");
      return;
    }
    if (*method == "LIST_SUBSCRIPTIONS") {
      std::string list;
      for (auto& s : c.streams)
        list += (list.empty() ? "\"" : ",\"") + s + "\"";
      c.conn->send(R"({"result":[)" + list + R"(],"id":)" + id_text + "}");
      return;
    }
    auto* params = json::get_array(doc, "params");
    if ((*method != "SUBSCRIBE" && *method != "UNSUBSCRIBE") || params == nullptr) {
      c.conn->send(R"({"error":{"code":2,"msg":"Invalid request: unknown method"},"id":)"
                   + id_text + "}");
      return;
    }
    for (auto& p : params->GetArray()) {
      if (!p.IsString())
        continue;
      std::string s{p.GetString(), p.GetStringLength()};
      if (*method == "SUBSCRIBE")
        c.streams.insert(s);
      else
        c.streams.erase(s);
    }
    c.conn->send(R"({"result":null,"id":)" + id_text + "}");
  }
};

} // namespace

std::vector<listed_symbol> default_listings(binance::market m, uint64_t seed) {
  if (m == binance::market::spot)
    return {listing(m, "BTCUSDT", "BTC", "65000", "0.01", "0.00001", "5", "0.5", seed),
            listing(m, "ETHUSDT", "ETH", "3500", "0.01", "0.0001", "5", "5", seed + 1)};
  return {listing(m, "BTCUSDT", "BTC", "65010", "0.1", "0.001", "100", "0.5", seed + 2),
          listing(m, "ETHUSDT", "ETH", "3501", "0.01", "0.001", "20", "5", seed + 3)};
}

struct exchange_server::impl {
  server_options opts;
  std::string cert_file;
  std::string key_file;
  market_side spot;
  market_side usdm;
  std::thread stepper;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  bool started = false;

  market_side& side_of(binance::market m) {
    return m == binance::market::spot ? spot : usdm;
  }

  net::server_response admin(market_side& s, const net::server_request& req,
                             std::string_view path, std::string_view query) {
    net::server_response r;
    if (path == "/agora/status") {
      std::lock_guard<std::mutex> guard{s.mu};
      r.body = R"({"market":")" + std::string{binance::to_string(s.m)} + R"(","port":)"
               + std::to_string(s.server->port()) + R"(,"connections":)"
               + std::to_string(s.conns.size()) + R"(,"frames":)"
               + std::to_string(s.frames.load()) + "}";
      return r;
    }
    if (path == "/agora/fault" && req.method == "POST") {
      auto what = do_inject(s, query_param(query, "kind"), query_param(query, "arg"));
      r.body = R"({"done":")" + what + R"("})";
      return r;
    }
    r.status = 404;
    r.body = R"({"error":"unknown operations path"})";
    return r;
  }

  std::string do_inject(market_side& s, const std::string& kind, const std::string& arg) {
    std::lock_guard<std::mutex> guard{s.mu};
    if (kind == "drop") {
      size_t n = s.conns.size();
      for (auto& [id, c] : s.conns)
        c.conn->drop();
      return "dropped " + std::to_string(n) + " WebSocket connections";
    }
    auto f = parse_fault(kind);
    if (!f)
      return "unknown fault '" + kind
             + "' (expected drop, 429, 418, 503, seq_gap, malformed or stall)";
    return s.core->inject(*f, arg, wall_now());
  }

  net::tls_server::handlers handlers_for(market_side& s) {
    net::tls_server::handlers h;
    h.on_http = [this, &s](const net::server_request& req) {
      auto q = req.target.find('?');
      std::string path = req.target.substr(0, q);
      std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);
      if (path.rfind("/agora/", 0) == 0)
        return admin(s, req, path, query);
      rest_call call{req.method, path, query, req.body,
                     std::string{req.header("X-MBX-APIKEY").value_or("")}};
      auto now = wall_now();
      std::lock_guard<std::mutex> guard{s.mu};
      auto reply = s.core->handle_rest(call, now, now / ns_per_ms);
      auto events = s.core->drain();
      s.route(events);
      net::server_response r;
      r.status = reply.status;
      r.body = std::move(reply.body);
      for (auto& [name, value] : reply.headers)
        r.headers.push_back({name, value});
      return r;
    };
    h.accept_ws = [&s](const net::server_request& req) {
      auto q = req.target.find('?');
      std::string path = req.target.substr(0, q);
      if (path == "/stream" || path == "/ws")
        return true;
      if (s.m == binance::market::spot && path == "/ws-api/v3")
        return true;
      if (path.rfind("/ws/", 0) == 0) {
        auto name = path.substr(4);
        std::lock_guard<std::mutex> guard{s.mu};
        return s.core->is_market_stream(name)
               || (s.m == binance::market::usdm
                   && s.core->listen_key_valid(name, wall_now()));
      }
      return false;
    };
    h.on_ws_open = [&s](const std::shared_ptr<net::ws_connection>& c) {
      market_side::conn_info info;
      info.conn = c;
      const auto& target = c->target();
      auto q = target.find('?');
      std::string path = target.substr(0, q);
      std::string query = q == std::string::npos ? "" : target.substr(q + 1);
      std::lock_guard<std::mutex> guard{s.mu};
      if (path == "/stream") {
        info.combined = true;
        for (auto& name : split(query_param(query, "streams"), '/'))
          info.streams.insert(name);
      } else if (path == "/ws-api/v3") {
        info.kind = market_side::conn_kind::ws_api;
      } else if (path.rfind("/ws/", 0) == 0) {
        auto name = path.substr(4);
        if (s.core->is_market_stream(name)) {
          info.streams.insert(name);
        } else {
          info.kind = market_side::conn_kind::user;
          info.listen_key = name;
        }
      }
      s.conns[c->id()] = std::move(info);
    };
    h.on_ws_message = [&s](const std::shared_ptr<net::ws_connection>& c, std::string&& text) {
      std::lock_guard<std::mutex> guard{s.mu};
      auto i = s.conns.find(c->id());
      if (i == s.conns.end())
        return;
      if (i->second.kind == market_side::conn_kind::ws_api) {
        auto now = wall_now();
        auto outs = s.core->handle_ws_api(c->id(), text, now, now / ns_per_ms);
        s.route(outs);
      } else if (i->second.kind == market_side::conn_kind::market) {
        s.on_control(i->second, text);
      }
    };
    h.on_ws_close = [&s](const std::shared_ptr<net::ws_connection>& c) {
      std::lock_guard<std::mutex> guard{s.mu};
      auto i = s.conns.find(c->id());
      if (i == s.conns.end())
        return;
      if (i->second.kind == market_side::conn_kind::ws_api)
        s.core->ws_api_closed(c->id());
      s.conns.erase(i);
    };
    return h;
  }

  void step_loop() {
    auto next = std::chrono::steady_clock::now();
    auto interval = std::chrono::nanoseconds(opts.step_interval);
    for (;;) {
      next += interval;
      {
        std::unique_lock<std::mutex> lock{stop_mu};
        if (stop_cv.wait_until(lock, next, [this] { return stopping; }))
          return;
      }
      for (auto* s : {&spot, &usdm}) {
        auto now = wall_now();
        std::lock_guard<std::mutex> guard{s->mu};
        auto outs = s->core->step(now, now / ns_per_ms);
        s->route(outs);
        s->close_expired(now);
      }
    }
  }
};

exchange_server::exchange_server(server_options opts) : impl_(std::make_unique<impl>()) {
  impl_->opts = std::move(opts);
}

exchange_server::~exchange_server() { stop(); }

bool exchange_server::start(std::string* error) {
  auto& d = *impl_;
  if (d.started) {
    *error = "already started";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(d.opts.data_dir, ec);
  if (ec) {
    *error = "cannot create " + d.opts.data_dir + ": " + ec.message();
    return false;
  }
  if (d.opts.tls) {
    d.cert_file = d.opts.data_dir + "/cert.pem";
    d.key_file = d.opts.data_dir + "/key.pem";
    // Keep an existing certificate, so clients trusting it go on working
    // across restarts of the exchange.
    if (!std::filesystem::exists(d.cert_file) || !std::filesystem::exists(d.key_file))
      if (!net::generate_self_signed(d.cert_file, d.key_file, error))
        return false;
  }
  if (d.opts.api_key.empty()) {
    d.opts.api_key = random_hex(32);
    d.opts.secret = random_hex(32);
  }
  if (!write_private(d.opts.data_dir + "/credentials.json",
                     R"({"api_key":")" + d.opts.api_key + R"(","secret":")" + d.opts.secret
                       + "\"}\n",
                     error))
    return false;
  auto now = wall_now();
  for (auto m : {binance::market::spot, binance::market::usdm}) {
    auto& s = d.side_of(m);
    s.m = m;
    core_config cc;
    cc.m = m;
    cc.venue = venue_id{m == binance::market::spot ? "exchange-sim-spot" : "exchange-sim-usdm"};
    cc.symbols = default_listings(m, d.opts.seed);
    account_config acct;
    acct.api_key = d.opts.api_key;
    acct.secret = d.opts.secret;
    acct.balances.emplace_back("USDT", notional::from_units(1'000'000));
    if (m == binance::market::spot) {
      acct.balances.emplace_back("BTC", notional::from_units(10));
      acct.balances.emplace_back("ETH", notional::from_units(100));
    }
    cc.accounts.push_back(std::move(acct));
    cc.listen_key_ttl = d.opts.listen_key_ttl;
    cc.weight_limit_1m = d.opts.weight_limit_1m != 0 ? d.opts.weight_limit_1m
                         : m == binance::market::spot ? 6000
                                                      : 2400;
    s.core = std::make_unique<binance_core>(std::move(cc), now);
    net::tls_server_options so;
    so.address = d.opts.address;
    so.port = m == binance::market::spot ? d.opts.spot_port : d.opts.usdm_port;
    so.cert_file = d.cert_file;
    so.key_file = d.key_file;
    s.server = std::make_unique<net::tls_server>(so, d.handlers_for(s));
    std::string why;
    if (!s.server->start(&why)) {
      *error = std::string{binance::to_string(m)} + " listener: " + why;
      stop();
      return false;
    }
  }
  std::string ports = R"({"spot":)" + std::to_string(d.spot.server->port()) + R"(,"usdm":)"
                      + std::to_string(d.usdm.server->port()) + "}\n";
  {
    std::ofstream f{d.opts.data_dir + "/ports.json.tmp"};
    f << ports;
  }
  std::filesystem::rename(d.opts.data_dir + "/ports.json.tmp", d.opts.data_dir + "/ports.json",
                          ec);
  d.started = true;
  d.stepper = std::thread([&d] { d.step_loop(); });
  return true;
}

void exchange_server::stop() {
  auto& d = *impl_;
  {
    std::lock_guard<std::mutex> guard{d.stop_mu};
    d.stopping = true;
  }
  d.stop_cv.notify_all();
  if (d.stepper.joinable())
    d.stepper.join();
  for (auto* s : {&d.spot, &d.usdm})
    if (s->server)
      s->server->stop();
}

uint16_t exchange_server::port(binance::market m) const noexcept {
  auto& s = m == binance::market::spot ? impl_->spot : impl_->usdm;
  return s.server ? s.server->port() : 0;
}

std::string exchange_server::inject(binance::market m, const std::string& kind,
                                    const std::string& arg) {
  return impl_->do_inject(impl_->side_of(m), kind, arg);
}

const std::string& exchange_server::api_key() const noexcept { return impl_->opts.api_key; }

const std::string& exchange_server::secret() const noexcept { return impl_->opts.secret; }

std::string exchange_server::cert_file() const { return impl_->cert_file; }

uint64_t exchange_server::frames_sent() const noexcept {
  return impl_->spot.frames.load() + impl_->usdm.frames.load();
}

} // namespace agora::xsim
