#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages/journal.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"

struct sqlite3;

namespace agora::journal {

/// A failed SQLite statement; `what()` names the statement's purpose and
/// SQLite's message.
class journal_error : public std::runtime_error {
public:
  journal_error(const std::string& what, int code)
    : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

private:
  int code_;
};

/// How a commit reaches the disk. `full`: fsync on every commit (survives
/// power loss). `normal`: WAL appended on commit, fsync at checkpoints
/// (survives a crash of the process, not of the machine). `off`: no fsync
/// at all: for a backtest's journal, which a rerun rebuilds exactly.
enum class sync_mode { full, normal, off };

/// The `PRAGMA synchronous` statement of `m`, for every connection to a
/// journal file (the journal's own and the checkpointer's).
const char* sync_pragma(sync_mode m) noexcept;

struct open_options {
  std::string path;
  sync_mode sync = sync_mode::full;
  int busy_timeout_ms = 2000;  ///< Wait this long for a lock held by another process.
  bool read_only = false;      ///< For the CLI's readers: no migration, no writes.
};

/// Why opening failed, for a clear message and an exit code.
enum class open_failure {
  none,
  not_a_database,  ///< The file is not SQLite, or its header is damaged.
  corrupt,         ///< quick_check found damage.
  locked,          ///< Another process holds a lock past the busy timeout.
  read_only,       ///< The file or its directory cannot be written.
  too_new,         ///< Schema version above what this build knows.
  io,              ///< Anything else (path missing, permissions, disk full).
};

struct open_result;

/// One order as the journal knows it.
struct order_row {
  order_view view;
  bool reduce_only = false;
  uint64_t run = 0;         ///< The run that placed it.
};

/// A journal query's filter: newest first, at most `limit` rows.
struct query {
  std::optional<venue_id> venue;
  std::optional<symbol_id> symbol;
  std::optional<std::string> strategy;
  nanos since = 0;          ///< Rows at or after this time (0: all).
  size_t limit = 100;
  bool open_only = false;   ///< orders(): non-terminal only.
  bool blocked_only = false;///< signals(): acted == false only.
};

/// Per-table row counts written by `export_csv`.
struct export_summary {
  std::vector<std::pair<std::string, uint64_t>> tables; ///< File stem, rows.
};

/// The SQLite journal: the schema, its migrations, every write the journal
/// actor makes and every read recovery and the CLI need. Not thread-safe:
/// one owner (the journal actor, or a CLI reader). Every failing statement
/// throws `journal_error`.
class db {
public:
  /// The schema version this build writes.
  static constexpr int current_version = 2;

  ~db();
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  /// Opens (creating if missing, unless read_only) and migrates to
  /// `current_version` in one transaction per step. WAL journal mode,
  /// foreign keys off, `synchronous` per `sync`. Runs `PRAGMA quick_check`
  /// on open. Never throws: failures come back in the result.
  static open_result open(const open_options& opts);

  /// Opens and applies migrations only up to `version` (tests of
  /// migrations build an old journal with it).
  static open_result open_at_version(const open_options& opts, int version);

  int schema_version() const;
  const std::string& path() const noexcept { return path_; }

  // -- transactions -------------------------------------------------------

  void begin();     ///< BEGIN IMMEDIATE.
  void commit();
  void rollback();  ///< Never throws.
  bool in_transaction() const noexcept { return in_tx_; }

  /// Automatic WAL checkpoints (SQLite's default, every 1000 pages, run
  /// inside whichever commit crosses the mark) on or off. The journal actor
  /// turns them off and calls `checkpoint()` when idle, keeping that work
  /// off the commit an order waits for.
  void set_auto_checkpoint(bool on);
  /// A passive WAL checkpoint (copies what no reader needs; never waits).
  void checkpoint();

  // -- writes ---------------------------------------------------------------

  /// A new run of the service: returns its id (1, 2, ...; never reused).
  uint64_t start_run(nanos now, int64_t pid, const std::string& version);

  /// An order about to leave for the venue (after rounding): status
  /// PENDING_NEW. A second call for the same (venue, cid) throws.
  void order_new(const submit_order& o, uint64_t run, nanos now);
  /// What order_new_once did.
  enum class once { inserted, known, conflict };
  /// order_new unless (venue, cid) is there already: then nothing is written
  /// and it answers `known` (the gateway's intent log hands SQLite the
  /// orders it holds again after a crash or a journal restart, some already
  /// stored), or `conflict` when the stored order has another quantity (a
  /// reused client id: the first order's row stays).
  once order_new_once(const submit_order& o, uint64_t run, nanos now);
  void order_accepted(const order_accepted& e);
  /// For an order not in the journal only the event row is written.
  void order_rejected(const order_rejected& e);
  void cancel_requested(const cancel_order& c);
  void order_canceled(const order_canceled& e);
  /// Stores a fill unless one with the same (venue, cid, cum_qty) is there;
  /// true if it was new. Moves the order's cum_qty / status on.
  bool fill(const order_filled& e);
  /// Closes an order without a venue event (e.g. the venue never had it,
  /// or it went with a venue that does not outlive the service).
  void order_closed(const venue_id& venue, client_order_id cid,
                    order_status status, const std::string& detail, nanos now);

  void signal(const signal_record& s);
  /// Keeps the newest `keep` bars per strategy.
  void bar(const bar_record& b, size_t keep);
  void risk_event(const risk_event_record& r);
  void alert(const alert_raised& a);
  void restart(const restart_record& r);
  void pnl(const pnl_record& p);
  void reconcile(const reconcile_record& r);

  /// Sets one holding's baseline (the venue's holding when first seen).
  void set_baseline(const venue_id& venue, const std::string& key, quantity qty, nanos now);
  /// Adds an accepted adjustment (venue state adopted by an operator).
  void add_adjustment(const venue_id& venue, const std::string& key, quantity delta,
                      const std::string& by, nanos now);

  // -- reads ----------------------------------------------------------------

  /// Orders per the filter, newest first.
  std::vector<order_row> orders(const query& q) const;
  /// Every non-terminal order of `venue` (all runs), oldest first.
  std::vector<order_row> open_orders(const venue_id& venue) const;
  std::optional<order_row> order(const venue_id& venue, client_order_id cid) const;

  /// Fills per the filter, newest first.
  std::vector<order_filled> fills(const query& q) const;
  /// Every fill of `venue` (all of them when empty), oldest first, for
  /// rebuilding positions.
  std::vector<order_filled> all_fills(const std::optional<venue_id>& venue = std::nullopt) const;

  std::vector<signal_record> signals(const query& q) const;
  /// The newest `n` bars of `strategy`, oldest first.
  std::vector<bar_record> bars(const std::string& strategy, size_t n) const;
  std::vector<pnl_record> pnl(const query& q) const;
  std::vector<reconcile_record> reconciles(const query& q) const;
  std::vector<risk_event_record> risk_events(const query& q) const;

  std::map<std::string, quantity> baselines(const venue_id& venue) const;
  std::map<std::string, quantity> adjustments(const venue_id& venue) const;
  /// Signed net filled quantity per symbol of `venue`, from the fills.
  std::map<symbol_id, quantity> net_fills(const venue_id& venue) const;

  /// Every rejected order, oldest first: (owning strategy, "REASON: detail");
  /// the strategy is empty for an order the journal did not have.
  std::vector<std::pair<std::string, std::string>> rejections() const;

  /// Row counts per table (the CLI's `journal` summary, tests).
  std::map<std::string, uint64_t> counts() const;

  /// Writes one CSV file per table into `dir` (created if missing): a
  /// header row, then every row, prices and quantities as decimals, times as
  /// ISO-8601 UTC plus the raw nanoseconds. Throws journal_error on I/O
  /// failure too.
  export_summary export_csv(const std::string& dir) const;

private:
  db(sqlite3* handle, std::string path);

  sqlite3* h_;
  std::string path_;
  bool in_tx_ = false;
  struct statements;
  std::unique_ptr<statements> stmts_;
};

struct open_result {
  std::unique_ptr<db> journal;  ///< Null on failure.
  open_failure failure = open_failure::none;
  std::string error;            ///< Human-readable, names the file.
};

std::string_view to_string(open_failure f) noexcept;

} // namespace agora::journal
