#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/fwd.hpp>

#include "actors/journal/journal_db.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/strategy/mean_reversion.hpp"
#include "config/agora_config.hpp"
#include "venues/binance/credentials.hpp"
#include "venues/sim/exchange_actor.hpp"
#include "messages/time.hpp"

namespace agora {

/// Applies the configured CAF scheduler (policy, threads, throughput,
/// busy polling) to an actor system config, and registers Agora's types.
void configure_actor_system(caf::actor_system_config& cfg,
                            const config::scheduler_config& sched);

/// The strategy core's parameters from their configuration.
mean_reversion_params to_params(const config::mean_reversion_config& c);

/// A sim venue's listing (instrument spec + market generator) from its
/// configuration; `step_interval` turns an anchored perpetual's basis
/// half-life into a per-step reversion.
sim::listed_symbol to_listing(const venue_id& venue,
                              const config::sim_symbol_config& s,
                              nanos step_interval);

/// Risk's parameters (limits, breakers, groups, flip guard, calendar) from
/// the configuration.
risk_params risk_params_of(const config::agora_config& cfg);

/// Reads the macro-event calendar the config names: the error (file, entry,
/// field) when it is missing or bad (the service refuses to start); nothing
/// when it is fine or none is configured.
std::optional<std::string> check_risk_calendar(const config::agora_config& cfg);

/// The running service's entry points.
struct service_handles {
  caf::actor directory;
  caf::actor root;
};

/// Options that differ between production and tests.
struct service_options {
  std::string token;          ///< Control API bearer token.
  std::string port_file;      ///< Written with the control port once bound.
  const clock_source* clock = nullptr;
  /// API keys of the Binance venues, by venue name (see
  /// load_venue_credentials). Never logged.
  std::map<std::string, binance::credentials> credentials;
  /// This run's id in the journal (from `prepare_journal`).
  uint64_t run = 0;
  /// A backtest (`agora backtest`): venues of kind "replay" are built (a
  /// replay feed and a paper entry filling against the recorded books), no
  /// control API listens, and the journal runs on the scheduler rather than
  /// on a thread of its own, so one deterministic scheduler drives the tree.
  bool backtest = false;
  /// By venue: what prepare_journal's intent log hand-over reported; each
  /// venue's gateway raises them as WARNING alerts once it runs.
  std::map<std::string, std::vector<std::string>> intent_warnings;
};

/// Opens the journal of `cfg` (creating it, migrating an older schema),
/// starts a new run in it and closes it again: the service refuses to start
/// (with this error) rather than trade without its memory. Returns the run
/// id. Errors name the file and what is wrong (not a database, corrupt,
/// locked by another process, read-only, from a newer agora, I/O).
struct journal_check {
  uint64_t run = 0;
  std::string error; ///< Empty on success.
  /// Records of the venues' intent logs handed to SQLite at start (what was
  /// durable only there when the last run ended).
  uint64_t replayed_orders = 0;
  uint64_t replayed_fills = 0;
  /// By venue: what the intent logs' recovery reported (a torn tail cut).
  std::map<std::string, std::vector<std::string>> intent_warnings;
};
journal_check prepare_journal(const config::agora_config& cfg);

/// The journal file and sync mode `cfg` asks for.
journal::open_options journal_options_of(const config::agora_config& cfg);

/// Opens the journal at `o` (creating and migrating it), starts a run
/// recorded as by `who`, runs `then` on it (prepare_journal: the intent
/// logs' hand-over), and closes it: prepare_journal's core, also for
/// benchmarks that spawn a journal actor of their own.
journal_check start_journal_run(
  const journal::open_options& o, const std::string& who,
  const std::function<void(journal::db&, journal_check&)>& then = {});

/// Loads the API keys of every Binance venue of `cfg` (from its
/// credentials_file, else its environment variables). A missing or
/// unsafe source gives an error naming the venue and what to fix; the
/// message never contains a key.
caf::expected<std::map<std::string, binance::credentials>>
load_venue_credentials(const config::agora_config& cfg);

/// Builds and starts the supervision tree of `cfg`:
/// agora (one_for_one) -> alerts, risk, venue:<name> (rest_for_one: exchange,
/// gateway, feed, book:<SYMBOL>...), strategies (one_for_one:
/// <strategy>...), control. The directory runs beside the tree.
service_handles start_service(caf::actor_system& sys,
                              const config::agora_config& cfg,
                              service_options opts);

/// Stops the service gracefully: halts trading through risk, cancels every
/// resting order on every gateway and waits (at most 3 s) until the venues
/// confirmed the cancels, then stops the tree (waiting at most 5 s for the
/// root to go down) and the directory. Blocks the calling thread; call it
/// from outside the actor system's workers (main, a test).
void graceful_shutdown(caf::actor_system& sys, const service_handles& h);

} // namespace agora
