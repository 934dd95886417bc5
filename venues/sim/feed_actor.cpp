#include "venues/sim/feed_actor.hpp"

#include <variant>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/book_routes.hpp"

namespace agora::sim {

namespace {

struct feed_state {
  feed_params params;
  std::string path;
  caf::actor exchange;
  book_routes routes;
  nanos last_frame = 0;
  uint64_t frames = 0;
  uint64_t malformed = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "sim_feed";
};

using feed_actor = caf::stateful_actor<feed_state>;

nanos now_of(feed_actor* self) { return self->state.params.clock->now(); }

void fail(feed_actor* self, const std::string& why) {
  self->state.log->warn("feed_lost venue={} reason=\"{}\"",
                        self->state.params.venue, why);
  self->quit(caf::make_error(caf::sec::runtime_error, "feed lost: " + why));
}

caf::behavior feed_impl(feed_actor* self, std::string path,
                        feed_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  st.last_frame = now_of(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.exchange && msg.source == st.exchange.address()) {
      fail(self, "exchange went down");
      return;
    }
    st.routes.forget(msg.source);
  });
  // Connect: find the exchange, then subscribe. Everything else waits.
  self->request(st.params.directory, std::chrono::seconds(5), lookup_atom_v,
                st.params.exchange_path)
    .await(
      [self](caf::actor& ex) {
        auto& st = self->state;
        if (!ex) {
          fail(self, "exchange " + st.params.exchange_path + " not found");
          return;
        }
        st.exchange = ex;
        self->monitor(ex);
        self->request(ex, std::chrono::seconds(5), caf::connect_atom_v)
          .await(
            [self](std::vector<instrument_spec>& specs) {
              self->state.log->info("feed_connected venue={} symbols={}",
                                    self->state.params.venue, specs.size());
              self->state.last_frame = now_of(self);
            },
            [self](caf::error& err) {
              fail(self, "connect failed: " + self->system().render(err));
            });
      },
      [self](caf::error& err) {
        fail(self, "directory lookup failed: " + self->system().render(err));
      });
  self->send(self, heartbeat_atom_v);
  return {
    [self](wire_frame& f) {
      auto& st = self->state;
      ++st.processed;
      ++st.frames;
      st.last_frame = now_of(self);
      if (st.params.recorder)
        self->send(st.params.recorder, f);
      // The sim speaks Binance spot's stream payloads and USD-M's
      // markPriceUpdate (venues/sim/wire.hpp).
      auto parsed = binance::parse_stream(f.text, binance::market::spot,
                                          st.params.venue, f.local_time);
      if (!parsed) {
        ++st.malformed;
        st.log->warn("frame_dropped venue={} reason=\"{}\" malformed_total={} "
                     "bytes={}",
                     st.params.venue, self->system().render(parsed.error()),
                     st.malformed, f.text.size());
        return;
      }
      std::visit([self](auto& x) { self->state.routes.route(self, std::move(x)); },
                 *parsed);
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
      auto silent = now_of(self) - st.last_frame;
      if (silent > st.params.heartbeat_timeout) {
        fail(self, "silent for " + std::to_string(silent / ns_per_ms) + " ms");
        return;
      }
      self->delayed_send(self,
                         std::chrono::nanoseconds(st.params.heartbeat_timeout / 4),
                         heartbeat_atom_v);
    },
    [self](follow_symbol& f) {
      auto& st = self->state;
      ++st.processed;
      st.routes.follow(f.symbol, f.book);
      self->monitor(f.book);
      return caf::ok_atom_v;
    },
    [self](unfollow_symbol& u) {
      ++self->state.processed;
      self->state.routes.unfollow(u.symbol);
    },
    [self](snapshot_request& r) {
      auto& st = self->state;
      ++st.processed;
      auto book = caf::actor_cast<caf::actor>(self->current_sender());
      auto symbol = r.symbol;
      self->request(st.exchange, std::chrono::seconds(5), r)
        .then(
          [self, book, symbol](std::string& text) {
            auto& st = self->state;
            if (st.params.recorder)
              self->send(st.params.recorder,
                         wire_frame{st.params.venue,
                                    binance::recorded_snapshot(symbol.str(), text),
                                    now_of(self)});
            auto snap = binance::parse_depth_snapshot(text, st.params.venue,
                                                      symbol, now_of(self));
            if (!snap) {
              ++st.malformed;
              st.log->warn("snapshot_dropped venue={} symbol={} reason=\"{}\"",
                           st.params.venue, symbol,
                           self->system().render(snap.error()));
              self->send(book, book_stale{st.params.venue, symbol,
                                          stale_reason::awaiting_snapshot,
                                          "snapshot malformed", now_of(self)});
              return;
            }
            self->send(book, std::move(*snap));
          },
          [self, book, symbol](caf::error& err) {
            auto& st = self->state;
            st.log->warn("snapshot_failed venue={} symbol={} reason=\"{}\"",
                         st.params.venue, symbol, self->system().render(err));
            self->send(book, book_stale{st.params.venue, symbol,
                                        stale_reason::awaiting_snapshot,
                                        "snapshot failed", now_of(self)});
          });
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        st.exchange ? "connected" : "connecting", own_mailbox_size(self),
        st.processed,
        "frames=" + std::to_string(st.frames) + " malformed="
          + std::to_string(st.malformed) + " " + st.routes.describe()};
    },
  };
}

} // namespace

caf::actor spawn_feed(caf::actor_system& sys, const std::string& path,
                      feed_params params) {
  return sys.spawn(feed_impl, path, std::move(params));
}

} // namespace agora::sim
