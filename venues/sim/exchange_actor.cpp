#include "venues/sim/exchange_actor.hpp"

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/sim/funding_model.hpp"
#include "venues/sim/latency_model.hpp"
#include "venues/sim/order_faults.hpp"
#include "venues/sim/order_owners.hpp"
#include "venues/sim/wire.hpp"

namespace agora::sim {

namespace {


struct pending_order {
  bool cancel = false;
  submit_order order;
  cancel_order cancel_request;
  caf::actor sender;
};

struct exchange_state {
  exchange_params params;
  std::string path;
  std::map<symbol_id, std::unique_ptr<sim_market>> markets;
  /// Anchored markets (perpetuals) and the symbol each follows.
  std::map<symbol_id, symbol_id> index_of;
  /// The funding of every perpetual.
  std::map<symbol_id, funding_model> funding;
  /// When the next markPriceUpdate frames are due (once a second).
  nanos next_mark_publish = 0;
  std::vector<caf::actor> feeds;
  order_owners owners;
  std::map<uint64_t, pending_order> pending;
  uint64_t next_pending = 0;
  std::unique_ptr<latency_model> latency;
  nanos stalled_until = 0;
  uint64_t frames_sent = 0;
  uint64_t orders_in = 0;
  uint64_t fills_out = 0;
  uint64_t processed = 0;
  /// Order-entry faults armed for the next new orders.
  order_faults faults;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "sim_exchange";
};

using exchange_actor = caf::stateful_actor<exchange_state>;

nanos now_of(exchange_actor* self) { return self->state.params.clock->now(); }

void publish(exchange_actor* self, std::string text, nanos now) {
  auto& st = self->state;
  if (now < st.stalled_until)
    return;
  for (auto& f : st.feeds) {
    self->send(f, wire_frame{st.params.venue, text, now});
    ++st.frames_sent;
  }
}

void deliver(exchange_actor* self, const symbol_id& symbol,
             const std::vector<exec_report>& reports, nanos now) {
  auto& st = self->state;
  st.fills_out += deliver_reports(self, st.params.venue, symbol, st.owners, reports, now);
}

/// Samples every perpetual's funding and publishes its markPriceUpdate: the
/// mark is the market's mid, the index the fair mid of the symbol an anchored
/// perpetual follows (its own fair mid otherwise).
void publish_marks(exchange_actor* self, nanos now) {
  auto& st = self->state;
  for (auto& [symbol, model] : st.funding) {
    auto m = st.markets.find(symbol);
    if (m == st.markets.end())
      continue;
    auto index = m->second->fair();
    if (auto a = st.index_of.find(symbol); a != st.index_of.end())
      if (auto i = st.markets.find(a->second); i != st.markets.end())
        index = i->second->fair();
    auto est = model.update(m->second->mid(), index, now);
    funding_update f;
    f.venue = st.params.venue;
    f.symbol = symbol;
    f.mark = est.mark;
    f.index = est.index;
    f.funding_rate = est.funding_rate;
    f.next_funding_time = est.next_funding_time;
    f.venue_time = now;
    f.local_time = now;
    publish(self, encode_mark_price(f), now);
  }
}

void step_all(exchange_actor* self) {
  auto& st = self->state;
  auto now = now_of(self);
  for (auto& [symbol, market] : st.markets) {
    if (auto a = st.index_of.find(symbol); a != st.index_of.end())
      if (auto i = st.markets.find(a->second); i != st.markets.end())
        market->set_index(i->second->fair());
    auto step = market->step(now);
    if (step.delta)
      publish(self, encode_depth(*step.delta), now);
    for (auto& t : step.trades)
      publish(self, encode_trade(t), now);
    if (!step.executions.empty())
      deliver(self, symbol, step.executions, now);
  }
  if (now >= st.next_mark_publish) {
    publish_marks(self, now);
    st.next_mark_publish = (now / ns_per_s + 1) * ns_per_s;
  }
}

sim_market& add_market(exchange_actor* self, listed_symbol listing) {
  auto& st = self->state;
  listing.spec.venue = st.params.venue;
  auto symbol = listing.spec.symbol;
  auto m = std::make_unique<sim_market>(st.params.venue, listing.spec,
                                        listing.params);
  auto& ref = *m;
  st.markets[symbol] = std::move(m);
  if (listing.params.anchored && listing.index_symbol.valid())
    st.index_of[symbol] = listing.index_symbol;
  if (listing.spec.perpetual)
    st.funding.insert_or_assign(symbol, funding_model{});
  st.log->info("symbol_listed venue={} symbol={} tick={} lot={} start={}",
               st.params.venue, symbol, listing.spec.tick, listing.spec.lot,
               listing.params.start_price);
  return ref;
}

void execute(exchange_actor* self, pending_order& p) {
  auto& st = self->state;
  auto now = now_of(self);
  if (p.cancel) {
    auto& c = p.cancel_request;
    auto m = st.markets.find(c.symbol);
    if (m == st.markets.end() || st.owners.count(c.cid) == 0) {
      self->send(p.sender, order_rejected{c.cid, st.params.venue, c.symbol,
                                          reject_reason::unknown_order,
                                          "cancel: unknown order",
                                          c.strategy, now, now});
      return;
    }
    deliver(self, c.symbol, m->second->cancel(c.cid, now), now);
    return;
  }
  auto& o = p.order;
  ++st.orders_in;
  auto m = st.markets.find(o.symbol);
  if (m == st.markets.end()) {
    self->send(p.sender, order_rejected{o.cid, st.params.venue, o.symbol,
                                        reject_reason::unknown_symbol,
                                        "symbol not listed", o.strategy, now,
                                        now});
    return;
  }
  if (st.owners.count(o.cid) != 0) {
    self->send(p.sender, order_rejected{o.cid, st.params.venue, o.symbol,
                                        reject_reason::duplicate_client_id,
                                        "client order id in use", o.strategy,
                                        now, now});
    return;
  }
  st.owners[o.cid] = order_owner{p.sender, o.strategy, o.symbol};
  sim_order so{o.cid, o.sd, o.type, o.tif, o.px, o.qty};
  if (auto fault = st.faults.take(o.symbol)) {
    // An injected order-entry fault answers instead of the matching engine.
    std::optional<price> touch;
    if (o.type == order_type::market) {
      auto book = m->second->snapshot(now);
      auto& levels = o.sd == side::buy ? book.asks : book.bids;
      if (!levels.empty())
        touch = levels.front().px;
    }
    st.log->warn("fault_applied venue={} kind={} symbol={} cid={}",
                 st.params.venue, to_string(*fault), o.symbol, o.cid.value);
    deliver(self, o.symbol,
            st.faults.play(*fault, so, m->second->spec(), touch, now), now);
    return;
  }
  deliver(self, o.symbol, m->second->submit(so, now), now);
}

std::string inject(exchange_actor* self, const inject_fault& f) {
  auto& st = self->state;
  auto now = now_of(self);
  if (f.kind == "feed-drop") {
    auto n = st.feeds.size();
    for (auto& feed : st.feeds)
      self->send(feed, connection_lost{st.params.venue, "dropped by venue (injected)"});
    st.feeds.clear();
    return "dropped " + std::to_string(n) + " market-data connection(s)";
  }
  if (f.kind == "seq-gap") {
    size_t n = 0;
    for (auto& [symbol, m] : st.markets)
      if (!f.symbol.valid() || symbol == f.symbol) {
        m->skip_next_sequence();
        ++n;
      }
    if (n == 0)
      return "error: unknown symbol " + f.symbol.str();
    return "next diff skips an update id on " + std::to_string(n)
           + " symbol(s)";
  }
  if (f.kind == "malformed") {
    auto sym = f.symbol.valid() ? f.symbol.str()
               : st.markets.empty() ? std::string{"BTCUSDT"}
                                    : st.markets.begin()->first.str();
    publish(self, R"({"e":"depthUpdate","E":1,"s":")" + sym + R"(","U":)", now);
    publish(self,
            R"({"e":"depthUpdate","E":1,"s":")" + sym
              + R"(","U":1,"u":1,"b":[["not-a-price","1"]],"a":[]})",
            now);
    publish(self, "\x01\x02 garbage", now);
    return "sent 3 malformed frames";
  }
  if (f.kind == "stall") {
    auto d = f.duration > 0 ? f.duration : 5 * ns_per_s;
    st.stalled_until = now + d;
    return "market data stalled for " + std::to_string(d / ns_per_ms) + " ms";
  }
  if (auto kind = parse_order_fault(f.kind)) {
    if (f.symbol.valid() && st.markets.count(f.symbol) == 0)
      return "error: unknown symbol " + f.symbol.str();
    st.faults.arm(*kind, f.symbol);
    auto on = f.symbol.valid() ? f.symbol.str() : std::string{"any symbol"};
    switch (*kind) {
      case order_fault_kind::reject:
        return "the next new order on " + on + " is rejected";
      case order_fault_kind::expire:
        return "the next new order on " + on + " is accepted, then expires";
      case order_fault_kind::partial:
        return "the next new order on " + on
               + " fills half, then the rest expires";
    }
  }
  return "error: unknown fault kind '" + f.kind
         + "' (feed-drop, seq-gap, malformed, stall, reject-next, expire-next,"
           " partial-next)";
}

caf::behavior exchange_impl(exchange_actor* self, std::string path,
                            exchange_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  st.latency = std::make_unique<latency_model>(st.params.latency_seed,
                                               st.params.latency,
                                               st.params.jitter);
  for (auto& l : st.params.symbols)
    add_market(self, l);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& feeds = self->state.feeds;
    for (auto i = feeds.begin(); i != feeds.end();)
      i = i->address() == msg.source ? feeds.erase(i) : std::next(i);
  });
  self->send(self, generate_atom_v);
  return {
    [self](generate_atom) {
      ++self->state.processed;
      step_all(self);
      self->delayed_send(self,
                         std::chrono::nanoseconds(self->state.params.step_interval),
                         generate_atom_v);
    },
    [self](caf::connect_atom) {
      auto& st = self->state;
      ++st.processed;
      auto feed = caf::actor_cast<caf::actor>(self->current_sender());
      std::vector<instrument_spec> specs;
      if (feed) {
        st.feeds.push_back(feed);
        self->monitor(feed);
      }
      for (auto& [s, m] : st.markets)
        specs.push_back(m->spec());
      return specs;
    },
    [self](spec_atom) {
      ++self->state.processed;
      std::vector<instrument_spec> specs;
      for (auto& [s, m] : self->state.markets)
        specs.push_back(m->spec());
      return specs;
    },
    [self](const snapshot_request& r) -> caf::result<std::string> {
      auto& st = self->state;
      ++st.processed;
      auto i = st.markets.find(r.symbol);
      if (i == st.markets.end())
        return caf::make_error(caf::sec::runtime_error,
                               "unknown symbol " + r.symbol.str());
      return encode_snapshot(i->second->snapshot(now_of(self)));
    },
    [self](submit_order& o) {
      auto& st = self->state;
      ++st.processed;
      auto seq = ++st.next_pending;
      pending_order p;
      p.order = std::move(o);
      p.sender = caf::actor_cast<caf::actor>(self->current_sender());
      st.pending.emplace(seq, std::move(p));
      self->delayed_send(self, std::chrono::nanoseconds(st.latency->sample()),
                         caf::forward_atom_v, seq);
    },
    [self](cancel_order& c) {
      auto& st = self->state;
      ++st.processed;
      auto seq = ++st.next_pending;
      pending_order p;
      p.cancel = true;
      p.cancel_request = std::move(c);
      p.sender = caf::actor_cast<caf::actor>(self->current_sender());
      st.pending.emplace(seq, std::move(p));
      self->delayed_send(self, std::chrono::nanoseconds(st.latency->sample()),
                         caf::forward_atom_v, seq);
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
    // Recovery: this exchange lives and dies with the service, so an order
    // a previous run left open is gone with it.
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
      auto& st = self->state;
      ++st.processed;
      auto m = st.markets.find(c.symbol);
      if (m == st.markets.end())
        return;
      auto cid = client_order_id{std::strtoull(c.client_id.c_str(), nullptr, 10)};
      auto now = now_of(self);
      deliver(self, c.symbol, m->second->cancel(cid, now), now);
    },
    [self](cancel_all_atom) {
      auto& st = self->state;
      ++st.processed;
      auto owner = caf::actor_cast<caf::actor>(self->current_sender());
      auto now = now_of(self);
      uint64_t n = 0;
      for (auto& [symbol, cid] : orders_of(st.owners, owner)) {
        auto m = st.markets.find(symbol);
        if (m == st.markets.end())
          continue;
        auto reports = m->second->cancel(cid, now);
        for (auto& r : reports)
          if (r.what == exec_report::kind::canceled)
            ++n;
        deliver(self, symbol, reports, now);
      }
      return n;
    },
    [self](const spawn_symbol& s) -> caf::result<instrument_spec> {
      auto& st = self->state;
      ++st.processed;
      auto i = st.markets.find(s.symbol);
      if (i != st.markets.end())
        return i->second->spec();
      auto listing = st.params.default_symbol;
      listing.spec.symbol = s.symbol;
      listing.params.seed = std::hash<std::string>{}(s.symbol.str()) | 1u;
      return add_market(self, std::move(listing)).spec();
    },
    [self](const stop_symbol& s) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      ++st.processed;
      auto i = st.markets.find(s.symbol);
      if (i == st.markets.end())
        return caf::make_error(caf::sec::runtime_error,
                               "unknown symbol " + s.symbol.str());
      deliver(self, s.symbol, i->second->cancel_all(now_of(self)),
              now_of(self));
      st.markets.erase(i);
      st.funding.erase(s.symbol);
      st.log->info("symbol_delisted venue={} symbol={}", st.params.venue,
                   s.symbol);
      return caf::ok_atom_v;
    },
    [self](const inject_fault& f) {
      ++self->state.processed;
      auto what = inject(self, f);
      self->state.log->warn("fault_injected venue={} kind={} symbol={} "
                            "result=\"{}\"",
                            self->state.params.venue, f.kind, f.symbol, what);
      return what;
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        now_of(self) < st.stalled_until ? "stalled" : "running",
        own_mailbox_size(self), st.processed,
        "symbols=" + std::to_string(st.markets.size()) + " feeds="
          + std::to_string(st.feeds.size()) + " frames="
          + std::to_string(st.frames_sent) + " orders="
          + std::to_string(st.orders_in) + " fills="
          + std::to_string(st.fills_out)};
    },
  };
}

} // namespace

caf::actor spawn_exchange(caf::actor_system& sys, const std::string& path,
                          exchange_params params) {
  return sys.spawn(exchange_impl, path, std::move(params));
}

} // namespace agora::sim
