#include "venues/replay/replay_feed_actor.hpp"

#include <map>
#include <set>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "messages/type_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/book_routes.hpp"
#include "venues/replay/funding_schedule.hpp"
#include "venues/replay/recording.hpp"

namespace agora::replay {

namespace {

struct replay_feed_state {
  replay_feed_params params;
  std::string path;
  book_routes routes;
  /// Books waiting for the next snapshot of their symbol.
  std::map<symbol_id, std::set<caf::actor>> waiting;
  feed_report report;
  funding_schedule funding;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "replay_feed";
};

using replay_feed_actor = caf::stateful_actor<replay_feed_state>;

/// The snapshot object's text: the line itself, or its "data" when
/// `agora record` wrapped it with the symbol's stream name.
std::string snapshot_text(const std::string& text, bool wrapped) {
  if (!wrapped)
    return text;
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    return text;
  auto d = doc.FindMember("data");
  if (d == doc.MemberEnd())
    return text;
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  d->value.Accept(w);
  return std::string{sb.GetString(), sb.GetSize()};
}

void on_snapshot(replay_feed_actor* self, const wire_frame& f, const line_kind& k) {
  auto& st = self->state;
  ++st.report.snapshots;
  // A bare snapshot names no symbol: it is that of the one book waiting
  // (hftbacktest's captures hold one symbol a file).
  symbol_id symbol{k.symbol};
  if (k.symbol.empty()) {
    if (st.waiting.empty())
      return; // no book asked: a book in sync needs none
    if (st.waiting.size() > 1) {
      ++st.report.ignored;
      st.log->warn("replay_snapshot_ignored venue={} reason=\"a snapshot naming no symbol while "
                   "{} books wait for one\"",
                   st.params.venue, st.waiting.size());
      return;
    }
    symbol = st.waiting.begin()->first;
  }
  auto w = st.waiting.find(symbol);
  if (w == st.waiting.end() || w->second.empty())
    return; // no book asked: a book in sync needs none
  auto snap = binance::parse_depth_snapshot(snapshot_text(f.text, !k.symbol.empty()),
                                            st.params.venue, symbol, f.local_time);
  if (!snap) {
    ++st.report.malformed;
    if (st.report.first_malformed.empty())
      st.report.first_malformed = "snapshot: " + self->system().render(snap.error());
    st.log->warn("replay_snapshot_malformed venue={} symbol={} reason=\"{}\"", st.params.venue,
                 symbol, self->system().render(snap.error()));
    return;
  }
  st.routes.flush(self); // the diffs before it reach the book first
  for (auto& book : w->second) {
    ++st.report.snapshots_served;
    self->send(book, *snap);
  }
  st.waiting.erase(w);
}

caf::behavior replay_feed_impl(replay_feed_actor* self, std::string path,
                               replay_feed_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.report.venue = st.params.venue;
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    st.routes.forget(msg.source);
    for (auto& [symbol, books] : st.waiting)
      for (auto i = books.begin(); i != books.end();)
        i = i->address() == msg.source ? books.erase(i) : std::next(i);
  });
  st.log->info("replay_feed_started venue={} market={}", st.params.venue,
               binance::to_string(st.params.m));
  return {
    [self](wire_frame& f) {
      auto& st = self->state;
      ++st.processed;
      ++st.report.frames;
      auto k = classify(f.text);
      if (k.kind == line_kind::snapshot) {
        on_snapshot(self, f, k);
        return;
      }
      auto parsed = binance::parse_stream(f.text, st.params.m, st.params.venue, f.local_time);
      if (!parsed) {
        if (parsed.error().category() == caf::atom("binance")
            && parsed.error().code() == static_cast<uint8_t>(binance::codec_errc::unknown_event)) {
          ++st.report.ignored;
          return;
        }
        if (st.report.malformed++ == 0)
          st.report.first_malformed = self->system().render(parsed.error());
        st.log->warn("frame_dropped venue={} reason=\"{}\" malformed_total={}", st.params.venue,
                     self->system().render(parsed.error()), st.report.malformed);
        return;
      }
      ++st.report.events;
      if (auto* u = std::get_if<funding_update>(&*parsed)) {
        ++st.report.funding_updates;
        if (auto e = st.funding.on_update(*u))
          st.report.funding.push_back(*e);
      }
      std::visit([self](auto& x) { self->state.routes.route(self, std::move(x)); }, *parsed);
    },
    [self](caf::flush_atom) {
      ++self->state.processed;
      self->state.routes.flush(self);
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
      self->state.waiting.erase(u.symbol);
    },
    [self](snapshot_request& r) {
      auto& st = self->state;
      ++st.processed;
      if (auto book = caf::actor_cast<caf::actor>(self->current_sender()))
        st.waiting[r.symbol].insert(book);
    },
    [self](stop_atom, nanos ended) {
      // The venue's recording ended: its books are no longer fed.
      auto& st = self->state;
      ++st.processed;
      for (auto& symbol : st.routes.symbols())
        st.routes.route(self, book_stale{st.params.venue, symbol, stale_reason::feed_lost,
                                     "the recorded data of " + st.params.venue.str()
                                       + " ended",
                                         ended});
      st.log->info("replay_data_ended venue={} frames={}", st.params.venue, st.report.frames);
    },
    [self](report_atom) {
      auto r = self->state.report;
      r.unrouted = self->state.routes.unrouted();
      return r;
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{"replaying", own_mailbox_size(self), st.processed,
                         "frames=" + std::to_string(st.report.frames) + " malformed="
                           + std::to_string(st.report.malformed) + " ignored="
                           + std::to_string(st.report.ignored) + " snapshots="
                           + std::to_string(st.report.snapshots) + " "
                           + st.routes.describe()};
    },
  };
}

} // namespace

caf::actor spawn_replay_feed(caf::actor_system& sys, const std::string& path,
                             replay_feed_params params) {
  return sys.spawn(replay_feed_impl, path, std::move(params));
}

} // namespace agora::replay
