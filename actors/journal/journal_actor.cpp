#include "actors/journal/journal_actor.hpp"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/journal/checkpointer_actor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

/// How often an idle journal copies its WAL into the database.
constexpr auto checkpoint_period = std::chrono::milliseconds(250);
/// Writes after which a checkpoint is made even without an idle moment.
constexpr uint64_t checkpoint_writes = 50'000;

struct journal_state {
  journal_params params;
  std::string path;
  std::unique_ptr<journal::db> db;
  /// Durable writes of the open transaction, answered after its commit.
  std::vector<std::pair<caf::response_promise, bool>> acks;
  size_t batch = 0;          ///< Writes in the open transaction.
  bool flush_queued = false; ///< A flush marker is in the mailbox.
  uint64_t writes = 0;
  uint64_t commits = 0;
  uint64_t write_errors = 0;
  size_t largest_batch = 0;
  uint64_t checkpoints = 0;
  uint64_t writes_at_checkpoint = 0;
  uint64_t writes_at_tick = 0;
  nanos last_commit = 0;     ///< Duration of the last commit.
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "journal";

  /// Leaving: what is written is committed (nobody is told: the requesters
  /// are going too, or will time out and refuse to trade). CAF destroys the
  /// state in on_exit, before it runs attached functors, so this is the
  /// last moment the connection exists.
  ~journal_state() {
    if (db && db->in_transaction()) {
      try {
        db->commit();
      } catch (const journal::journal_error&) {
        db->rollback();
      }
    }
  }
};

using journal_actor = caf::stateful_actor<journal_state>;

nanos now_of(journal_actor* self) { return self->state.params.clock->now(); }

/// Gives up: every waiting request fails, trading halts, the actor ends
/// with the error so its supervisor reopens the file.
void fail(journal_actor* self, const std::string& what) {
  auto& st = self->state;
  st.log->critical("journal_failed path={} error=\"{}\"", st.params.open.path, what);
  for (auto& [rp, value] : st.acks)
    rp.deliver(caf::make_error(caf::sec::runtime_error, "journal: " + what));
  st.acks.clear();
  if (st.db)
    st.db->rollback();
  raise_alert(self, alert_level::critical, "journal",
              "journal write failed, trading halted: " + what, now_of(self));
  if (auto risk = well_known(self->system(), risk_name))
    caf::anon_send(risk, halt_trading{"journal failure: " + what, "journal"});
  self->quit(caf::make_error(caf::sec::runtime_error, "journal: " + what));
}

/// Commits the open transaction and answers the requests waiting on it.
void flush(journal_actor* self) {
  auto& st = self->state;
  if (!st.db || !st.db->in_transaction())
    return;
  auto t0 = now_of(self);
  try {
    st.db->commit();
  } catch (const journal::journal_error& e) {
    fail(self, e.what());
    return;
  }
  st.last_commit = now_of(self) - t0;
  ++st.commits;
  st.largest_batch = std::max(st.largest_batch, st.batch);
  st.batch = 0;
  for (auto& [rp, value] : st.acks)
    rp.deliver(value);
  st.acks.clear();
}

/// Opens a transaction if none is open, with a flush marker behind the
/// messages already queued (unless `deferred`: see defer_records).
bool ensure_transaction(journal_actor* self, bool deferred = false) {
  auto& st = self->state;
  if (!st.db)
    return false;
  if (!st.db->in_transaction()) {
    try {
      st.db->begin();
    } catch (const journal::journal_error& e) {
      fail(self, e.what());
      return false;
    }
  }
  if (!deferred && !st.flush_queued) {
    st.flush_queued = true;
    self->send(self, flush_atom_v);
  }
  return true;
}

void after_write(journal_actor* self) {
  auto& st = self->state;
  ++st.writes;
  if (++st.batch >= st.params.max_batch)
    flush(self);
}

/// A write nobody waits on: a failing statement is logged and counted.
template <class F>
void record(journal_actor* self, const char* what, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (!ensure_transaction(self, st.params.defer_records))
    return;
  try {
    f(*st.db);
  } catch (const journal::journal_error& e) {
    ++st.write_errors;
    st.log->error("journal_write_failed record={} error=\"{}\"", what, e.what());
  }
  after_write(self);
}

/// A durable write: answered after the commit that contains it.
template <class F>
caf::result<bool> durable(journal_actor* self, const char* what, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (!ensure_transaction(self))
    return caf::make_error(caf::sec::runtime_error, "journal not open");
  bool value = false;
  try {
    value = f(*st.db);
  } catch (const journal::journal_error& e) {
    ++st.write_errors;
    st.log->error("journal_write_failed record={} error=\"{}\"", what, e.what());
    return caf::make_error(caf::sec::runtime_error,
                           std::string{"journal: "} + e.what());
  }
  auto rp = self->make_response_promise();
  st.acks.emplace_back(rp, value);
  after_write(self);
  return rp;
}

/// A read; errors are answered, not fatal.
template <class T, class F>
caf::result<T> read(journal_actor* self, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (!st.db)
    return caf::make_error(caf::sec::runtime_error, "journal not open");
  try {
    return f(*st.db);
  } catch (const journal::journal_error& e) {
    st.log->error("journal_read_failed error=\"{}\"", e.what());
    return caf::make_error(caf::sec::runtime_error,
                           std::string{"journal: "} + e.what());
  }
}

std::vector<holding> as_holdings(const std::map<std::string, quantity>& m) {
  std::vector<holding> out;
  for (auto& [k, q] : m)
    out.push_back(holding{k, q});
  return out;
}

} // namespace

bool lower_to_batch_priority(std::string* error) {
  sched_param sp{};
  sp.sched_priority = 0;
  if (::sched_setscheduler(0, SCHED_BATCH, &sp) == 0)
    return true;
  if (error != nullptr)
    *error = std::strerror(errno);
  return false;
}

namespace {

caf::behavior journal_impl(journal_actor* self, std::string path,
                           journal_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("journal");
  install_hygiene(self, st.path, st.log);
  if (st.params.detached) {
    // Its own thread, woken by nearly every actor: as SCHED_BATCH a wake-up
    // never preempts the thread that woke it (a CAF worker on its way to
    // send an order), it waits for that thread's slice or an idle core.
    std::string err;
    if (!lower_to_batch_priority(&err))
      st.log->warn("journal_priority_unchanged error=\"{}\"", err);
  }
  auto opened = journal::db::open(st.params.open);
  if (!opened.journal) {
    st.log->critical("journal_open_failed path={} reason={} error=\"{}\"",
                     st.params.open.path, to_string(opened.failure), opened.error);
    raise_alert(self, alert_level::critical, "journal",
                "journal cannot be opened, trading halted: " + opened.error,
                now_of(self));
    if (auto risk = well_known(self->system(), risk_name))
      caf::anon_send(risk, halt_trading{"journal unavailable: " + opened.error, "journal"});
    self->quit(caf::make_error(caf::sec::runtime_error, opened.error));
    return {};
  }
  st.db = std::move(opened.journal);
  st.log->info("journal_open path={} version={} run={}", st.params.open.path,
               st.db->schema_version(), st.params.run);
  // Never inside the commit an order waits for: on the checkpointer's
  // thread, or (without it) when idle.
  try {
    st.db->set_auto_checkpoint(false);
  } catch (const journal::journal_error& e) {
    st.log->warn("journal_checkpoint_setting_failed error=\"{}\"", e.what());
  }
  // (Sync off opens the file with exclusive locking: no second connection.)
  if (st.params.checkpointer && st.params.open.sync != journal::sync_mode::off) {
    checkpointer_params cp;
    cp.path = st.params.open.path;
    cp.sync = st.params.open.sync;
    auto c = spawn_checkpointer(self->system(), std::move(cp));
    self->link_to(c); // goes with the journal
  } else {
    self->delayed_send(self, checkpoint_period, caf::tick_atom_v);
  }
  self->attach_functor([self](const caf::error&) {
    // The state is gone by now (see ~journal_state): only the actor itself
    // may be used here.
    // The registry's strong reference would keep this detached actor's
    // thread (and so the actor system's shutdown) waiting forever.
    auto& reg = self->system().registry();
    if (reg.get(journal_name) == self->ctrl())
      reg.erase(journal_name);
  });
  return {
    [self](caf::tick_atom) {
      auto& st = self->state;
      // Idle since the last tick (no write came in): copy the WAL into the
      // database now. Under constant load, at the latest every
      // `checkpoint_writes` writes (the WAL must not grow without bound).
      bool idle = st.params.checkpoint_when_idle && st.writes == st.writes_at_tick;
      bool pending = st.writes != st.writes_at_checkpoint;
      bool overdue = st.writes - st.writes_at_checkpoint >= checkpoint_writes;
      st.writes_at_tick = st.writes;
      if (st.db && !st.db->in_transaction() && pending && (idle || overdue)) {
        try {
          st.db->checkpoint();
          st.writes_at_checkpoint = st.writes;
          ++st.checkpoints;
        } catch (const journal::journal_error& e) {
          st.log->warn("journal_checkpoint_failed error=\"{}\"", e.what());
        }
      }
      self->delayed_send(self, checkpoint_period, caf::tick_atom_v);
    },
    [self](flush_atom) {
      self->state.flush_queued = false;
      flush(self);
    },
    // -- durable ----------------------------------------------------------
    [self](record_atom, const submit_order& o) -> caf::result<bool> {
      auto run = self->state.params.run;
      auto now = now_of(self);
      // Once: the gateway's intent log may hand it over again. False: the
      // client id is another order's (the first one's row stays).
      return durable(self, "order_new", [&](journal::db& db) {
        if (db.order_new_once(o, run, now) != journal::db::once::conflict)
          return true;
        self->state.log->error("order_cid_reused venue={} cid={} symbol={} qty={}: "
                               "the journal keeps the first order with this id",
                               o.venue, o.cid, o.symbol, o.qty);
        return false;
      });
    },
    [self](record_atom, const order_filled& f) -> caf::result<bool> {
      return durable(self, "fill", [&](journal::db& db) { return db.fill(f); });
    },
    // -- without waiting --------------------------------------------------
    [self](record_atom, const order_accepted& e) {
      record(self, "order_accepted", [&](journal::db& db) { db.order_accepted(e); });
    },
    [self](record_atom, const order_rejected& e) {
      record(self, "order_rejected", [&](journal::db& db) { db.order_rejected(e); });
    },
    [self](record_atom, const order_canceled& e) {
      record(self, "order_canceled", [&](journal::db& db) { db.order_canceled(e); });
    },
    [self](record_atom, const cancel_order& c) {
      record(self, "cancel_requested", [&](journal::db& db) { db.cancel_requested(c); });
    },
    [self](record_atom, const signal_record& s) {
      record(self, "signal", [&](journal::db& db) { db.signal(s); });
    },
    [self](record_atom, const bar_record& b) {
      auto keep = self->state.params.keep_bars;
      record(self, "bar", [&](journal::db& db) { db.bar(b, keep); });
    },
    [self](record_atom, const risk_event_record& r) {
      record(self, "risk_event", [&](journal::db& db) { db.risk_event(r); });
    },
    [self](record_atom, const alert_raised& a) {
      record(self, "alert", [&](journal::db& db) { db.alert(a); });
    },
    [self](record_atom, const restart_record& r) {
      record(self, "restart", [&](journal::db& db) { db.restart(r); });
    },
    [self](record_atom, const pnl_record& p) {
      record(self, "pnl", [&](journal::db& db) { db.pnl(p); });
    },
    [self](record_atom, const reconcile_record& r) {
      record(self, "reconcile", [&](journal::db& db) { db.reconcile(r); });
    },
    [self](record_atom, const holding_update& h) {
      record(self, "holding", [&](journal::db& db) {
        if (h.baseline)
          db.set_baseline(h.venue, h.key, h.qty, h.time);
        else
          db.add_adjustment(h.venue, h.key, h.qty, h.by, h.time);
      });
    },
    // -- reads --------------------------------------------------------------
    [self](recover_atom, const venue_id& venue) {
      return read<std::vector<adopt_order>>(self, [&](journal::db& db) {
        std::vector<adopt_order> out;
        for (auto& r : db.open_orders(venue)) {
          auto& v = r.view;
          submit_order o{v.cid, v.venue, v.symbol, v.sd,       v.type,    v.tif,
                         v.px,  v.qty,   r.reduce_only, v.strategy, v.created};
          out.push_back(adopt_order{std::move(o), v.oid, v.cum_qty});
        }
        return out;
      });
    },
    [self](recover_atom, const std::string& strategy, uint64_t n) {
      return read<std::vector<bar_record>>(
        self, [&](journal::db& db) { return db.bars(strategy, static_cast<size_t>(n)); });
    },
    [self](fills_atom, const std::string& strategy) {
      return read<std::vector<order_filled>>(self, [&](journal::db& db) {
        if (strategy.empty())
          return db.all_fills();
        journal::query q;
        q.strategy = strategy;
        q.limit = 0; // all of them
        auto mine = db.fills(q);
        std::reverse(mine.begin(), mine.end()); // oldest first
        return mine;
      });
    },
    [self](fills_atom, uint64_t limit) {
      return read<std::vector<order_filled>>(self, [&](journal::db& db) {
        journal::query q;
        q.limit = static_cast<size_t>(limit);
        return db.fills(q);
      });
    },
    [self](venue_atom, const venue_id& venue) {
      return read<journal_holdings>(self, [&](journal::db& db) {
        journal_holdings h;
        h.venue = venue;
        h.baselines = as_holdings(db.baselines(venue));
        h.adjustments = as_holdings(db.adjustments(venue));
        for (auto& [sym, q] : db.net_fills(venue))
          h.net_fills.push_back(holding{sym.str(), q});
        return h;
      });
    },
    [self](orders_atom, bool open_only, uint64_t limit) {
      return read<std::vector<order_view>>(self, [&](journal::db& db) {
        journal::query q;
        q.open_only = open_only;
        q.limit = static_cast<size_t>(limit);
        std::vector<order_view> out;
        for (auto& r : db.orders(q))
          out.push_back(std::move(r.view));
        return out;
      });
    },
    [self](signals_atom, bool blocked_only, uint64_t limit) {
      return read<std::vector<signal_record>>(self, [&](journal::db& db) {
        journal::query q;
        q.blocked_only = blocked_only;
        q.limit = static_cast<size_t>(limit);
        return db.signals(q);
      });
    },
    [self](pnl_atom, uint64_t limit) {
      return read<std::vector<pnl_record>>(self, [&](journal::db& db) {
        journal::query q;
        q.limit = static_cast<size_t>(limit);
        return db.pnl(q);
      });
    },
    [self](reconcile_atom, uint64_t limit) {
      return read<std::vector<reconcile_record>>(self, [&](journal::db& db) {
        journal::query q;
        q.limit = static_cast<size_t>(limit);
        return db.reconciles(q);
      });
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        st.db ? "open" : "closed", own_mailbox_size(self), st.processed,
        "writes=" + std::to_string(st.writes) + " commits=" + std::to_string(st.commits)
          + " largest_batch=" + std::to_string(st.largest_batch) + " last_commit_us="
          + std::to_string(st.last_commit / ns_per_us) + " errors="
          + std::to_string(st.write_errors) + " checkpoints=" + std::to_string(st.checkpoints)
          + " run=" + std::to_string(st.params.run)};
    },
  };
}

} // namespace

caf::actor spawn_journal(caf::actor_system& sys, const std::string& path,
                         journal_params params) {
  if (!params.detached)
    return sys.spawn(journal_impl, path, std::move(params));
  return sys.spawn<caf::detached>(journal_impl, path, std::move(params));
}

} // namespace agora
