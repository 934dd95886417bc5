#include "venues/binance/feed_actor.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/errors.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/book_routes.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/url.hpp"
#include "venues/common/ws_bridge.hpp"
#include "venues/common/ws_client.hpp"

namespace agora::binance {

std::vector<std::string> stream_names(market m, const symbol_id& symbol) {
  std::string s = symbol.str();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> out{s + "@depth@100ms", s + "@bookTicker", s + "@aggTrade"};
  if (m == market::usdm)
    out.push_back(s + "@markPrice@1s");
  return out;
}

namespace {

std::string join(const std::vector<std::string>& xs, char sep) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty())
      out += sep;
    out += x;
  }
  return out;
}

struct feed_state {
  feed_params params;
  std::string path;
  std::unique_ptr<net::ws_client> ws;
  std::unique_ptr<net::https_client> rest;
  book_routes routes;
  std::set<symbol_id> subscribed; ///< Streams the connection carries.
  std::set<symbol_id> waiting;    ///< Followed before the connection opened.
  bool open = false;
  nanos last_data = 0; ///< Local time of the last frame (or of the start).
  uint64_t next_request_id = 1;
  uint64_t frames = 0;
  uint64_t malformed = 0;
  uint64_t ignored = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "binance_feed";
};

using feed_actor = caf::stateful_actor<feed_state>;

nanos now_of(feed_actor* self) { return self->state.params.clock->now(); }

void fail(feed_actor* self, const std::string& why) {
  self->state.log->warn("feed_lost venue={} reason=\"{}\"",
                        self->state.params.venue, why);
  self->quit(caf::make_error(caf::sec::runtime_error, "feed lost: " + why));
}

/// Subscribes `symbols` (Binance's SUBSCRIBE method), or keeps them for
/// when the connection opens.
void subscribe(feed_actor* self, const std::vector<symbol_id>& symbols) {
  auto& st = self->state;
  std::vector<std::string> streams;
  for (const auto& s : symbols) {
    if (st.subscribed.count(s) != 0)
      continue;
    if (!st.open) {
      st.waiting.insert(s);
      continue;
    }
    st.subscribed.insert(s);
    for (auto& n : stream_names(st.params.m, s))
      streams.push_back("\"" + n + "\"");
  }
  if (streams.empty())
    return;
  st.ws->send("{\"method\":\"SUBSCRIBE\",\"params\":[" + join(streams, ',')
              + "],\"id\":" + std::to_string(st.next_request_id++) + "}");
}

/// Fetches the depth snapshot of `symbol` for `book`. The answer is parsed
/// on the HTTP client's thread and goes straight to the book as a message.
void fetch_snapshot(feed_actor* self, caf::actor book, const symbol_id& symbol) {
  auto& st = self->state;
  net::https_request req;
  req.method = "GET";
  req.target = std::string{st.params.m == market::spot ? "/api/v3/depth" : "/fapi/v1/depth"}
               + "?symbol=" + symbol.str() + "&limit=" + std::to_string(st.params.depth_limit);
  auto venue = st.params.venue;
  auto m = st.params.m;
  auto clock = st.params.clock;
  auto log = st.log;
  auto recorder = st.params.recorder;
  st.rest->async(std::move(req), [book, symbol, venue, m, clock, log,
                                  recorder](net::https_response&& r) {
    auto stale = [&](const std::string& detail) {
      log->warn("snapshot_failed venue={} symbol={} reason=\"{}\"", venue, symbol, detail);
      caf::anon_send(book, book_stale{venue, symbol, stale_reason::awaiting_snapshot,
                                      detail, clock->now()});
    };
    if (r.outcome != net::send_outcome::complete) {
      stale("depth request failed: " + r.error);
      return;
    }
    auto c = classify(r.status, r.body, r.header("Retry-After"), m);
    if (c.what != error_class::ok) {
      stale("depth request: HTTP " + std::to_string(r.status) + " " + to_string(c.what)
            + " code " + std::to_string(c.code) + " " + c.msg);
      return;
    }
    auto now = clock->now();
    if (recorder)
      caf::anon_send(recorder, wire_frame{venue, recorded_snapshot(symbol.str(), r.body), now});
    auto snap = parse_depth_snapshot(r.body, venue, symbol, now);
    if (!snap) {
      stale("depth snapshot malformed: " + caf::to_string(snap.error()));
      return;
    }
    caf::anon_send(book, std::move(*snap));
  });
}

caf::behavior feed_impl(feed_actor* self, std::string path, feed_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  std::string error;
  auto rest_url = net::parse_url(st.params.rest_url, &error);
  if (!rest_url) {
    fail(self, "rest_url: " + error);
    return {};
  }
  std::vector<std::string> streams;
  for (const auto& s : st.params.symbols) {
    st.subscribed.insert(s);
    for (auto& n : stream_names(st.params.m, s))
      streams.push_back(n);
  }
  auto ws_url = net::parse_url(st.params.ws_url + "/stream?streams=" + join(streams, '/'),
                               &error);
  if (!ws_url) {
    fail(self, "ws_url: " + error);
    return {};
  }
  net::https_options ho;
  ho.base = *rest_url;
  ho.tls = st.params.tls;
  ho.max_connections = 2;
  st.rest = std::make_unique<net::https_client>(std::move(ho));
  net::ws_options wo;
  wo.where = *ws_url;
  wo.tls = st.params.tls;
  wo.connect_timeout = std::chrono::milliseconds(st.params.connect_timeout / ns_per_ms);
  wo.ping_interval = std::chrono::milliseconds(st.params.ping_interval / ns_per_ms);
  wo.heartbeat_timeout = std::chrono::milliseconds(st.params.heartbeat_timeout / ns_per_ms);
  // The socket's thread talks to this actor only by messages.
  auto cb = message_bridge(self, st.params.venue, st.params.clock, caf::connect_atom_v);
  st.ws = std::make_unique<net::ws_client>(std::move(wo), std::move(cb));
  st.ws->start();
  st.log->info("feed_connecting venue={} market={} url={}{} symbols={}", st.params.venue,
               to_string(st.params.m), st.params.ws_url, "/stream", st.params.symbols.size());
  self->set_down_handler([self](caf::down_msg& msg) { self->state.routes.forget(msg.source); });
  // A connection that answers pings but carries no data (a stalled venue)
  // is as dead as a closed one.
  st.last_data = now_of(self);
  self->send(self, heartbeat_atom_v);
  return {
    [self](caf::connect_atom) {
      auto& st = self->state;
      ++st.processed;
      st.open = true;
      st.log->info("feed_connected venue={} streams={}", st.params.venue,
                   st.subscribed.size());
      std::vector<symbol_id> late(st.waiting.begin(), st.waiting.end());
      st.waiting.clear();
      subscribe(self, late);
    },
    [self](wire_frame& f) {
      auto& st = self->state;
      ++st.processed;
      ++st.frames;
      st.last_data = f.local_time;
      if (st.params.recorder)
        self->send(st.params.recorder, f);
      auto parsed = parse_stream(f.text, st.params.m, st.params.venue, f.local_time);
      if (!parsed) {
        // Replies to SUBSCRIBE ({"result":null,"id":1}) are not events.
        if (f.text.find("\"result\"") != std::string::npos
            && f.text.find("\"id\"") != std::string::npos) {
          ++st.ignored;
          return;
        }
        ++st.malformed;
        st.log->warn("frame_dropped venue={} reason=\"{}\" malformed_total={} bytes={}",
                     st.params.venue, self->system().render(parsed.error()), st.malformed,
                     f.text.size());
        return;
      }
      std::visit([self](auto& x) { self->state.routes.route(self, std::move(x)); }, *parsed);
    },
    [self](caf::flush_atom) {
      ++self->state.processed;
      self->state.routes.flush(self);
    },
    [self](connection_lost& c) {
      ++self->state.processed;
      fail(self, c.reason);
    },
    [self](heartbeat_atom) {
      auto& st = self->state;
      ++st.processed;
      auto silent = now_of(self) - st.last_data;
      if (silent > st.params.heartbeat_timeout) {
        fail(self, "no market data for " + std::to_string(silent / ns_per_ms) + " ms");
        return;
      }
      self->delayed_send(self, std::chrono::nanoseconds(st.params.heartbeat_timeout / 4),
                         heartbeat_atom_v);
    },
    [self](follow_symbol& f) {
      auto& st = self->state;
      ++st.processed;
      st.routes.follow(f.symbol, f.book);
      self->monitor(f.book);
      subscribe(self, {f.symbol});
      return caf::ok_atom_v;
    },
    [self](unfollow_symbol& u) {
      ++self->state.processed;
      self->state.routes.unfollow(u.symbol);
    },
    [self](snapshot_request& r) {
      ++self->state.processed;
      fetch_snapshot(self, caf::actor_cast<caf::actor>(self->current_sender()), r.symbol);
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{st.open ? "connected" : "connecting", own_mailbox_size(self),
                         st.processed,
                         "frames=" + std::to_string(st.frames) + " malformed="
                           + std::to_string(st.malformed) + " ignored="
                           + std::to_string(st.ignored) + " " + st.routes.describe()};
    },
  };
}

} // namespace

caf::actor spawn_feed(caf::actor_system& sys, const std::string& path, feed_params params) {
  return sys.spawn(feed_impl, path, std::move(params));
}

} // namespace agora::binance
