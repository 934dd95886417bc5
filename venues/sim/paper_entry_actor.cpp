#include "venues/sim/paper_entry_actor.hpp"

#include <cstdlib>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/sim/latency_model.hpp"
#include "venues/sim/order_owners.hpp"
#include "venues/sim/paper_matcher.hpp"

namespace agora::sim {

namespace {

struct pending_request {
  bool cancel = false;
  submit_order order;
  cancel_order cancel_request;
  caf::actor sender;
};

struct paper_state {
  paper_entry_params params;
  std::string path;
  std::map<symbol_id, instrument_spec> specs;
  bool specs_loaded = false;
  std::vector<caf::response_promise> spec_waiters;
  /// Followed symbols; a matcher exists once the spec is known.
  std::map<symbol_id, std::unique_ptr<paper_matcher>> matchers;
  std::map<std::string, symbol_id> book_names; ///< Directory name -> symbol.
  order_owners owners;
  std::map<uint64_t, pending_request> pending;
  uint64_t next_pending = 0;
  std::unique_ptr<latency_model> latency;
  uint64_t next_trade_range = 0;
  uint64_t processed = 0;
  uint64_t orders_in = 0;
  uint64_t fills_out = 0;
  uint64_t book_updates = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "paper_entry";
};

using paper_actor = caf::stateful_actor<paper_state>;

nanos now_of(paper_actor* self) { return self->state.params.clock->now(); }

void deliver(paper_actor* self, const symbol_id& symbol, const std::vector<exec_report>& reports) {
  auto& st = self->state;
  st.fills_out += deliver_reports(self, st.params.venue, symbol, st.owners, reports, now_of(self));
}

void load_specs(paper_actor* self) {
  auto me = caf::actor_cast<caf::actor>(self);
  self->state.params.load_specs([me](caf::expected<std::vector<instrument_spec>> specs) {
    if (specs)
      caf::anon_send(me, spec_atom_v, std::move(*specs));
    else
      caf::anon_send(me, spec_atom_v, caf::to_string(specs.error()));
  });
}

/// Creates the symbol's matcher (its spec known) and follows its book.
void follow(paper_actor* self, const symbol_id& symbol) {
  auto& st = self->state;
  if (st.matchers.count(symbol) != 0)
    return;
  auto spec = st.specs.at(symbol);
  spec.venue = st.params.venue;
  // Each matcher numbers its fills in its own range of 10^7 from the start
  // second (fills are keyed by client id, which is unique per run, anyway).
  auto start = static_cast<uint64_t>(now_of(self) / ns_per_s) * 1'000'000'000ULL;
  st.matchers[symbol] =
    std::make_unique<paper_matcher>(spec, start + ++st.next_trade_range * 10'000'000ULL);
  auto name = book_path(st.params.venue, symbol);
  st.book_names[name] = symbol;
  self->request(st.params.directory, std::chrono::seconds(5), caf::subscribe_atom_v, name)
    .then(
      [self](caf::actor& book) {
        if (book)
          self->send(book, caf::subscribe_atom_v);
      },
      [self, name](caf::error& err) {
        self->state.log->error("paper_book_unreachable venue={} book={} error=\"{}\"",
                               self->state.params.venue, name, self->system().render(err));
      });
  st.log->info("paper_following venue={} symbol={} tick={} lot={} min_notional={}",
               st.params.venue, symbol, spec.tick, spec.lot, spec.min_notional);
}

void reject_now(paper_actor* self, const caf::actor& to, const submit_order& o,
                reject_reason why, std::string detail) {
  auto now = now_of(self);
  self->send(to, order_rejected{o.cid, self->state.params.venue, o.symbol, why,
                                std::move(detail), o.strategy, now, now});
}

void execute(paper_actor* self, pending_request& p) {
  auto& st = self->state;
  auto now = now_of(self);
  if (p.cancel) {
    auto& c = p.cancel_request;
    auto m = st.matchers.find(c.symbol);
    if (m == st.matchers.end() || st.owners.count(c.cid) == 0) {
      self->send(p.sender, order_rejected{c.cid, st.params.venue, c.symbol,
                                          reject_reason::unknown_order, "cancel: unknown order",
                                          c.strategy, now, now});
      return;
    }
    deliver(self, c.symbol, m->second->cancel(c.cid, now));
    return;
  }
  auto& o = p.order;
  ++st.orders_in;
  if (!st.specs_loaded) {
    reject_now(self, p.sender, o, reject_reason::venue_unavailable,
               "paper: the venue's instruments are not loaded yet");
    return;
  }
  auto m = st.matchers.find(o.symbol);
  if (m == st.matchers.end()) {
    reject_now(self, p.sender, o, reject_reason::unknown_symbol,
               "paper: no book of " + o.symbol.str() + " is followed on "
                 + st.params.venue.str());
    return;
  }
  if (st.owners.count(o.cid) != 0) {
    reject_now(self, p.sender, o, reject_reason::duplicate_client_id, "client order id in use");
    return;
  }
  st.owners[o.cid] = order_owner{p.sender, o.strategy, o.symbol};
  sim_order so{o.cid, o.sd, o.type, o.tif, o.px, o.qty};
  deliver(self, o.symbol, m->second->submit(so, now));
}

void enqueue(paper_actor* self, pending_request p) {
  auto& st = self->state;
  auto seq = ++st.next_pending;
  st.pending.emplace(seq, std::move(p));
  self->delayed_send(self, std::chrono::nanoseconds(st.latency->sample()), caf::forward_atom_v,
                     seq);
}

paper_matcher* matcher_of(paper_actor* self, const symbol_id& symbol) {
  auto i = self->state.matchers.find(symbol);
  return i == self->state.matchers.end() ? nullptr : i->second.get();
}

caf::behavior paper_impl(paper_actor* self, std::string path, paper_entry_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  st.latency = std::make_unique<latency_model>(st.params.latency_seed, st.params.latency,
                                               st.params.jitter);
  st.log->info("paper_entry_starting venue={} symbols={} latency_us={} jitter_us={}",
               st.params.venue, st.params.symbols.size(), st.params.latency / ns_per_us,
               st.params.jitter / ns_per_us);
  if (st.params.load_specs) {
    load_specs(self);
  } else {
    st.log->error("paper_entry_no_instruments venue={}: no instrument source", st.params.venue);
  }
  return {
    [self](spec_atom, std::vector<instrument_spec>& specs) {
      auto& st = self->state;
      ++st.processed;
      st.specs.clear();
      for (auto& s : specs)
        st.specs[s.symbol] = s;
      st.specs_loaded = true;
      st.log->info("instruments_loaded venue={} count={}", st.params.venue, st.specs.size());
      for (auto& s : st.params.symbols) {
        if (st.specs.count(s) == 0) {
          st.log->error("paper_symbol_unlisted venue={} symbol={}: the venue does not list it "
                        "(orders on it are rejected)",
                        st.params.venue, s);
          continue;
        }
        follow(self, s);
      }
      std::vector<instrument_spec> all;
      for (auto& [s, spec] : st.specs)
        all.push_back(spec);
      for (auto& rp : st.spec_waiters)
        rp.deliver(all);
      st.spec_waiters.clear();
    },
    [self](spec_atom, std::string& error) {
      auto& st = self->state;
      ++st.processed;
      st.log->warn("exchange_info_failed venue={} detail=\"{}\": retrying in {} ms",
                   st.params.venue, error, st.params.spec_retry / ns_per_ms);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.spec_retry), spec_atom_v,
                         caf::update_atom_v);
    },
    [self](spec_atom, caf::update_atom) {
      ++self->state.processed;
      load_specs(self);
    },
    [self](spec_atom) -> caf::result<std::vector<instrument_spec>> {
      auto& st = self->state;
      ++st.processed;
      if (!st.specs_loaded) {
        st.spec_waiters.push_back(self->make_response_promise());
        return st.spec_waiters.back();
      }
      std::vector<instrument_spec> all;
      for (auto& [s, spec] : st.specs)
        all.push_back(spec);
      return all;
    },
    // The venue's market, from its book actors.
    [self](const book_view& v) {
      auto& st = self->state;
      ++st.processed;
      ++st.book_updates;
      if (auto* m = matcher_of(self, v.symbol))
        deliver(self, v.symbol, m->on_book(v, now_of(self)));
    },
    [self](const trade_tick& t) {
      ++self->state.processed;
      if (auto* m = matcher_of(self, t.symbol))
        deliver(self, t.symbol, m->on_trade(t, now_of(self)));
    },
    [self](const book_stale& s) {
      ++self->state.processed;
      if (auto* m = matcher_of(self, s.symbol))
        m->on_stale();
    },
    [self](const funding_update&) { ++self->state.processed; },
    [self](const book_ticker&) { ++self->state.processed; },
    [self](actor_replaced& r) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.book_names.find(r.name);
      if (i == st.book_names.end())
        return;
      if (auto* m = matcher_of(self, i->second))
        m->on_stale(); // the new book publishes once it is in sync
      if (r.handle)
        self->send(r.handle, caf::subscribe_atom_v);
    },
    // Order entry, after the simulated latency.
    [self](submit_order& o) {
      ++self->state.processed;
      pending_request p;
      p.order = std::move(o);
      p.sender = caf::actor_cast<caf::actor>(self->current_sender());
      enqueue(self, std::move(p));
    },
    [self](cancel_order& c) {
      ++self->state.processed;
      pending_request p;
      p.cancel = true;
      p.cancel_request = std::move(c);
      p.sender = caf::actor_cast<caf::actor>(self->current_sender());
      enqueue(self, std::move(p));
    },
    [self](caf::forward_atom, uint64_t seq) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.pending.find(seq);
      if (i == st.pending.end())
        return;
      auto p = std::move(i->second);
      st.pending.erase(i);
      execute(self, p);
    },
    [self](cancel_all_atom) {
      auto& st = self->state;
      ++st.processed;
      auto owner = caf::actor_cast<caf::actor>(self->current_sender());
      auto now = now_of(self);
      uint64_t n = 0;
      for (auto& [symbol, cid] : orders_of(st.owners, owner)) {
        auto* m = matcher_of(self, symbol);
        if (!m)
          continue;
        auto reports = m->cancel(cid, now);
        for (auto& r : reports)
          if (r.what == exec_report::kind::canceled)
            ++n;
        deliver(self, symbol, reports);
      }
      return n;
    },
    // Recovery: paper orders live and die with the service.
    [self](const adopt_order& a) {
      auto& st = self->state;
      ++st.processed;
      adopt_order_of(self, st.params.venue, st.owners, a,
                     caf::actor_cast<caf::actor>(self->current_sender()), now_of(self));
    },
    [self](venue_atom) {
      auto& st = self->state;
      ++st.processed;
      return open_orders_report(st.params.venue, st.owners, now_of(self));
    },
    [self](const cancel_orphan& c) {
      ++self->state.processed;
      auto* m = matcher_of(self, c.symbol);
      if (!m)
        return;
      auto cid = client_order_id{std::strtoull(c.client_id.c_str(), nullptr, 10)};
      deliver(self, c.symbol, m->cancel(cid, now_of(self)));
    },
    [self](const spawn_symbol& s) -> caf::result<instrument_spec> {
      auto& st = self->state;
      ++st.processed;
      if (!st.specs_loaded)
        return caf::make_error(caf::sec::runtime_error,
                               "the venue's instruments are not loaded yet");
      auto i = st.specs.find(s.symbol);
      if (i == st.specs.end())
        return caf::make_error(caf::sec::runtime_error,
                               st.params.venue.str() + " does not list " + s.symbol.str());
      follow(self, s.symbol);
      return i->second;
    },
    [self](stats_atom) {
      auto& st = self->state;
      size_t fresh = 0;
      for (auto& [s, m] : st.matchers)
        fresh += m->fresh() ? 1 : 0;
      return actor_stats{st.specs_loaded ? "running" : "loading", own_mailbox_size(self),
                         st.processed,
                         "paper symbols=" + std::to_string(st.matchers.size())
                           + " fresh=" + std::to_string(fresh) + " orders="
                           + std::to_string(st.orders_in) + " fills="
                           + std::to_string(st.fills_out) + " open="
                           + std::to_string(st.owners.size())};
    },
  };
}

} // namespace

caf::actor spawn_paper_entry(caf::actor_system& sys, const std::string& path,
                             paper_entry_params params) {
  return sys.spawn(paper_impl, path, std::move(params));
}

} // namespace agora::sim
