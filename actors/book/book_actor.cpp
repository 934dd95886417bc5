#include "actors/book/book_actor.hpp"

#include <deque>
#include <stdexcept>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/book/order_book.hpp"
#include "actors/book/ticker_check.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

struct book_state {
  book_params params;
  std::string path;
  order_book book;
  caf::actor feed;
  uint64_t feeds = 0; ///< Feed incarnations followed (a restarted feed is followed, not us restarted).
  bool awaiting_snapshot = true;
  bool snapshot_in_flight = false;
  std::deque<book_delta> buffer;
  std::vector<caf::actor> subscribers;
  uint64_t gaps = 0;
  uint64_t crossed = 0;
  uint64_t resyncs = 0;
  uint64_t diffs_applied = 0;
  std::string stale_reason; ///< Why it is stale now ("" while in sync).
  ticker_check tickers;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "book";
};

using book_actor = caf::stateful_actor<book_state>;

nanos now_of(book_actor* self) { return self->state.params.clock->now(); }

book_view make_view(book_actor* self) {
  auto& st = self->state;
  book_view v;
  v.venue = st.params.venue;
  v.symbol = st.params.symbol;
  v.update_id = st.book.last_update_id();
  st.book.top(st.params.view_levels, v.bids, v.asks);
  v.mid = st.book.mid().value_or(price{});
  v.microprice = st.book.microprice().value_or(0.0);
  v.imbalance = st.book.imbalance(st.params.imbalance_levels);
  v.venue_time = st.book.last_venue_time();
  v.local_time = now_of(self);
  return v;
}

void publish_view(book_actor* self) {
  auto& st = self->state;
  if (st.subscribers.empty() || !st.book.synced())
    return;
  auto v = make_view(self);
  for (auto& s : st.subscribers)
    self->send(s, v);
}

void request_snapshot(book_actor* self) {
  auto& st = self->state;
  if (st.snapshot_in_flight || !st.feed)
    return;
  st.snapshot_in_flight = true;
  self->send(st.feed, snapshot_request{st.params.symbol});
}

void go_stale(book_actor* self, stale_reason why, const std::string& detail) {
  auto& st = self->state;
  st.log->warn("book_stale venue={} symbol={} reason={} detail=\"{}\"",
               st.params.venue, st.params.symbol, why, detail);
  st.book.clear();
  st.awaiting_snapshot = true;
  st.buffer.clear();
  st.tickers.reset();
  st.stale_reason = std::string{to_string(why)} + ": " + detail;
  book_stale msg{st.params.venue, st.params.symbol, why, detail, now_of(self)};
  for (auto& s : st.subscribers)
    self->send(s, msg);
  request_snapshot(self);
}

/// Applies one diff to a synced book; returns false if the book went stale.
bool apply_one(book_actor* self, const book_delta& d) {
  auto& st = self->state;
  auto r = st.book.apply(d);
  switch (r) {
    case apply_status::applied:
      ++st.diffs_applied;
      st.tickers.on_applied(d.last_update_id, st.book.best_bid(), st.book.best_ask());
      return true;
    case apply_status::outdated:
      return true;
    case apply_status::gap:
      ++st.gaps;
      go_stale(self, stale_reason::sequence_gap,
               "expected after " + std::to_string(st.book.last_update_id())
                 + ", got " + std::to_string(d.first_update_id) + ".."
                 + std::to_string(d.last_update_id));
      return false;
    case apply_status::crossed:
      ++st.crossed;
      go_stale(self, stale_reason::crossed_book,
               "crossed after update " + std::to_string(d.last_update_id));
      return false;
    case apply_status::not_synced:
      go_stale(self, stale_reason::awaiting_snapshot, "not synced");
      return false;
  }
  return false;
}

/// Follows `feed` (the venue's feed, new or restarted): asks it to route
/// our symbol here, then resyncs from a snapshot. A book outlives its feed:
/// the supervisor restarts a failed feed alone and the directory tells us.
void follow_feed(book_actor* self, caf::actor feed) {
  auto& st = self->state;
  if (!feed || feed == st.feed)
    return;
  if (st.feed || st.book.synced()) {
    st.feed = nullptr; // no snapshot request goes to the old one
    go_stale(self, stale_reason::feed_lost, "the feed was replaced: resyncing from the new one");
  }
  st.feed = feed;
  ++st.feeds;
  self->monitor(feed);
  self->request(feed, std::chrono::seconds(5), follow_symbol{st.params.symbol, self})
    .then(
      [self, feed](caf::ok_atom) {
        auto& st = self->state;
        if (st.feed != feed)
          return; // replaced again meanwhile
        st.snapshot_in_flight = false;
        st.awaiting_snapshot = true;
        st.buffer.clear(); // diffs before the follow may predate the snapshot too
        request_snapshot(self);
      },
      [self, feed](caf::error& err) {
        if (self->state.feed == feed)
          self->quit(std::move(err)); // restarted by the supervisor, follows again
      });
}

void buffer_delta(book_actor* self, book_delta&& d) {
  auto& st = self->state;
  st.buffer.push_back(std::move(d));
  if (st.buffer.size() > st.params.max_buffered)
    st.buffer.pop_front();
}

caf::behavior book_impl(book_actor* self, std::string path,
                        book_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("book");
  install_hygiene(self, st.path, st.log);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.feed && msg.source == st.feed.address()) {
      // Stale until the restarted feed registers (actor_replaced).
      st.feed = nullptr;
      st.snapshot_in_flight = false;
      go_stale(self, stale_reason::feed_lost, "the feed went down: waiting for its restart");
      return;
    }
    auto& subs = st.subscribers;
    for (auto i = subs.begin(); i != subs.end();)
      i = i->address() == msg.source ? subs.erase(i) : std::next(i);
  });
  // The feed by name: followed now if it runs, else (a feed starting after
  // us, or restarting) once the directory says it is there.
  self->request(st.params.directory, std::chrono::seconds(5), caf::subscribe_atom_v,
                st.params.feed_path)
    .await(
      [self](caf::actor& feed) {
        auto& st = self->state;
        if (!feed) {
          st.stale_reason = "awaiting_feed: " + st.params.feed_path + " not running yet";
          return;
        }
        follow_feed(self, feed);
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
  return {
    [self](actor_replaced& r) {
      auto& st = self->state;
      ++st.processed;
      if (r.name == st.params.feed_path)
        follow_feed(self, r.handle);
    },
    [self](book_delta_batch& batch) {
      auto& st = self->state;
      ++st.processed;
      bool applied = false;
      for (auto& d : batch.deltas) {
        if (st.awaiting_snapshot) {
          buffer_delta(self, std::move(d));
          continue;
        }
        applied = apply_one(self, d);
      }
      if (applied)
        publish_view(self);
    },
    [self](book_snapshot& snap) {
      auto& st = self->state;
      ++st.processed;
      st.snapshot_in_flight = false;
      st.book.load(snap);
      st.awaiting_snapshot = false;
      st.stale_reason.clear();
      ++st.resyncs;
      st.tickers.on_applied(snap.last_update_id, st.book.best_bid(), st.book.best_ask());
      auto buffered = std::move(st.buffer);
      st.buffer.clear();
      size_t used = 0;
      for (auto& d : buffered) {
        if (!apply_one(self, d))
          return; // stale again: a new snapshot is on its way
        ++used;
      }
      st.log->info("book_synced venue={} symbol={} last_update_id={} "
                   "buffered_applied={} bids={} asks={}",
                   st.params.venue, st.params.symbol, st.book.last_update_id(),
                   used, st.book.bid_levels(), st.book.ask_levels());
      publish_view(self);
    },
    [self](book_stale& s) {
      auto& st = self->state;
      ++st.processed;
      if (s.reason == stale_reason::feed_lost) {
        // The feed has no more data for us (a replay whose recording
        // ended): stale until a snapshot comes, if one ever does.
        if (!st.awaiting_snapshot)
          go_stale(self, stale_reason::feed_lost, s.detail);
        return;
      }
      // The feed could not get us a snapshot: retry shortly.
      st.snapshot_in_flight = false;
      st.log->warn("snapshot_retry venue={} symbol={} detail=\"{}\"",
                   st.params.venue, st.params.symbol, s.detail);
      self->delayed_send(self, std::chrono::milliseconds(500), resync_atom_v);
    },
    [self](resync_atom) {
      ++self->state.processed;
      request_snapshot(self);
    },
    [self](trade_tick& t) {
      auto& st = self->state;
      ++st.processed;
      for (auto& s : st.subscribers)
        self->send(s, t);
    },
    // The venue's own top of book checks ours (ticker_check); no
    // subscriber needs it (they trade on book_view), so it stops here: on
    // Binance it is most of the stream. A perpetual's funding passes
    // through to subscribers, whatever the book's sync state.
    [self](book_ticker& t) {
      auto& st = self->state;
      ++st.processed;
      st.tickers.on_ticker(t, st.book.synced(), st.book.last_update_id());
    },
    [self](funding_update& f) {
      auto& st = self->state;
      ++st.processed;
      for (auto& s : st.subscribers)
        self->send(s, f);
    },
    [self](caf::subscribe_atom) {
      auto& st = self->state;
      ++st.processed;
      auto sub = caf::actor_cast<caf::actor>(self->current_sender());
      if (!sub)
        return;
      for (auto& s : st.subscribers)
        if (s == sub)
          return;
      st.subscribers.push_back(sub);
      self->monitor(sub);
      if (st.book.synced())
        self->send(sub, make_view(self));
    },
    [self](unsub_atom) {
      auto& subs = self->state.subscribers;
      auto sub = caf::actor_cast<caf::actor>(self->current_sender());
      for (auto i = subs.begin(); i != subs.end();)
        i = *i == sub ? subs.erase(i) : std::next(i);
    },
    [self](caf::get_atom) -> caf::result<top_of_book> {
      auto& st = self->state;
      ++st.processed;
      auto bid = st.book.best_bid();
      auto ask = st.book.best_ask();
      if (!st.book.synced() || !bid || !ask)
        return caf::make_error(caf::sec::runtime_error,
                               "book " + st.path + " is stale");
      return top_of_book{st.params.venue, st.params.symbol, *bid, *ask,
                         st.book.last_venue_time(), now_of(self)};
    },
    [self](const inject_fault& f) -> std::string {
      if (f.kind == "crash-book")
        throw std::runtime_error("injected crash of " + self->state.path);
      return "error: books only take crash-book";
    },
    [self](report_atom) {
      auto& st = self->state;
      return book_report{st.params.venue,     st.params.symbol,   st.book.synced(),
                         st.diffs_applied,    st.gaps,            st.crossed,
                         st.resyncs,          st.tickers.tickers(), st.tickers.checked(),
                         st.tickers.agreed(), st.tickers.first_disagreement(),
                         st.book.synced()             ? std::string{}
                         : st.stale_reason.empty()    ? std::string{"awaiting_snapshot: no snapshot yet"}
                                                      : st.stale_reason};
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        st.book.synced() ? "fresh" : "stale", own_mailbox_size(self),
        st.processed,
        "last_id=" + std::to_string(st.book.last_update_id()) + " bids="
          + std::to_string(st.book.bid_levels()) + " asks="
          + std::to_string(st.book.ask_levels()) + " gaps="
          + std::to_string(st.gaps) + " crossed=" + std::to_string(st.crossed)
          + " resyncs=" + std::to_string(st.resyncs) + " feeds="
          + std::to_string(st.feeds) + " subscribers="
          + std::to_string(st.subscribers.size())};
    },
  };
}

} // namespace

caf::actor spawn_book(caf::actor_system& sys, const std::string& path,
                      book_params params) {
  return sys.spawn(book_impl, path, std::move(params));
}

} // namespace agora
