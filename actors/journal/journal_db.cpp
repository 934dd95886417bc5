#include "actors/journal/journal_db.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>
#include <variant>

#include <sqlite3.h>
#include <sys/stat.h>

#include "actors/journal/csv.hpp"
#include "actors/journal/enum_text.hpp"
#include "actors/journal/schema.hpp"
#include "actors/journal/statement_cache.hpp"

namespace agora::journal {

struct db::statements : detail::statement_cache {
  using detail::statement_cache::statement_cache;
};

namespace {

using detail::sid;
using detail::statement;
using detail::statement_cache;

// -- opening ------------------------------------------------------------------

open_result failure(open_failure f, std::string msg) {
  open_result r;
  r.failure = f;
  r.error = std::move(msg);
  return r;
}

std::string octal_mode(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

/// What SQLite would report late or vaguely: a missing directory, a file or
/// directory the operator made read-only on purpose (no write bit at all;
/// root ignores permissions, so the mode is the policy, not the kernel).
std::optional<open_result> check_path(const open_options& opts) {
  const auto& p = opts.path;
  if (p.empty())
    return failure(open_failure::io, "journal path is empty");
  struct stat st {};
  const bool exists = ::stat(p.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return failure(open_failure::io, "journal " + p + " is a directory");
  if (opts.read_only) {
    if (!exists)
      return failure(open_failure::io, "journal " + p + " does not exist");
    return std::nullopt;
  }
  if (exists && (st.st_mode & 0222) == 0)
    return failure(open_failure::read_only, "journal " + p
                                              + " is read-only (mode "
                                              + octal_mode(st.st_mode) + ")");
  auto dir = std::filesystem::path{p}.parent_path();
  if (dir.empty())
    dir = ".";
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    if (errno == ENOENT)
      return failure(open_failure::io, "journal " + p
                                         + " cannot be created: directory "
                                         + dir.string() + " does not exist");
    return failure(open_failure::io, "journal " + p + ": directory "
                                       + dir.string() + ": "
                                       + std::strerror(errno));
  }
  if (!S_ISDIR(dst.st_mode))
    return failure(open_failure::io, "journal " + p + ": " + dir.string()
                                       + " is not a directory");
  if ((dst.st_mode & 0222) == 0)
    return failure(open_failure::read_only,
                   "journal " + p + " is read-only (directory " + dir.string()
                     + " mode " + octal_mode(dst.st_mode) + ")");
  return std::nullopt;
}

/// Drops the "journal: " prefix of a journal_error's text.
std::string_view sqlite_detail(const journal_error& e) {
  std::string_view s = e.what();
  constexpr std::string_view prefix = "journal: ";
  if (s.substr(0, prefix.size()) == prefix)
    s.remove_prefix(prefix.size());
  return s;
}

open_result classify(const open_options& opts, int rc, std::string_view why) {
  const auto& p = opts.path;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return failure(open_failure::not_a_database,
                     "journal " + p
                       + " is not a SQLite database (or its header is damaged)");
    case SQLITE_CORRUPT:
      return failure(open_failure::corrupt,
                     "journal " + p + " is corrupt: " + std::string{why});
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return failure(open_failure::locked,
                     "journal " + p + " is locked by another process (waited "
                       + std::to_string(opts.busy_timeout_ms) + " ms)");
    case SQLITE_READONLY:
      return failure(open_failure::read_only,
                     "journal " + p + " is read-only: " + std::string{why});
    case SQLITE_CANTOPEN:
      return failure(open_failure::io,
                     "journal " + p + " cannot be opened: " + std::string{why});
    default:
      return failure(open_failure::io, "journal " + p + ": " + std::string{why});
  }
}

/// Every row's first column of a one-off statement (pragmas at open).
std::vector<std::string> column_of(sqlite3* h, const std::string& sql,
                                   std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  if (int rc = sqlite3_prepare_v2(h, sql.c_str(), -1, &raw, nullptr);
      rc != SQLITE_OK)
    detail::fail(h, what, rc);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner{raw,
                                                              sqlite3_finalize};
  statement s{h, raw, what};
  std::vector<std::string> out;
  while (s.step())
    out.push_back(s.text_at(0));
  return out;
}

int user_version(sqlite3* h) {
  auto rows = column_of(h, "PRAGMA user_version", "read schema version");
  return rows.empty() ? 0 : std::stoi(rows.front());
}

void rollback_quietly(sqlite3* h) noexcept {
  if (h != nullptr && sqlite3_get_autocommit(h) == 0)
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace

const char* sync_pragma(sync_mode m) noexcept {
  return m == sync_mode::full     ? "PRAGMA synchronous = FULL"
         : m == sync_mode::normal ? "PRAGMA synchronous = NORMAL"
                                  : "PRAGMA synchronous = OFF";
}

namespace {

/// Pragmas, integrity check, version check and migrations of a freshly opened
/// connection; returns the schema version reached or a failure.
std::variant<int, open_result> prepare(sqlite3* h, const open_options& opts,
                                       int target) {
  const auto& p = opts.path;
  if (!opts.read_only) {
    auto mode = column_of(h, "PRAGMA journal_mode = WAL", "set WAL mode");
    if (mode.empty() || mode.front() != "wal")
      return failure(open_failure::io,
                     "journal " + p + " cannot use WAL mode (journal_mode is "
                       + (mode.empty() ? std::string{"unknown"} : mode.front())
                       + ")");
  }
  detail::exec(h, sync_pragma(opts.sync), "set synchronous");
  detail::exec(h, "PRAGMA foreign_keys = OFF", "set foreign_keys");
  // A backtest's journal has one writer and no reader while it runs: one
  // lock for the whole run instead of one per transaction.
  if (opts.sync == sync_mode::off)
    detail::exec(h, "PRAGMA locking_mode = EXCLUSIVE", "set locking_mode");
  auto check = column_of(h, "PRAGMA quick_check", "quick_check");
  if (check.size() != 1 || check.front() != "ok") {
    std::string why = check.empty() ? "quick_check gave no result" : check.front();
    for (auto at = why.find('\n'); at != std::string::npos; at = why.find('\n'))
      why.replace(at, 1, "; ");
    return failure(open_failure::corrupt, "journal " + p + " is corrupt: " + why);
  }
  auto too_new = [&](int v) {
    return failure(open_failure::too_new,
                   "journal " + p + " has schema version " + std::to_string(v)
                     + "; this agora knows up to "
                     + std::to_string(db::current_version));
  };
  if (opts.read_only) {
    int v = user_version(h);
    if (v > db::current_version)
      return too_new(v);
    if (v != target)
      return failure(open_failure::io,
                     "journal " + p + " has schema version " + std::to_string(v)
                       + "; reading needs version " + std::to_string(target)
                       + ": start the service once to migrate it");
    return v;
  }
  // Always take the write lock once, so a journal another process holds is
  // reported now rather than at the first write. One transaction per step.
  for (;;) {
    detail::exec(h, "BEGIN IMMEDIATE", "lock for migration");
    int v = user_version(h);
    if (v > db::current_version) {
      rollback_quietly(h);
      return too_new(v);
    }
    if (v >= target) {
      detail::exec(h, "COMMIT", "commit migration");
      return v;
    }
    auto step = std::to_string(v + 1);
    detail::exec(h, detail::migration(v + 1), "migrate to version " + step);
    detail::exec(h, "PRAGMA user_version = " + step,
                 "set schema version " + step);
    detail::exec(h, "COMMIT", "commit migration to version " + step);
  }
}

// -- writes -------------------------------------------------------------------

/// Makes one API write atomic, inside or outside a caller's transaction: a
/// savepoint released on success and rolled back if an exception leaves the
/// scope. Keeps `db::in_tx_` in step with SQLite either way.
class write_scope {
public:
  write_scope(statement_cache& c, bool& in_tx)
    : c_(c), in_tx_(in_tx), outer_(sqlite3_get_autocommit(c.handle()) != 0) {
    c_.use(sid::savepoint).run();
  }

  write_scope(const write_scope&) = delete;
  write_scope& operator=(const write_scope&) = delete;

  void release() {
    c_.use(sid::release).run();
    done_ = true;
  }

  ~write_scope() {
    if (!done_) {
      try {
        c_.use(sid::rollback_to).run();
        c_.use(sid::release).run();
      } catch (const journal_error&) {
        // Reported by the statement that failed first.
      }
      if (outer_)
        rollback_quietly(c_.handle());
    }
    in_tx_ = sqlite3_get_autocommit(c_.handle()) == 0;
  }

private:
  statement_cache& c_;
  bool& in_tx_;
  bool outer_;
  bool done_ = false;
};

struct order_state {
  order_status status = order_status::pending_new;
  quantity qty;
  quantity cum;
  order_id oid;
};

template <class E>
E need(std::optional<E> x, std::string_view what, const std::string& text) {
  if (!x)
    throw journal_error("journal: " + std::string{what} + ": unknown value '"
                          + text + "'",
                        SQLITE_MISMATCH);
  return *x;
}

std::optional<order_state> load_order(statement_cache& c, const venue_id& venue,
                                      client_order_id cid) {
  auto s = c.use(sid::load_order);
  s.bind_text(1, venue.str()).bind_uint(2, cid.value);
  if (!s.step())
    return std::nullopt;
  order_state st;
  st.status = need(detail::status_from_text(s.text_at(0)), "load order status",
                   s.text_at(0));
  st.qty = quantity::from_raw(s.int_at(1));
  st.cum = quantity::from_raw(s.int_at(2));
  st.oid = order_id{s.uint_at(3)};
  return st;
}

void update_order(statement_cache& c, const venue_id& venue,
                  client_order_id cid, const order_state& st, nanos t) {
  auto s = c.use(sid::update_order);
  s.bind_text(1, venue.str())
    .bind_uint(2, cid.value)
    .bind_text(3, to_string(st.status))
    .bind_int(4, st.cum.raw())
    .bind_uint(5, st.oid.value)
    .bind_int(6, t);
  s.run();
}

/// One row of an order's history; `st` is the order after the event (null
/// for an order the journal does not have).
void append_event(statement_cache& c, nanos t, const venue_id& venue,
                  client_order_id cid, std::string_view kind,
                  const order_state* st, std::string_view detail) {
  auto s = c.use(sid::insert_event);
  s.bind_int(1, t).bind_text(2, venue.str()).bind_uint(3, cid.value)
    .bind_text(4, kind);
  if (st != nullptr)
    s.bind_text(5, to_string(st->status))
      .bind_int(6, st->cum.raw())
      .bind_uint(7, st->oid.value);
  s.bind_text(8, detail);
  s.run();
}

/// Updates a known order and appends its event; only the event otherwise.
void record(statement_cache& c, nanos t, const venue_id& venue,
            client_order_id cid, std::string_view kind,
            const std::optional<order_state>& st, std::string_view detail) {
  if (st)
    update_order(c, venue, cid, *st, t);
  append_event(c, t, venue, cid, kind, st ? &*st : nullptr, detail);
}

// -- reads --------------------------------------------------------------------

/// A count for SQL's LIMIT (-1: no limit).
int64_t count_limit(size_t n) {
  if (n > static_cast<size_t>(std::numeric_limits<int64_t>::max()))
    return -1;
  return static_cast<int64_t>(n);
}

/// A query's row limit: 0 means no limit.
int64_t limit_of(size_t n) {
  return n == 0 ? -1 : count_limit(n);
}

template <class Tag>
void bind_opt(statement& s, int i, const std::optional<name_id<Tag>>& v) {
  if (v)
    s.bind_text(i, v->str());
}

void bind_opt(statement& s, int i, const std::optional<std::string>& v) {
  if (v)
    s.bind_text(i, *v);
}

order_row read_order(const statement& s) {
  order_row r;
  auto& v = r.view;
  v.venue = venue_id{s.text_at(0)};
  v.cid = client_order_id{s.uint_at(1)};
  v.oid = order_id{s.uint_at(2)};
  v.symbol = symbol_id{s.text_at(3)};
  v.sd = need(detail::side_from_text(s.text_at(4)), "read order side",
              s.text_at(4));
  v.type = need(detail::order_type_from_text(s.text_at(5)), "read order type",
                s.text_at(5));
  v.tif = need(detail::tif_from_text(s.text_at(6)), "read order tif",
               s.text_at(6));
  v.px = price::from_raw(s.int_at(7));
  v.qty = quantity::from_raw(s.int_at(8));
  v.cum_qty = quantity::from_raw(s.int_at(9));
  v.status = need(detail::status_from_text(s.text_at(10)),
                  "read order status", s.text_at(10));
  v.strategy = s.text_at(11);
  v.created = s.int_at(12);
  v.updated = s.int_at(13);
  r.reduce_only = s.int_at(14) != 0;
  r.run = s.uint_at(15);
  return r;
}

order_filled read_fill(const statement& s) {
  order_filled f;
  f.venue = venue_id{s.text_at(0)};
  f.cid = client_order_id{s.uint_at(1)};
  f.oid = order_id{s.uint_at(2)};
  f.symbol = symbol_id{s.text_at(3)};
  f.sd = need(detail::side_from_text(s.text_at(4)), "read fill side",
              s.text_at(4));
  f.tid = trade_id{s.uint_at(5)};
  f.fill_px = price::from_raw(s.int_at(6));
  f.fill_qty = quantity::from_raw(s.int_at(7));
  f.cum_qty = quantity::from_raw(s.int_at(8));
  f.leaves_qty = quantity::from_raw(s.int_at(9));
  f.fee = notional::from_raw(s.int_at(10));
  f.liq = need(detail::liquidity_from_text(s.text_at(11)),
               "read fill liquidity", s.text_at(11));
  f.strategy = s.text_at(12);
  f.venue_time = s.int_at(13);
  f.local_time = s.int_at(14);
  return f;
}

std::map<std::string, quantity> holdings_of(statement s, const venue_id& venue) {
  s.bind_text(1, venue.str());
  std::map<std::string, quantity> out;
  while (s.step())
    out[s.text_at(0)] = quantity::from_raw(s.int_at(1));
  return out;
}

// -- export -------------------------------------------------------------------

using stmt_owner = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

stmt_owner prepare_once(sqlite3* h, const std::string& sql,
                        std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  if (int rc = sqlite3_prepare_v2(h, sql.c_str(), -1, &raw, nullptr);
      rc != SQLITE_OK)
    detail::fail(h, what, rc);
  return stmt_owner{raw, sqlite3_finalize};
}

std::string render(sqlite3_stmt* s, int col) {
  switch (sqlite3_column_type(s, col)) {
    case SQLITE_NULL: return {};
    case SQLITE_INTEGER: return std::to_string(sqlite3_column_int64(s, col));
    case SQLITE_FLOAT: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(s, col));
      return buf;
    }
    default: {
      auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
      return p == nullptr ? std::string{}
                          : std::string{p, static_cast<size_t>(
                                             sqlite3_column_bytes(s, col))};
    }
  }
}

uint64_t export_table(sqlite3* h, std::string_view table,
                      const std::filesystem::path& file) {
  const std::string what = "export " + std::string{table};
  auto owner = prepare_once(h, "SELECT * FROM " + std::string{table}
                                 + " ORDER BY rowid",
                            what);
  auto* s = owner.get();
  std::ofstream out{file, std::ios::binary | std::ios::trunc};
  if (!out)
    throw journal_error("journal: " + what + ": cannot write " + file.string()
                          + ": " + std::strerror(errno),
                        SQLITE_IOERR);
  const int n = sqlite3_column_count(s);
  std::vector<detail::column_kind> kinds;
  std::string line;
  for (int i = 0; i < n; ++i) {
    std::string_view name = sqlite3_column_name(s, i);
    kinds.push_back(detail::kind_of(name));
    if (i > 0)
      line += ',';
    if (kinds.back() == detail::column_kind::time) {
      line += detail::csv_field(name.substr(0, name.size() - 3));
      line += ',';
    }
    line += detail::csv_field(name);
  }
  out << line << "\r\n";
  uint64_t rows = 0;
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
      break;
    if (rc != SQLITE_ROW)
      detail::fail(h, what, rc);
    line.clear();
    for (int i = 0; i < n; ++i) {
      if (i > 0)
        line += ',';
      const bool null = sqlite3_column_type(s, i) == SQLITE_NULL;
      const int64_t raw = sqlite3_column_int64(s, i);
      switch (kinds[static_cast<size_t>(i)]) {
        case detail::column_kind::time:
          if (!null && raw != 0)
            line += detail::iso8601_utc(raw);
          line += ',';
          line += render(s, i);
          break;
        case detail::column_kind::price:
          if (!null)
            line += detail::csv_field(price::from_raw(raw).to_string());
          break;
        case detail::column_kind::quantity:
          if (!null)
            line += detail::csv_field(quantity::from_raw(raw).to_string());
          break;
        case detail::column_kind::notional:
          if (!null)
            line += detail::csv_field(notional::from_raw(raw).to_string());
          break;
        case detail::column_kind::id:
          if (!null)
            line += std::to_string(static_cast<uint64_t>(raw));
          break;
        case detail::column_kind::plain:
          line += detail::csv_field(render(s, i));
          break;
      }
    }
    out << line << "\r\n";
    ++rows;
  }
  out.flush();
  if (!out)
    throw journal_error("journal: " + what + ": cannot write " + file.string()
                          + ": " + std::strerror(errno),
                        SQLITE_IOERR);
  return rows;
}

} // namespace

// -- db -----------------------------------------------------------------------

db::db(sqlite3* handle, std::string path)
  : h_(handle),
    path_(std::move(path)),
    stmts_(std::make_unique<statements>(handle)) {
}

db::~db() {
  rollback_quietly(h_);
  stmts_.reset();
  if (h_ != nullptr)
    sqlite3_close_v2(h_);
}

open_result db::open(const open_options& opts) {
  return open_at_version(opts, current_version);
}

open_result db::open_at_version(const open_options& opts, int version) {
  if (version < 1 || version > current_version)
    return failure(open_failure::io,
                   "journal " + opts.path + ": cannot open at schema version "
                     + std::to_string(version) + " (this agora knows 1 to "
                     + std::to_string(current_version) + ")");
  if (auto bad = check_path(opts))
    return std::move(*bad);
  const int flags = (opts.read_only ? SQLITE_OPEN_READONLY
                                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                    | SQLITE_OPEN_NOMUTEX;
  sqlite3* h = nullptr;
  int rc = sqlite3_open_v2(opts.path.c_str(), &h, flags, nullptr);
  std::unique_ptr<db> j{new db(h, opts.path)}; // Closes `h` on every path.
  if (rc != SQLITE_OK)
    return classify(opts, rc,
                    h != nullptr ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
  sqlite3_extended_result_codes(h, 1);
  sqlite3_busy_timeout(h, opts.busy_timeout_ms);
  try {
    auto reached = prepare(h, opts, version);
    if (auto* bad = std::get_if<open_result>(&reached))
      return std::move(*bad);
    j->stmts_->version = std::get<int>(reached);
    j->stmts_->read_only = opts.read_only;
  } catch (const journal_error& e) {
    rollback_quietly(h);
    return classify(opts, e.code(), sqlite_detail(e));
  }
  open_result r;
  r.journal = std::move(j);
  return r;
}

int db::schema_version() const {
  return stmts_->version;
}

// -- transactions -------------------------------------------------------------

void db::begin() {
  struct sync {
    db& d;
    ~sync() { d.in_tx_ = sqlite3_get_autocommit(d.h_) == 0; }
  } guard{*this};
  stmts_->use(sid::begin).run();
}

void db::commit() {
  struct sync {
    db& d;
    ~sync() { d.in_tx_ = sqlite3_get_autocommit(d.h_) == 0; }
  } guard{*this};
  stmts_->use(sid::commit).run();
}

void db::rollback() {
  if (sqlite3_get_autocommit(h_) == 0) {
    try {
      stmts_->use(sid::rollback).run();
    } catch (const journal_error&) {
      rollback_quietly(h_);
    }
  }
  in_tx_ = sqlite3_get_autocommit(h_) == 0;
}

// -- writes -------------------------------------------------------------------

void db::set_auto_checkpoint(bool on) {
  detail::exec(h_, on ? "PRAGMA wal_autocheckpoint = 1000" : "PRAGMA wal_autocheckpoint = 0",
               "set wal_autocheckpoint");
}

void db::checkpoint() {
  if (in_tx_)
    return;
  detail::exec(h_, "PRAGMA wal_checkpoint(PASSIVE)", "checkpoint");
}

uint64_t db::start_run(nanos now, int64_t pid, const std::string& version) {
  write_scope w{*stmts_, in_tx_};
  auto s = stmts_->use(sid::insert_run);
  s.bind_int(1, now).bind_int(2, pid).bind_text(3, version);
  s.run();
  auto id = static_cast<uint64_t>(sqlite3_last_insert_rowid(h_));
  w.release();
  return id;
}

void db::order_new(const submit_order& o, uint64_t run, nanos now) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_order);
    s.bind_text(1, o.venue.str())
      .bind_uint(2, o.cid.value)
      .bind_text(3, o.symbol.str())
      .bind_text(4, to_string(o.sd))
      .bind_text(5, to_string(o.type))
      .bind_text(6, to_string(o.tif))
      .bind_int(7, o.px.raw())
      .bind_int(8, o.qty.raw())
      .bind_text(9, to_string(order_status::pending_new))
      .bind_text(10, o.strategy)
      .bind_uint(11, run)
      .bind_int(12, now);
    if (stmts_->version >= 2)
      s.bind_int(13, o.reduce_only ? 1 : 0);
    s.run();
  }
  order_state st;
  st.qty = o.qty;
  std::string detail = std::string{to_string(o.sd)} + " " + o.qty.to_string()
                       + " " + o.symbol.str() + " @ " + o.px.to_string() + " "
                       + std::string{to_string(o.type)} + " "
                       + std::string{to_string(o.tif)};
  if (o.reduce_only)
    detail += " reduce_only";
  append_event(*stmts_, now, o.venue, o.cid, "new", &st, detail);
  w.release();
}

void db::order_accepted(const agora::order_accepted& e) {
  write_scope w{*stmts_, in_tx_};
  auto st = load_order(*stmts_, e.venue, e.cid);
  if (st) {
    if (e.oid.valid())
      st->oid = e.oid;
    if (st->status == order_status::pending_new)
      st->status = order_status::accepted;
  }
  record(*stmts_, e.local_time, e.venue, e.cid, "accepted", st, "");
  w.release();
}

void db::order_rejected(const agora::order_rejected& e) {
  write_scope w{*stmts_, in_tx_};
  auto st = load_order(*stmts_, e.venue, e.cid);
  std::string_view kind = "rejected";
  if (st && !is_terminal(st->status)) {
    if (st->status == order_status::pending_cancel && st->oid.valid()) {
      // The order lives on the venue: what was refused is the cancel.
      kind = "cancel_rejected";
      st->status = st->cum.is_positive() ? order_status::partially_filled
                                         : order_status::accepted;
    } else {
      st->status = order_status::rejected;
    }
  }
  std::string detail{to_string(e.reason)};
  if (!e.detail.empty())
    detail += ": " + e.detail;
  record(*stmts_, e.local_time, e.venue, e.cid, kind, st, detail);
  w.release();
}

void db::cancel_requested(const cancel_order& c) {
  write_scope w{*stmts_, in_tx_};
  auto st = load_order(*stmts_, c.venue, c.cid);
  if (st && !is_terminal(st->status))
    st->status = order_status::pending_cancel;
  record(*stmts_, c.local_time, c.venue, c.cid, "cancel_requested", st, "");
  w.release();
}

void db::order_canceled(const agora::order_canceled& e) {
  write_scope w{*stmts_, in_tx_};
  auto st = load_order(*stmts_, e.venue, e.cid);
  if (st) {
    st->cum = std::max(st->cum, e.cum_qty);
    if (!st->oid.valid())
      st->oid = e.oid;
    if (!is_terminal(st->status))
      st->status = e.reason == cancel_reason::expired ? order_status::expired
                                                       : order_status::canceled;
  }
  record(*stmts_, e.local_time, e.venue, e.cid, "canceled", st,
         to_string(e.reason));
  w.release();
}

db::once db::order_new_once(const submit_order& o, uint64_t run, nanos now) {
  if (auto known = load_order(*stmts_, o.venue, o.cid))
    return known->qty == o.qty ? once::known : once::conflict;
  order_new(o, run, now);
  return once::inserted;
}

bool db::fill(const order_filled& e) {
  write_scope w{*stmts_, in_tx_};
  int inserted = 0;
  {
    auto s = stmts_->use(sid::insert_fill);
    s.bind_text(1, e.venue.str())
      .bind_uint(2, e.cid.value)
      .bind_uint(3, e.oid.value)
      .bind_text(4, e.symbol.str())
      .bind_text(5, to_string(e.sd))
      .bind_uint(6, e.tid.value)
      .bind_int(7, e.fill_px.raw())
      .bind_int(8, e.fill_qty.raw())
      .bind_int(9, e.cum_qty.raw())
      .bind_int(10, e.leaves_qty.raw())
      .bind_int(11, e.fee.raw())
      .bind_text(12, to_string(e.liq))
      .bind_text(13, e.strategy)
      .bind_int(14, e.venue_time)
      .bind_int(15, e.local_time);
    inserted = s.run();
  }
  if (inserted == 0) {
    w.release();
    return false;
  }
  auto st = load_order(*stmts_, e.venue, e.cid);
  if (st) {
    st->cum = std::max(st->cum, e.cum_qty);
    if (!st->oid.valid())
      st->oid = e.oid;
    if (!is_terminal(st->status)) {
      if (e.leaves_qty.is_zero() || st->cum >= st->qty)
        st->status = order_status::filled;
      else if (st->status != order_status::pending_cancel)
        st->status = order_status::partially_filled;
    }
  }
  std::string detail = "qty=" + e.fill_qty.to_string() + " px="
                       + e.fill_px.to_string() + " tid="
                       + std::to_string(e.tid.value);
  record(*stmts_, e.local_time, e.venue, e.cid, "filled", st, detail);
  w.release();
  return true;
}

void db::order_closed(const venue_id& venue, client_order_id cid,
                      order_status status, const std::string& detail,
                      nanos now) {
  write_scope w{*stmts_, in_tx_};
  auto st = load_order(*stmts_, venue, cid);
  if (st && !is_terminal(st->status))
    st->status = status;
  record(*stmts_, now, venue, cid, "closed", st, detail);
  w.release();
}

void db::signal(const signal_record& r) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_signal);
    s.bind_int(1, r.time)
      .bind_text(2, r.strategy)
      .bind_text(3, r.venue.str())
      .bind_text(4, r.symbol.str())
      .bind_text(5, r.name)
      .bind_real(6, r.z)
      .bind_int(7, r.acted ? 1 : 0)
      .bind_text(8, r.why);
    if (stmts_->version >= 2)
      s.bind_real(9, r.rho);
    s.run();
  }
  w.release();
}

void db::bar(const bar_record& b, size_t keep) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_bar);
    s.bind_text(1, b.strategy).bind_int(2, b.time).bind_int(3, b.close.raw());
    s.run();
  }
  {
    auto s = stmts_->use(sid::prune_bars);
    s.bind_text(1, b.strategy).bind_int(2, count_limit(keep));
    s.run();
  }
  w.release();
}

void db::risk_event(const risk_event_record& r) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_risk_event);
    s.bind_int(1, r.time)
      .bind_text(2, r.kind)
      .bind_text(3, r.state)
      .bind_text(4, r.detail)
      .bind_text(5, r.by);
    s.run();
  }
  w.release();
}

void db::alert(const alert_raised& a) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_alert);
    s.bind_int(1, a.local_time)
      .bind_text(2, to_string(a.level))
      .bind_text(3, a.source)
      .bind_text(4, a.text);
    s.run();
  }
  w.release();
}

void db::restart(const restart_record& r) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_restart);
    s.bind_int(1, r.time)
      .bind_text(2, r.supervisor)
      .bind_text(3, r.child)
      .bind_uint(4, r.restarts)
      .bind_text(5, r.reason);
    s.run();
  }
  w.release();
}

void db::pnl(const pnl_record& p) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_pnl);
    s.bind_int(1, p.time)
      .bind_int(2, p.realized.raw())
      .bind_int(3, p.unrealized.raw())
      .bind_int(4, p.gross_exposure.raw())
      .bind_int(5, p.fees.raw());
    s.run();
  }
  w.release();
}

void db::reconcile(const reconcile_record& r) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_reconcile);
    s.bind_int(1, r.time)
      .bind_text(2, r.venue.str())
      .bind_text(3, r.action)
      .bind_text(4, r.key)
      .bind_int(5, r.expected.raw())
      .bind_int(6, r.actual.raw())
      .bind_text(7, r.detail)
      .bind_text(8, r.by);
    s.run();
  }
  w.release();
}

void db::set_baseline(const venue_id& venue, const std::string& key,
                      quantity qty, nanos now) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::upsert_baseline);
    s.bind_text(1, venue.str()).bind_text(2, key).bind_int(3, qty.raw())
      .bind_int(4, now);
    s.run();
  }
  w.release();
}

void db::add_adjustment(const venue_id& venue, const std::string& key,
                        quantity delta, const std::string& by, nanos now) {
  write_scope w{*stmts_, in_tx_};
  {
    auto s = stmts_->use(sid::insert_adjustment);
    s.bind_int(1, now)
      .bind_text(2, venue.str())
      .bind_text(3, key)
      .bind_int(4, delta.raw())
      .bind_text(5, by);
    s.run();
  }
  w.release();
}

// -- reads --------------------------------------------------------------------

std::vector<order_row> db::orders(const query& q) const {
  auto s = stmts_->use(sid::select_orders);
  bind_opt(s, 1, q.venue);
  bind_opt(s, 2, q.symbol);
  bind_opt(s, 3, q.strategy);
  s.bind_int(4, q.since).bind_int(5, q.open_only ? 1 : 0)
    .bind_int(6, limit_of(q.limit));
  std::vector<order_row> out;
  while (s.step())
    out.push_back(read_order(s));
  return out;
}

std::vector<order_row> db::open_orders(const venue_id& venue) const {
  auto s = stmts_->use(sid::select_open_orders);
  s.bind_text(1, venue.str());
  std::vector<order_row> out;
  while (s.step())
    out.push_back(read_order(s));
  return out;
}

std::optional<order_row> db::order(const venue_id& venue,
                                   client_order_id cid) const {
  auto s = stmts_->use(sid::select_order);
  s.bind_text(1, venue.str()).bind_uint(2, cid.value);
  if (!s.step())
    return std::nullopt;
  return read_order(s);
}

std::vector<order_filled> db::fills(const query& q) const {
  auto s = stmts_->use(sid::select_fills);
  bind_opt(s, 1, q.venue);
  bind_opt(s, 2, q.symbol);
  bind_opt(s, 3, q.strategy);
  s.bind_int(4, q.since).bind_int(5, limit_of(q.limit));
  std::vector<order_filled> out;
  while (s.step())
    out.push_back(read_fill(s));
  return out;
}

std::vector<order_filled>
db::all_fills(const std::optional<venue_id>& venue) const {
  auto s = stmts_->use(sid::select_all_fills);
  bind_opt(s, 1, venue);
  std::vector<order_filled> out;
  while (s.step())
    out.push_back(read_fill(s));
  return out;
}

std::vector<signal_record> db::signals(const query& q) const {
  auto s = stmts_->use(sid::select_signals);
  bind_opt(s, 1, q.venue);
  bind_opt(s, 2, q.symbol);
  bind_opt(s, 3, q.strategy);
  s.bind_int(4, q.since).bind_int(5, q.blocked_only ? 1 : 0)
    .bind_int(6, limit_of(q.limit));
  std::vector<signal_record> out;
  while (s.step()) {
    signal_record r;
    r.time = s.int_at(0);
    r.strategy = s.text_at(1);
    r.venue = venue_id{s.text_at(2)};
    r.symbol = symbol_id{s.text_at(3)};
    r.name = s.text_at(4);
    r.z = s.real_at(5);
    r.rho = s.real_at(6);
    r.acted = s.int_at(7) != 0;
    r.why = s.text_at(8);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<bar_record> db::bars(const std::string& strategy, size_t n) const {
  auto s = stmts_->use(sid::select_bars);
  s.bind_text(1, strategy).bind_int(2, count_limit(n));
  std::vector<bar_record> out;
  while (s.step()) {
    bar_record b;
    b.strategy = s.text_at(0);
    b.time = s.int_at(1);
    b.close = price::from_raw(s.int_at(2));
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<pnl_record> db::pnl(const query& q) const {
  auto s = stmts_->use(sid::select_pnl);
  s.bind_int(1, q.since).bind_int(2, limit_of(q.limit));
  std::vector<pnl_record> out;
  while (s.step()) {
    pnl_record p;
    p.time = s.int_at(0);
    p.realized = notional::from_raw(s.int_at(1));
    p.unrealized = notional::from_raw(s.int_at(2));
    p.gross_exposure = notional::from_raw(s.int_at(3));
    p.fees = notional::from_raw(s.int_at(4));
    out.push_back(p);
  }
  return out;
}

std::vector<reconcile_record> db::reconciles(const query& q) const {
  auto s = stmts_->use(sid::select_reconciles);
  bind_opt(s, 1, q.venue);
  s.bind_int(2, q.since).bind_int(3, limit_of(q.limit));
  std::vector<reconcile_record> out;
  while (s.step()) {
    reconcile_record r;
    r.time = s.int_at(0);
    r.venue = venue_id{s.text_at(1)};
    r.action = s.text_at(2);
    r.key = s.text_at(3);
    r.expected = quantity::from_raw(s.int_at(4));
    r.actual = quantity::from_raw(s.int_at(5));
    r.detail = s.text_at(6);
    r.by = s.text_at(7);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<risk_event_record> db::risk_events(const query& q) const {
  auto s = stmts_->use(sid::select_risk_events);
  s.bind_int(1, q.since).bind_int(2, limit_of(q.limit));
  std::vector<risk_event_record> out;
  while (s.step()) {
    risk_event_record r;
    r.time = s.int_at(0);
    r.kind = s.text_at(1);
    r.state = s.text_at(2);
    r.detail = s.text_at(3);
    r.by = s.text_at(4);
    out.push_back(std::move(r));
  }
  return out;
}

std::map<std::string, quantity> db::baselines(const venue_id& venue) const {
  return holdings_of(stmts_->use(sid::select_baselines), venue);
}

std::map<std::string, quantity> db::adjustments(const venue_id& venue) const {
  return holdings_of(stmts_->use(sid::select_adjustments), venue);
}

std::map<symbol_id, quantity> db::net_fills(const venue_id& venue) const {
  auto s = stmts_->use(sid::select_net_fills);
  s.bind_text(1, venue.str());
  std::map<symbol_id, quantity> out;
  while (s.step())
    out[symbol_id{s.text_at(0)}] = quantity::from_raw(s.int_at(1));
  return out;
}

std::vector<std::pair<std::string, std::string>> db::rejections() const {
  auto s = stmts_->use(sid::select_rejections);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step())
    out.emplace_back(s.text_at(0), s.text_at(1));
  return out;
}

std::map<std::string, uint64_t> db::counts() const {
  std::map<std::string, uint64_t> out;
  for (auto table : detail::tables(stmts_->version)) {
    const std::string name{table};
    auto owner = prepare_once(h_, "SELECT count(*) FROM " + name,
                              "count " + name);
    statement s{h_, owner.get(), "count rows"};
    out[name] = s.step() ? s.uint_at(0) : 0;
  }
  return out;
}

export_summary db::export_csv(const std::string& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw journal_error("journal: export to " + dir + ": " + ec.message(),
                        SQLITE_CANTOPEN);
  // One read transaction: every file shows the same moment.
  const bool own = sqlite3_get_autocommit(h_) != 0;
  if (own)
    detail::exec(h_, "BEGIN", "export: begin");
  export_summary out;
  try {
    for (auto table : detail::tables(stmts_->version)) {
      std::string name{table};
      auto rows = export_table(h_, table,
                               std::filesystem::path{dir} / (name + ".csv"));
      out.tables.emplace_back(std::move(name), rows);
    }
  } catch (...) {
    if (own)
      rollback_quietly(h_);
    throw;
  }
  if (own)
    detail::exec(h_, "COMMIT", "export: commit");
  return out;
}

std::string_view to_string(open_failure f) noexcept {
  switch (f) {
    case open_failure::none: return "none";
    case open_failure::not_a_database: return "not_a_database";
    case open_failure::corrupt: return "corrupt";
    case open_failure::locked: return "locked";
    case open_failure::read_only: return "read_only";
    case open_failure::too_new: return "too_new";
    case open_failure::io: return "io";
  }
  return "unknown";
}

} // namespace agora::journal
