#include "actors/gateway/gateway_actor.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway/order_rules.hpp"
#include "actors/gateway/order_tracker.hpp"
#include "actors/gateway/token_bucket.hpp"
#include "actors/journal/intent_codec.hpp"
#include "actors/journal/intent_log.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/crash_point.hpp"

namespace agora {

namespace {

struct gateway_state {
  gateway_params params;
  std::string path;
  caf::actor endpoint;
  std::map<symbol_id, instrument_spec> specs;
  std::unique_ptr<order_tracker> tracker;
  std::unique_ptr<token_bucket> bucket;
  std::unordered_map<client_order_id, caf::actor> owners;
  std::set<client_order_id> halt_cancels;
  trading_state state = trading_state::active; ///< Global scope.
  trading_state venue_state = trading_state::active; ///< This venue's scope.
  /// Per scope, the epoch of the last change applied: risk's re-send of a
  /// change since superseded (or one older than the status read at start)
  /// is acknowledged, not applied.
  std::map<std::string, uint64_t> scope_epochs;
  // Recovery and reconciliation (with a journal).
  std::set<client_order_id> adopting; ///< Orders of the last run not resolved yet.
  bool recovery_started = false;
  bool reconciling = false;
  bool forced_pending = false; ///< An accept came while a reconciliation was under way.
  nanos last_fill = 0;
  std::vector<reconcile_difference> seen_once; ///< A periodic mismatch waiting for confirmation.
  uint64_t orders_recovered = 0;
  uint64_t orphans_canceled = 0;
  uint64_t fills_recovered = 0;
  uint64_t reconciliations = 0;
  uint64_t submitted = 0;
  uint64_t rejected = 0;
  uint64_t fills = 0;
  uint64_t processed = 0;
  // The intent log (with `params.intent_dir`).
  std::unique_ptr<journal::intent_log> intents;
  std::string intents_error;             ///< Why it is not open.
  std::vector<uint64_t> replay;          ///< The last run's records, for SQLite first.
  /// The last run's first record this build cannot read (0: none): the log
  /// is never released past it, so nothing is dropped unread.
  uint64_t held_from = 0;
  struct pending_intent {
    journal::intent x;
    bool in_flight = false;
  };
  std::map<uint64_t, pending_intent> unconfirmed; ///< Logged, SQLite has not confirmed.
  /// Intents SQLite failed to take (or no journal was there to take them):
  /// sent again at each store tick, and every later journal write waits
  /// behind them, so SQLite sees an order before its accept.
  std::set<uint64_t> failed;
  std::vector<char> intent_buffer;
  /// What waits for the next store tick, in order: logged intents (seq)
  /// and the journal writes made after them (kept behind them, so SQLite
  /// sees an order before its accept, its fills before its cancel).
  struct queued_write {
    uint64_t seq = 0;               ///< A logged intent, or 0:
    std::function<void()> write;    ///< a write to send as it is.
  };
  std::vector<queued_write> to_store;
  caf::actor_system* sys = nullptr;
  /// Leaving: what still waits goes to the journal now, in order (intents
  /// unconfirmed; the next start hands them over again, idempotently).
  ~gateway_state() {
    if (sys == nullptr || (to_store.empty() && failed.empty()))
      return;
    auto journal = well_known(*sys, journal_name);
    if (!journal)
      return;
    auto send_intent = [&](uint64_t seq) {
      auto i = unconfirmed.find(seq);
      if (i == unconfirmed.end() || i->second.in_flight)
        return;
      i->second.in_flight = true;
      std::visit([&](const auto& v) { caf::anon_send(journal, record_atom_v, v); },
                 i->second.x);
    };
    for (auto seq : failed)
      send_intent(seq);
    for (auto& w : to_store)
      if (w.seq != 0)
        send_intent(w.seq);
      else
        w.write();
  }
  bool store_tick_armed = false;
  bool intents_failing = false;          ///< The last append failed (alerted once).
  uint64_t intent_appends = 0;
  uint64_t intent_failures = 0;
  uint64_t confirmed_since_release = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "gateway";
};

using gateway_actor = caf::stateful_actor<gateway_state>;

nanos now_of(gateway_actor* self) { return self->state.params.clock->now(); }

caf::actor journal_of(gateway_actor* self) {
  return well_known(self->system(), journal_name);
}

/// A journal write nobody waits on, in order with the intents waiting for
/// the next store tick (see store_soon): sent at once when none waits.
template <class Record>
void journal_write(gateway_actor* self, Record&& r) {
  auto& st = self->state;
  if (st.to_store.empty() && st.failed.empty()) {
    // Anonymous: a record the journal answers (a fill) is not answered here.
    if (auto j = journal_of(self))
      caf::anon_send(j, record_atom_v, std::forward<Record>(r));
    return;
  }
  // Without `self`: the state's destructor sends what is left.
  st.to_store.push_back(gateway_state::queued_write{
    0, [sys = &self->system(), x = std::decay_t<Record>(std::forward<Record>(r))]() mutable {
      if (auto j = well_known(*sys, journal_name))
        caf::anon_send(j, record_atom_v, std::move(x));
    }});
}

void to_risk(gateway_actor* self, caf::message msg) {
  if (auto risk = well_known(self->system(), risk_name))
    self->send(risk, std::move(msg));
}

void reject(gateway_actor* self, const caf::actor& owner,
            const submit_order& o, reject_reason why, std::string detail) {
  auto& st = self->state;
  ++st.rejected;
  auto now = now_of(self);
  order_rejected e{o.cid, o.venue, o.symbol, why, std::move(detail),
                   o.strategy, now, now};
  st.log->info("order_rejected venue={} symbol={} cid={} reason={} "
               "detail=\"{}\" strategy={}",
               o.venue, o.symbol, o.cid, why, e.detail, o.strategy);
  if (owner)
    self->send(owner, e);
  if (st.params.journal)
    journal_write(self, e);
  to_risk(self, caf::make_message(std::move(e)));
}

template <class Event>
void fan_out(gateway_actor* self, const Event& e, bool terminal) {
  auto& st = self->state;
  auto i = st.owners.find(e.cid);
  if (i != st.owners.end()) {
    if (i->second)
      self->send(i->second, e);
    if (terminal)
      st.owners.erase(i);
  }
  to_risk(self, caf::make_message(e));
}

/// Which resting orders a cancel covers: all, one symbol's, or one
/// strategy's.
struct order_filter {
  const symbol_id* symbol = nullptr;
  const std::string* strategy = nullptr;

  bool matches(const order_view& o) const {
    return (!symbol || o.symbol == *symbol) && (!strategy || o.strategy == *strategy);
  }
};

uint64_t cancel_open(gateway_actor* self, bool for_halt,
                     const symbol_id* only = nullptr,
                     const std::string* strategy = nullptr) {
  auto& st = self->state;
  uint64_t n = 0;
  auto now = now_of(self);
  order_filter filter{only, strategy};
  for (auto& o : st.tracker->open_orders()) {
    if (!filter.matches(o))
      continue;
    if (o.status == order_status::pending_cancel)
      continue;
    if (st.tracker->on_cancel_requested(o.cid, now) != track_outcome::ok)
      continue;
    if (for_halt)
      st.halt_cancels.insert(o.cid);
    if (st.endpoint)
      self->send(st.endpoint,
                 cancel_order{o.cid, o.venue, o.symbol, o.strategy, now});
    ++n;
  }
  return n;
}

// -- the intent log ------------------------------------------------------------

/// Records up to the oldest one SQLite has not confirmed are released
/// (`force`: now; else every 256 confirmations, the mark being a pwrite).
void release_intents(gateway_actor* self, bool force) {
  auto& st = self->state;
  if (!st.intents || (!force && st.confirmed_since_release < 256))
    return;
  st.confirmed_since_release = 0;
  auto upto = st.unconfirmed.empty() ? st.intents->next_seq() - 1
                                     : st.unconfirmed.begin()->first - 1;
  if (st.held_from != 0)
    upto = std::min(upto, st.held_from - 1);
  std::string err;
  if (!st.intents->release(upto, &err))
    st.log->warn("intent_release_failed venue={} error=\"{}\"", st.params.venue, err);
}

/// How long a logged intent waits before it goes to SQLite: intents logged
/// meanwhile go together, so the journal's thread is woken once per tick
/// and never inside the tick-to-order path (a woken thread tends to run on
/// the waker's core, and a commit there delays the order by its length).
constexpr auto store_delay = std::chrono::milliseconds(1);
/// The next attempt after SQLite failed to take an intent (or was absent).
constexpr auto store_retry_delay = std::chrono::milliseconds(200);

void arm_store_tick(gateway_actor* self, std::chrono::milliseconds delay) {
  auto& st = self->state;
  if (st.store_tick_armed)
    return;
  st.store_tick_armed = true;
  self->delayed_send(self, delay, flush_atom_v);
}

/// Hands a logged intent to SQLite (the journal actor), asynchronously;
/// released once the journal confirms its commit. If it fails, it is sent
/// again at the next store tick and every later write waits behind it.
void store_intent(gateway_actor* self, const caf::actor& journal, uint64_t seq) {
  auto& st = self->state;
  auto i = st.unconfirmed.find(seq);
  if (i == st.unconfirmed.end() || i->second.in_flight)
    return;
  i->second.in_flight = true;
  auto on_ok = [self, seq](bool stored) {
    auto& st = self->state;
    auto i = st.unconfirmed.find(seq);
    if (i == st.unconfirmed.end())
      return;
    if (!stored && std::holds_alternative<submit_order>(i->second.x)) {
      auto& o = std::get<submit_order>(i->second.x);
      st.log->critical("intent_cid_reused venue={} cid={} seq={}: SQLite keeps another "
                       "order under this client id",
                       st.params.venue, o.cid, seq);
      raise_alert(self, alert_level::critical, st.path,
                  "client order id " + std::to_string(o.cid.value)
                    + " reused: the journal keeps the first order with it",
                  now_of(self));
    }
    st.unconfirmed.erase(i);
    ++st.confirmed_since_release;
    if (st.failed.erase(seq) > 0 && st.failed.empty() && !st.to_store.empty())
      arm_store_tick(self, std::chrono::milliseconds(0));
    release_intents(self, false);
  };
  auto on_error = [self, seq](caf::error& err) {
    auto& st = self->state;
    auto i = st.unconfirmed.find(seq);
    if (i == st.unconfirmed.end())
      return;
    i->second.in_flight = false;
    if (st.failed.insert(seq).second)
      st.log->warn("intent_not_stored venue={} seq={} error=\"{}\": kept in the intent "
                   "log, sent again; later journal writes wait behind it",
                   st.params.venue, seq, self->system().render(err));
    arm_store_tick(self, store_retry_delay);
  };
  std::visit(
    [&](const auto& v) {
      self->request(journal, std::chrono::seconds(30), record_atom_v, v)
        .then(on_ok, on_error);
    },
    i->second.x);
}

/// The store tick: intents SQLite failed to take go again; once none is
/// failing, what waits goes in order. Without a journal everything waits.
void flush_store(gateway_actor* self) {
  auto& st = self->state;
  auto journal = journal_of(self);
  if (!journal) {
    for (auto& w : st.to_store)
      if (w.seq != 0)
        st.failed.insert(w.seq); // nothing later overtakes them
    if (!st.to_store.empty() || !st.failed.empty())
      arm_store_tick(self, store_retry_delay);
    return;
  }
  if (!st.failed.empty()) {
    for (auto seq : st.failed)
      store_intent(self, journal, seq);
    return; // the queue goes once they are confirmed
  }
  auto batch = std::move(st.to_store);
  st.to_store.clear();
  for (auto& w : batch)
    if (w.seq != 0)
      store_intent(self, journal, w.seq);
    else
      w.write();
}

/// Queues a logged intent for the next store tick.
void store_soon(gateway_actor* self, uint64_t seq) {
  self->state.to_store.push_back(gateway_state::queued_write{seq, {}});
  arm_store_tick(self, store_delay);
}

/// Writes an intent to the log in-line: its sequence number, or 0 with
/// `error` set (the log is not open, the disk is full, ...). The first
/// failure of a run of them raises a CRITICAL alert. A record written but
/// not synced (`journal.sync: full`) is not durable: 0, but it still goes
/// to SQLite (the refusal follows it there) and a replay finds it there.
uint64_t log_intent(gateway_actor* self, journal::intent x, std::string* error) {
  auto& st = self->state;
  crash_point("before_log");
  uint64_t seq = 0;
  bool durable = false;
  if (!st.intents) {
    *error = "intent log not open: " + st.intents_error;
  } else {
    journal::encode_intent(x, st.intent_buffer);
    seq = st.intents->append(journal::kind_of(x),
                             std::string_view{st.intent_buffer.data(), st.intent_buffer.size()},
                             error);
    durable = seq != 0 && (!st.params.intent_sync || st.intents->sync(error));
  }
  if (seq != 0) {
    st.unconfirmed.emplace(seq, gateway_state::pending_intent{std::move(x), false});
    if (!durable)
      store_soon(self, seq);
  }
  if (!durable) {
    ++st.intent_failures;
    if (!st.intents_failing) {
      st.intents_failing = true;
      st.log->critical("intent_log_failed venue={} error=\"{}\"", st.params.venue, *error);
      raise_alert(self, alert_level::critical, st.path,
                  "intent log write failed, orders refused (JOURNAL_UNAVAILABLE): " + *error,
                  now_of(self));
    }
    return 0;
  }
  if (st.intents_failing) {
    st.intents_failing = false;
    st.log->warn("intent_log_recovered venue={} failures={}", st.params.venue,
                 st.intent_failures);
    raise_alert(self, alert_level::info, st.path, "intent log writable again", now_of(self));
  }
  ++st.intent_appends;
  crash_point("after_log");
  return seq;
}

/// Opens the intent log. What the last run left past its mark is
/// unconfirmed from the start (nothing releases it before SQLite has it)
/// and waits in `replay` for recovery to hand it to SQLite first.
void open_intents(gateway_actor* self) {
  auto& st = self->state;
  journal::intent_log_options o;
  o.dir = st.params.intent_dir;
  o.segment_bytes = st.params.intent_segment_bytes;
  o.sync_files = st.params.intent_sync;
  journal::intent_recovery r;
  std::string err;
  st.intents = journal::intent_log::open(o, &r, &err);
  if (!st.intents) {
    st.intents_error = err;
    st.log->critical("intent_log_open_failed venue={} error=\"{}\"", st.params.venue, err);
    raise_alert(self, alert_level::critical, st.path,
                "intent log cannot be opened, orders refused (JOURNAL_UNAVAILABLE): " + err,
                now_of(self));
    return;
  }
  // What the hand-over at start (prepare_journal) found, then this open.
  r.warnings.insert(r.warnings.begin(), st.params.intent_warnings.begin(),
                    st.params.intent_warnings.end());
  for (auto& w : r.warnings) {
    st.log->warn("intent_log_recovery venue={} warning=\"{}\"", st.params.venue, w);
    raise_alert(self, alert_level::warning, st.path, "intent log: " + w, now_of(self));
  }
  for (auto& rec : r.records) {
    std::string why;
    auto x = journal::decode_intent(rec, &why);
    if (!x) {
      if (st.held_from == 0)
        st.held_from = rec.seq;
      st.log->error("intent_unreadable venue={} seq={} error=\"{}\": kept in the log, "
                    "which is not released past it",
                    st.params.venue, rec.seq, why);
      raise_alert(self, alert_level::critical, st.path,
                  "intent log record " + std::to_string(rec.seq) + " unreadable (kept): "
                    + why,
                  now_of(self));
      continue;
    }
    st.unconfirmed.emplace(rec.seq, gateway_state::pending_intent{std::move(*x), false});
    st.replay.push_back(rec.seq);
  }
  st.log->info("intent_log_open venue={} dir={} next_seq={} released={} to_store={} "
               "dropped_bytes={}",
               st.params.venue, o.dir, st.intents->next_seq(), r.released, st.replay.size(),
               r.dropped_bytes);
}

/// Recovery's first step: the log's records SQLite may not have go to the
/// journal, ahead of the recover request (the journal takes them in order).
void replay_intents(gateway_actor* self, const caf::actor& journal) {
  auto& st = self->state;
  if (st.replay.empty())
    return;
  uint64_t orders = 0;
  uint64_t fills = 0;
  for (auto seq : st.replay) {
    auto i = st.unconfirmed.find(seq);
    if (i == st.unconfirmed.end())
      continue;
    (std::holds_alternative<submit_order>(i->second.x) ? orders : fills) += 1;
    crash_point("replay");
    store_intent(self, journal, seq);
  }
  st.log->info("intent_log_replayed venue={} orders={} fills={}", st.params.venue, orders,
               fills);
  st.replay.clear();
}

/// Sends a checked, tracked (and journaled) order to the venue.
void dispatch(gateway_actor* self, const caf::actor& owner, submit_order o) {
  auto& st = self->state;
  auto now = now_of(self);
  if (!st.endpoint) {
    st.tracker->on_rejected(order_rejected{o.cid, o.venue, o.symbol,
                                           reject_reason::venue_unavailable,
                                           "", o.strategy, now, now});
    st.owners.erase(o.cid);
    reject(self, owner, o, reject_reason::venue_unavailable,
           "order entry not connected");
    return;
  }
  self->send(st.endpoint, std::move(o));
}

/// The journal could not take the order: it does not leave.
void not_journaled(gateway_actor* self, const caf::actor& owner,
                   const submit_order& o, const std::string& why) {
  auto& st = self->state;
  auto now = now_of(self);
  st.tracker->on_rejected(order_rejected{o.cid, o.venue, o.symbol,
                                         reject_reason::journal_unavailable, why,
                                         o.strategy, now, now});
  st.owners.erase(o.cid);
  st.log->error("order_not_journaled venue={} cid={} error=\"{}\"", o.venue, o.cid, why);
  reject(self, owner, o, reject_reason::journal_unavailable, "not journaled: " + why);
}

/// Halts trading: a fill the journal could not take was acted on anyway
/// (the venue has it; leaving it out of positions would be worse).
void fill_not_journaled(gateway_actor* self, const order_filled& e, const std::string& why) {
  auto& st = self->state;
  st.log->critical("fill_not_journaled venue={} cid={} tid={} qty={} error=\"{}\"",
                   e.venue, e.cid, e.tid, e.fill_qty, why);
  raise_alert(self, alert_level::critical, st.path,
              "fill of order " + std::to_string(e.cid.value) + " not journaled: " + why,
              now_of(self));
  if (auto risk = well_known(self->system(), risk_name))
    caf::anon_send(risk, halt_trading{"fill not journaled: " + why, st.path});
}

void adoption_resolved(gateway_actor* self, client_order_id cid);

/// Acts on a fill: the owner, risk, and recovery bookkeeping.
void act_on_fill(gateway_actor* self, const order_filled& e) {
  auto& st = self->state;
  ++st.fills;
  st.log->info("order_filled venue={} symbol={} cid={} side={} px={} "
               "qty={} cum={} leaves={} fee={} liq={} strategy={}",
               e.venue, e.symbol, e.cid, e.sd, e.fill_px, e.fill_qty,
               e.cum_qty, e.leaves_qty, e.fee, e.liq, e.strategy);
  fan_out(self, e, e.leaves_qty.is_zero());
  if (e.leaves_qty.is_zero())
    adoption_resolved(self, e.cid);
}

// -- recovery and reconciliation ----------------------------------------------

enum class reconcile_mode { startup, periodic, forced };

using state_handler = std::function<void(venue_state_report&, journal_holdings&)>;
using error_handler = std::function<void(const std::string&)>;

/// Reads the venue's account, then what the journal expects of it.
void read_both(gateway_actor* self, state_handler on_ok, error_handler on_error) {
  auto& st = self->state;
  auto journal = journal_of(self);
  if (!st.endpoint || !journal) {
    on_error(!st.endpoint ? "order entry not connected" : "journal not running");
    return;
  }
  self->request(st.endpoint, std::chrono::seconds(15), venue_atom_v)
    .then(
      [self, journal, on_ok, on_error](venue_state_report& vs) {
        // Risk's flip guard compares the venue's positions with its own.
        to_risk(self, caf::make_message(vs));
        self->request(journal, std::chrono::seconds(10), venue_atom_v,
                      self->state.params.venue)
          .then([vs, on_ok](journal_holdings& jh) mutable { on_ok(vs, jh); },
                [self, on_error](caf::error& err) {
                  on_error("journal: " + self->system().render(err));
                });
      },
      [self, on_error](caf::error& err) {
        on_error("venue: " + self->system().render(err));
      });
}

/// Expected holdings per key: baseline + our net fills + adjustments of the
/// symbols that move it. Baselines missing for a key with no history are
/// taken from the venue (journaled).
std::vector<reconcile_difference>
compare_holdings(gateway_actor* self, const venue_state_report& vs,
                 const journal_holdings& jh, bool record_baselines) {
  auto& st = self->state;
  auto now = now_of(self);
  std::map<std::string, quantity> baseline, actual, per_symbol;
  for (auto& h : jh.baselines)
    baseline[h.key] = h.qty;
  for (auto& h : vs.holdings)
    actual[h.key] = h.qty;
  std::map<std::string, bool> history;
  for (auto& h : jh.net_fills) {
    per_symbol[h.key] = per_symbol[h.key] + h.qty;
    history[h.key] = true;
  }
  for (auto& h : jh.adjustments) {
    per_symbol[h.key] = per_symbol[h.key] + h.qty;
    history[h.key] = true;
  }
  std::map<std::string, std::vector<std::string>> symbols_of;
  for (auto& sk : vs.symbol_keys)
    symbols_of[sk.key].push_back(sk.symbol.str());
  std::vector<reconcile_difference> diffs;
  for (auto& [key, symbols] : symbols_of) {
    bool has_history = false;
    quantity ours;
    for (auto& sym : symbols) {
      has_history = has_history || history[sym];
      ours = ours + per_symbol[sym];
    }
    auto b = baseline.find(key);
    if (b == baseline.end()) {
      if (!has_history && record_baselines) {
        journal_write(self, holding_update{st.params.venue, key, actual[key], true,
                                        "reconcile", now});
        journal_write(self, reconcile_record{now, st.params.venue, "baseline", key,
                                          actual[key], actual[key],
                                          "first sight of this holding", "reconcile"});
        st.log->info("reconcile_baseline venue={} key={} qty={}", st.params.venue, key,
                     actual[key]);
        continue;
      }
      b = baseline.emplace(key, quantity{}).first;
    }
    auto expected = b->second + ours;
    if (expected != actual[key])
      diffs.push_back(reconcile_difference{st.params.venue, key, expected, actual[key]});
  }
  return diffs;
}

bool same(const std::vector<reconcile_difference>& a,
          const std::vector<reconcile_difference>& b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].key != b[i].key || a[i].expected != b[i].expected
        || a[i].actual != b[i].actual)
      return false;
  return true;
}

/// True while an order is between us and the venue (holdings may be moving).
bool in_flight(gateway_actor* self) {
  for (auto& o : self->state.tracker->open_orders())
    if (o.status == order_status::pending_new || o.status == order_status::pending_cancel)
      return true;
  return false;
}

void report(gateway_actor* self, reconcile_report r) {
  auto& st = self->state;
  ++st.reconciliations;
  if (!r.complete)
    st.log->warn("reconcile_incomplete venue={} startup={} error=\"{}\"", st.params.venue,
                 r.startup, r.error);
  else
    st.log->info("reconciled venue={} startup={} differences={} orphans_canceled={} "
                 "orders_recovered={} fills_recovered={}",
                 st.params.venue, r.startup, r.differences.size(), r.orphans_canceled,
                 r.orders_recovered, r.fills_recovered);
  for (auto& d : r.differences)
    st.log->error("reconcile_mismatch venue={} key={} journal={} venue_holds={}",
                  st.params.venue, d.key, d.expected, d.actual);
  to_risk(self, caf::make_message(std::move(r)));
}

void reconcile(gateway_actor* self, reconcile_mode mode) {
  auto& st = self->state;
  if (!st.params.journal)
    return;
  if (st.reconciling) {
    // One is under way; an operator's accept must not wait a whole period.
    if (mode == reconcile_mode::forced)
      st.forced_pending = true;
    return;
  }
  st.reconciling = true;
  auto startup = mode == reconcile_mode::startup;
  read_both(
    self,
    [self, mode, startup](venue_state_report& vs, journal_holdings& jh) {
      auto& st = self->state;
      st.reconciling = false;
      if (std::exchange(st.forced_pending, false)) {
        reconcile(self, reconcile_mode::forced); // read afresh after the accept
        return;
      }
      auto now = now_of(self);
      reconcile_report r;
      r.venue = st.params.venue;
      r.time = now;
      r.complete = true;
      r.startup = startup;
      r.orders_recovered = st.orders_recovered;
      r.fills_recovered = st.fills_recovered;
      // Orphans: resting there, not a live order of ours here.
      for (auto& vo : vs.open_orders) {
        auto* known = vo.cid.valid() ? st.tracker->find(vo.cid) : nullptr;
        if (known && !is_terminal(known->status))
          continue;
        if (st.endpoint)
          self->send(st.endpoint, cancel_orphan{st.params.venue, vo.symbol, vo.oid,
                                                vo.client_id});
        ++r.orphans_canceled;
        ++st.orphans_canceled;
        st.log->warn("orphan_order_canceled venue={} symbol={} client_id={} oid={} "
                     "side={} px={} qty={}",
                     st.params.venue, vo.symbol, vo.client_id, vo.oid, vo.sd, vo.px, vo.qty);
        journal_write(self, reconcile_record{
                           now, st.params.venue, "orphan_canceled", vo.symbol.str(),
                           vo.qty, vo.cum_qty,
                           "client_id=" + vo.client_id + " oid=" + std::to_string(vo.oid.value)
                             + " side=" + std::string{to_string(vo.sd)}
                             + " px=" + vo.px.to_string(),
                           "reconcile"});
      }
      if (!st.adopting.empty()) {
        r.complete = false;
        r.error = std::to_string(st.adopting.size())
                  + " order(s) of the last run not resolved with the venue yet";
        report(self, std::move(r));
        return;
      }
      if (!vs.keeps_account) {
        report(self, std::move(r));
        return;
      }
      if (mode == reconcile_mode::periodic
          && (in_flight(self) || now - st.last_fill < st.params.quiet_before_compare))
        return; // holdings may be moving: next round
      r.differences = compare_holdings(self, vs, jh, true);
      if (mode == reconcile_mode::periodic && !r.differences.empty()
          && !same(r.differences, st.seen_once)) {
        st.seen_once = r.differences; // confirm on the next round
        return;
      }
      st.seen_once.clear();
      for (auto& d : r.differences)
        journal_write(self, reconcile_record{now, st.params.venue, "mismatch", d.key, d.expected,
                                          d.actual, "", "reconcile"});
      if (startup && r.differences.empty())
        journal_write(self, reconcile_record{now, st.params.venue, "matched", "", {}, {},
                                          "startup reconciliation", "reconcile"});
      report(self, std::move(r));
    },
    [self, startup](const std::string& why) {
      auto& st = self->state;
      st.reconciling = false;
      if (std::exchange(st.forced_pending, false)) {
        reconcile(self, reconcile_mode::forced);
        return;
      }
      reconcile_report r;
      r.venue = st.params.venue;
      r.time = now_of(self);
      r.startup = startup;
      r.error = why;
      report(self, std::move(r));
    });
}

/// An adopted order reached a terminal state.
void adoption_resolved(gateway_actor* self, client_order_id cid) {
  auto& st = self->state;
  if (st.adopting.erase(cid) == 0 || !st.adopting.empty())
    return;
  st.log->info("recovery_orders_resolved venue={} recovered={}", st.params.venue,
               st.orders_recovered);
  reconcile(self, reconcile_mode::startup);
}

/// Start-up: take over what the last run left open, then reconcile.
void start_recovery(gateway_actor* self) {
  auto& st = self->state;
  if (!st.params.journal || st.recovery_started)
    return;
  st.recovery_started = true;
  auto journal = journal_of(self);
  if (!journal) {
    reconcile_report r;
    r.venue = st.params.venue;
    r.time = now_of(self);
    r.startup = true;
    r.error = "journal not running";
    report(self, std::move(r));
    st.recovery_started = false;
    return;
  }
  replay_intents(self, journal);
  self->request(journal, std::chrono::seconds(10), recover_atom_v, st.params.venue)
    .then(
      [self](std::vector<adopt_order>& orders) {
        auto& st = self->state;
        auto now = now_of(self);
        for (auto& a : orders) {
          auto status = a.cum_qty.is_positive() ? order_status::partially_filled
                        : a.oid.valid()         ? order_status::accepted
                                                : order_status::pending_new;
          if (st.tracker->adopt(a.order, a.oid, a.cum_qty, status, now) != track_outcome::ok)
            continue;
          st.adopting.insert(a.order.cid);
          ++st.orders_recovered;
          st.log->warn("order_recovered venue={} symbol={} cid={} oid={} cum={} qty={} "
                       "strategy={}: asking the venue, cancelling if live",
                       a.order.venue, a.order.symbol, a.order.cid, a.oid, a.cum_qty,
                       a.order.qty, a.order.strategy);
          journal_write(self, reconcile_record{now, st.params.venue, "order_recovered",
                                            a.order.symbol.str(), a.order.qty, a.cum_qty,
                                            "cid=" + std::to_string(a.order.cid.value),
                                            "recovery"});
          if (st.endpoint) {
            self->send(st.endpoint, a);
            st.tracker->on_cancel_requested(a.order.cid, now);
            cancel_order c{a.order.cid, a.order.venue, a.order.symbol, a.order.strategy, now};
            journal_write(self, c);
            self->send(st.endpoint, std::move(c));
          }
        }
        if (st.adopting.empty())
          reconcile(self, reconcile_mode::startup);
      },
      [self](caf::error& err) {
        auto& st = self->state;
        st.recovery_started = false;
        reconcile_report r;
        r.venue = st.params.venue;
        r.time = now_of(self);
        r.startup = true;
        r.error = "journal: " + self->system().render(err);
        report(self, std::move(r));
      });
}

caf::behavior gateway_impl(gateway_actor* self, std::string path,
                           gateway_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("gateway");
  install_hygiene(self, st.path, st.log);
  st.tracker = std::make_unique<order_tracker>(st.params.keep_finished);
  st.bucket = std::make_unique<token_bucket>(
    st.params.burst, st.params.orders_per_minute / 60.0, now_of(self));
  st.sys = &self->system();
  if (st.params.journal && !st.params.intent_dir.empty())
    open_intents(self);
  self->request(st.params.directory, std::chrono::seconds(5), lookup_atom_v,
                st.params.endpoint_path)
    .await(
      [self](caf::actor& ep) {
        auto& st = self->state;
        if (!ep) {
          self->quit(caf::make_error(caf::sec::runtime_error,
                                     "order entry not found: "
                                       + st.params.endpoint_path));
          return;
        }
        st.endpoint = ep;
        self->monitor(ep);
        self->request(ep, std::chrono::seconds(5), spec_atom_v)
          .await(
            [self](std::vector<instrument_spec>& specs) {
              for (auto& s : specs)
                self->state.specs[s.symbol] = s;
              self->state.log->info("gateway_ready venue={} instruments={}",
                                    self->state.params.venue, specs.size());
              start_recovery(self);
            },
            [self](caf::error& err) { self->quit(std::move(err)); });
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
  if (auto risk = well_known(self->system(), risk_name))
    self->request(risk, std::chrono::seconds(5), status_atom_v)
      .await(
        [self](status_report& r) {
          auto& st = self->state;
          st.state = r.state;
          st.scope_epochs[trading_scope{}.to_string()] = r.state_epoch;
          st.scope_epochs[trading_scope{scope_kind::venue, st.params.venue.str()}.to_string()]
            = r.state_epoch;
          for (auto& x : r.scopes)
            if (x.scope.kind == scope_kind::venue && x.scope.name == st.params.venue.str())
              st.venue_state = x.state;
        },
             [](caf::error&) { /* risk not up: stay ACTIVE, risk will tell */ });
  if (st.params.journal)
    self->delayed_send(self, std::chrono::nanoseconds(st.params.reconcile_interval),
                       reconcile_atom_v);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.endpoint && msg.source == st.endpoint.address())
      self->quit(caf::make_error(caf::sec::runtime_error,
                                 "order entry endpoint went down"));
  });
  return {
    [self](submit_order& o) {
      auto& st = self->state;
      ++st.processed;
      auto owner = caf::actor_cast<caf::actor>(self->current_sender());
      auto now = now_of(self);
      if (st.state == trading_state::halted
          || st.venue_state == trading_state::halted) {
        reject(self, owner, o, reject_reason::trading_halted,
               st.state == trading_state::halted ? "gateway halted"
                                                 : "gateway halted (venue scope)");
        return;
      }
      auto spec = st.specs.find(o.symbol);
      if (spec == st.specs.end()) {
        reject(self, owner, o, reject_reason::unknown_symbol,
               "no instrument spec for " + o.symbol.str());
        return;
      }
      if (!st.bucket->try_take(now)) {
        reject(self, owner, o, reject_reason::rate_limited,
               "order rate above " + std::to_string(st.params.orders_per_minute)
                 + "/min");
        return;
      }
      auto r = apply_instrument_rules(o, spec->second);
      if (!r.ok) {
        reject(self, owner, o, r.reason, r.detail);
        return;
      }
      o.px = r.px;
      o.qty = r.qty;
      if (st.tracker->on_new(o, now) != track_outcome::ok) {
        reject(self, owner, o, reject_reason::duplicate_client_id,
               "client order id already live");
        return;
      }
      st.owners[o.cid] = owner;
      ++st.submitted;
      st.log->info("order_submitted venue={} symbol={} cid={} side={} type={} "
                   "tif={} px={} qty={} strategy={}",
                   o.venue, o.symbol, o.cid, o.sd, o.type, o.tif, o.px, o.qty,
                   o.strategy);
      if (!st.params.journal) {
        dispatch(self, owner, std::move(o));
        return;
      }
      if (!st.params.intent_dir.empty()) {
        // Durable before it leaves: in the intent log, in-line; SQLite
        // follows.
        std::string err;
        auto seq = log_intent(self, o, &err);
        if (seq == 0) {
          not_journaled(self, owner, o, err);
          return;
        }
        dispatch(self, owner, std::move(o));
        crash_point("after_send");
        store_soon(self, seq);
        return;
      }
      // Durable before it leaves: nothing else is handled meanwhile, so a
      // cancel or a halt cannot overtake the order.
      auto journal = journal_of(self);
      if (!journal) {
        not_journaled(self, owner, o, "journal not running");
        return;
      }
      self->request(journal, std::chrono::seconds(5), record_atom_v, o)
        .await([self, owner, o](bool) { dispatch(self, owner, o); },
               [self, owner, o](caf::error& err) {
                 not_journaled(self, owner, o, self->system().render(err));
               });
    },
    [self](cancel_order& c) {
      auto& st = self->state;
      ++st.processed;
      auto now = now_of(self);
      auto outcome = st.tracker->on_cancel_requested(c.cid, now);
      if (outcome != track_outcome::ok) {
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (sender)
          self->send(sender, order_rejected{c.cid, c.venue, c.symbol,
                                            reject_reason::unknown_order,
                                            std::string{"cancel: "}
                                              + to_string(outcome),
                                            c.strategy, now, now});
        return;
      }
      st.log->info("cancel_submitted venue={} symbol={} cid={} strategy={}",
                   c.venue, c.symbol, c.cid, c.strategy);
      if (st.params.journal)
        journal_write(self, c);
      if (st.endpoint)
        self->send(st.endpoint, std::move(c));
    },
    [self](order_accepted& e) {
      auto& st = self->state;
      ++st.processed;
      if (st.tracker->on_accepted(e) != track_outcome::ok)
        return;
      st.log->info("order_accepted venue={} symbol={} cid={} oid={} px={} "
                   "qty={}",
                   e.venue, e.symbol, e.cid, e.oid, e.px, e.qty);
      if (st.params.journal)
        journal_write(self, e);
      fan_out(self, e, false);
    },
    [self](order_rejected& e) {
      auto& st = self->state;
      ++st.processed;
      auto now = now_of(self);
      auto* known = st.tracker->find(e.cid);
      if (known && st.adopting.count(e.cid) != 0 && !is_terminal(known->status)
          && (e.reason == reject_reason::unknown_order
              || e.reason == reject_reason::venue_unavailable)) {
        // An order of the last run the venue does not have (never reached
        // it, or long gone): closed with what the journal counted.
        st.log->warn("recovered_order_unknown_to_venue venue={} cid={} cum={} detail=\"{}\"",
                     e.venue, e.cid, known->cum_qty, e.detail);
        self->send(self, order_canceled{e.cid, known->oid, known->venue, known->symbol,
                                        known->sd, known->cum_qty, cancel_reason::expired,
                                        known->strategy, e.venue_time, now});
        return;
      }
      if (known && known->status == order_status::pending_cancel
          && (known->oid.valid() || known->cum_qty.is_positive())) {
        // The venue refused our cancel: the order itself lives on.
        st.tracker->on_cancel_rejected(e.cid, now);
        st.log->info("cancel_rejected venue={} cid={} detail=\"{}\"", e.venue,
                     e.cid, e.detail);
        if (st.params.journal)
          journal_write(self, e);
        return;
      }
      if (st.tracker->on_rejected(e) != track_outcome::ok) {
        st.log->info("reject_ignored venue={} cid={} detail=\"{}\"", e.venue,
                     e.cid, e.detail);
        return;
      }
      ++st.rejected;
      st.log->info("order_rejected venue={} symbol={} cid={} reason={} "
                   "detail=\"{}\"",
                   e.venue, e.symbol, e.cid, e.reason, e.detail);
      if (st.params.journal)
        journal_write(self, e);
      fan_out(self, e, true);
      adoption_resolved(self, e.cid);
    },
    [self](order_filled& e) {
      auto& st = self->state;
      ++st.processed;
      if (st.params.journal && st.tracker->has_fill_at(e.cid, e.cum_qty)) {
        // Journaled already (this run, or by the run that left the order).
        st.log->info("fill_already_journaled venue={} cid={} cum={}", e.venue, e.cid,
                     e.cum_qty);
        if (e.leaves_qty.is_zero())
          adoption_resolved(self, e.cid);
        return;
      }
      auto outcome = st.tracker->on_fill(e);
      if (outcome != track_outcome::ok) {
        st.log->error("fill_refused venue={} cid={} tid={} outcome={}",
                      e.venue, e.cid, e.tid, to_string(outcome));
        return;
      }
      st.last_fill = now_of(self);
      if (!e.tid.valid()) {
        // Found by a query, not reported by the venue's stream.
        ++st.fills_recovered;
        journal_write(self, reconcile_record{st.last_fill, e.venue, "fill_recovered",
                                          e.symbol.str(), e.fill_qty, e.cum_qty,
                                          "cid=" + std::to_string(e.cid.value),
                                          "reconcile"});
      }
      if (!st.params.journal) {
        act_on_fill(self, e);
        return;
      }
      if (!st.params.intent_dir.empty()) {
        // Durable before anything acts on it: in the intent log, in-line.
        std::string err;
        auto seq = log_intent(self, e, &err);
        if (seq == 0) {
          fill_not_journaled(self, e, err);
          journal_write(self, e); // SQLite may still take it
        }
        act_on_fill(self, e);
        crash_point("after_send");
        if (seq != 0)
          store_soon(self, seq);
        return;
      }
      // Durable before anything acts on it.
      auto journal = journal_of(self);
      if (!journal) {
        fill_not_journaled(self, e, "journal not running");
        act_on_fill(self, e);
        return;
      }
      self->request(journal, std::chrono::seconds(5), record_atom_v, e)
        .await(
          [self, e](bool fresh) {
            if (!fresh) {
              self->state.log->info("fill_already_journaled venue={} cid={} cum={}",
                                    e.venue, e.cid, e.cum_qty);
              if (e.leaves_qty.is_zero())
                adoption_resolved(self, e.cid);
              return;
            }
            act_on_fill(self, e);
          },
          [self, e](caf::error& err) {
            fill_not_journaled(self, e, self->system().render(err));
            act_on_fill(self, e);
          });
    },
    [self](order_canceled& e) {
      auto& st = self->state;
      ++st.processed;
      if (st.halt_cancels.erase(e.cid) > 0)
        e.reason = cancel_reason::halt;
      if (st.tracker->on_canceled(e) != track_outcome::ok)
        return;
      st.log->info("order_canceled venue={} symbol={} cid={} cum={} reason={}",
                   e.venue, e.symbol, e.cid, e.cum_qty, e.reason);
      if (st.params.journal)
        journal_write(self, e);
      fan_out(self, e, true);
      adoption_resolved(self, e.cid);
    },
    [self](trading_state_changed& s) {
      // A global or this venue's change sets what the gateway enforces
      // itself (HALTED rejects new orders); a narrower halt (strategy,
      // symbol of this venue) only cancels the matching resting orders:
      // risk denies the rest. Every change is acknowledged.
      auto& st = self->state;
      ++st.processed;
      auto& applied = st.scope_epochs[s.scope.to_string()];
      if (s.epoch < applied) {
        st.log->info("trading_state_superseded venue={} scope={} state={} epoch={} "
                     "applied={}",
                     st.params.venue, s.scope.to_string(), s.to, s.epoch, applied);
        to_risk(self, caf::make_message(trading_state_acknowledged{st.path, s.epoch, s.to, 0}));
        return;
      }
      applied = s.epoch;
      uint64_t canceled = 0;
      bool halt = s.to == trading_state::halted;
      switch (s.scope.kind) {
        case scope_kind::global:
          st.state = s.to;
          if (halt)
            canceled = cancel_open(self, true);
          break;
        case scope_kind::venue:
          if (s.scope.name == st.params.venue.str()) {
            st.venue_state = s.to;
            if (halt)
              canceled = cancel_open(self, true);
          }
          break;
        case scope_kind::strategy:
          if (halt)
            canceled = cancel_open(self, true, nullptr, &s.scope.name);
          break;
        case scope_kind::symbol: {
          auto prefix = st.params.venue.str() + "/";
          if (halt && s.scope.name.size() > prefix.size()
              && s.scope.name.compare(0, prefix.size(), prefix) == 0) {
            symbol_id sym{s.scope.name.substr(prefix.size())};
            canceled = cancel_open(self, true, &sym);
          }
          break;
        }
      }
      st.log->warn("trading_state venue={} scope={} state={} epoch={} canceled={}",
                   st.params.venue, s.scope.to_string(), s.to, s.epoch, canceled);
      to_risk(self, caf::make_message(trading_state_acknowledged{
                      st.path, s.epoch, s.to, canceled}));
    },
    [self](spec_atom, const symbol_id& symbol) -> caf::result<instrument_spec> {
      auto& st = self->state;
      ++st.processed;
      auto i = st.specs.find(symbol);
      if (i != st.specs.end())
        return i->second;
      if (!st.endpoint)
        return caf::make_error(caf::sec::runtime_error,
                               "unknown symbol " + symbol.str());
      // Maybe listed since we started: ask the venue again.
      auto rp = self->make_response_promise();
      self->request(st.endpoint, std::chrono::seconds(5), spec_atom_v)
        .then(
          [self, rp, symbol](std::vector<instrument_spec>& specs) mutable {
            for (auto& s : specs)
              self->state.specs[s.symbol] = s;
            auto i = self->state.specs.find(symbol);
            if (i != self->state.specs.end())
              rp.deliver(i->second);
            else
              rp.deliver(caf::make_error(caf::sec::runtime_error,
                                         "unknown symbol " + symbol.str()));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](orders_atom) {
      auto& st = self->state;
      ++st.processed;
      return orders_report{st.tracker->recent(500)};
    },
    [self](cancel_all_atom) {
      ++self->state.processed;
      return cancel_open(self, false);
    },
    [self](cancel_all_atom, const symbol_id& symbol) {
      ++self->state.processed;
      return cancel_open(self, false, &symbol);
    },
    [self](flush_atom) {
      self->state.store_tick_armed = false;
      flush_store(self);
    },
    [self](reconcile_atom) {
      auto& st = self->state;
      ++st.processed;
      release_intents(self, true);
      if (!st.recovery_started) {
        start_recovery(self);
      } else {
        // Orders of the last run still unresolved: ask again.
        for (auto cid : st.adopting)
          if (auto* v = st.tracker->find(cid); v && st.endpoint)
            self->send(st.endpoint,
                       adopt_order{submit_order{v->cid, v->venue, v->symbol, v->sd, v->type,
                                                v->tif, v->px, v->qty, false, v->strategy,
                                                v->created},
                                   v->oid, v->cum_qty});
        reconcile(self, reconcile_mode::periodic);
      }
      self->delayed_send(self, std::chrono::nanoseconds(st.params.reconcile_interval),
                         reconcile_atom_v);
    },
    [self](accept_atom, const std::string& by) -> caf::result<std::string> {
      auto& st = self->state;
      ++st.processed;
      if (!st.params.journal)
        return std::string{"no journal: nothing to accept"};
      auto rp = self->make_response_promise();
      read_both(
        self,
        [self, rp, by](venue_state_report& vs, journal_holdings& jh) mutable {
          auto& st = self->state;
          auto now = now_of(self);
          auto diffs = compare_holdings(self, vs, jh, false);
          std::string done;
          for (auto& d : diffs) {
            // The adjustment goes on the first symbol that moves this key.
            std::string symbol = d.key;
            for (auto& sk : vs.symbol_keys)
              if (sk.key == d.key) {
                symbol = sk.symbol.str();
                break;
              }
            auto delta = d.actual - d.expected;
            holding_update u{st.params.venue, symbol, delta, false, by, now};
            journal_write(self, u);
            journal_write(self, reconcile_record{now, st.params.venue, "accepted", d.key,
                                              d.expected, d.actual,
                                              "adjusted " + symbol + " by " + delta.to_string(),
                                              by});
            to_risk(self, caf::make_message(u));
            st.log->warn("venue_state_accepted venue={} key={} journal={} venue_holds={} "
                         "by={}",
                         st.params.venue, d.key, d.expected, d.actual, by);
            done += (done.empty() ? "" : ", ") + d.key + " " + d.expected.to_string()
                    + " -> " + d.actual.to_string();
          }
          st.seen_once.clear();
          reconcile(self, reconcile_mode::forced);
          rp.deliver(st.params.venue.str() + ": "
                     + (done.empty() ? std::string{"nothing to accept"} : "accepted " + done));
        },
        [rp](const std::string& why) mutable {
          rp.deliver(caf::make_error(caf::sec::runtime_error, why));
        });
      return rp;
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        std::string{to_string(st.state)}, own_mailbox_size(self), st.processed,
        "open=" + std::to_string(st.tracker->open_count()) + " submitted="
          + std::to_string(st.submitted) + " rejected="
          + std::to_string(st.rejected) + " fills=" + std::to_string(st.fills)
          + (st.params.journal
               ? " recovered=" + std::to_string(st.orders_recovered) + " orphans_canceled="
                   + std::to_string(st.orphans_canceled) + " reconciliations="
                   + std::to_string(st.reconciliations)
               : std::string{})
          + (st.intents ? " intents=" + std::to_string(st.intent_appends) + " unconfirmed="
                            + std::to_string(st.unconfirmed.size()) + " intent_failures="
                            + std::to_string(st.intent_failures) + " intent_segments="
                            + std::to_string(st.intents->segments())
                        : std::string{})};
    },
  };
}

} // namespace

caf::actor spawn_gateway(caf::actor_system& sys, const std::string& path,
                         gateway_params params) {
  return sys.spawn(gateway_impl, path, std::move(params));
}

} // namespace agora
