#include "actors/journal/schema.hpp"

#include <array>
#include <utility>

namespace agora::journal::detail {

namespace {

// Version 1: the original journal (runs, orders and their events, fills,
// signals).
constexpr std::string_view v1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_ns INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  version TEXT NOT NULL);
CREATE TABLE orders (
  venue TEXT NOT NULL,
  cid INTEGER NOT NULL,
  oid INTEGER NOT NULL DEFAULT 0,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  tif TEXT NOT NULL,
  px INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  cum_qty INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  strategy TEXT NOT NULL,
  run INTEGER NOT NULL,
  created_ns INTEGER NOT NULL,
  updated_ns INTEGER NOT NULL,
  PRIMARY KEY (venue, cid));
CREATE INDEX orders_by_status ON orders (venue, status);
CREATE TABLE order_events (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  venue TEXT NOT NULL,
  cid INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT,
  cum_qty INTEGER,
  oid INTEGER,
  detail TEXT NOT NULL);
CREATE INDEX order_events_by_order ON order_events (venue, cid);
CREATE TABLE fills (
  id INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  cid INTEGER NOT NULL,
  oid INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  tid INTEGER NOT NULL,
  px INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  cum_qty INTEGER NOT NULL,
  leaves_qty INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  liquidity TEXT NOT NULL,
  strategy TEXT NOT NULL,
  venue_time_ns INTEGER NOT NULL,
  local_time_ns INTEGER NOT NULL,
  UNIQUE (venue, cid, cum_qty));
CREATE TABLE signals (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  strategy TEXT NOT NULL,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  z REAL,
  acted INTEGER NOT NULL,
  why TEXT NOT NULL);
)sql";

// Version 2: reduce-only orders, the signal's correlation, and the tables of
// warm restarts, risk, alerts, PnL and reconciliation.
constexpr std::string_view v2 = R"sql(
ALTER TABLE orders ADD COLUMN reduce_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signals ADD COLUMN rho REAL;
CREATE INDEX fills_by_venue ON fills (venue, symbol);
CREATE TABLE bars (
  strategy TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  close INTEGER NOT NULL,
  PRIMARY KEY (strategy, time_ns));
CREATE TABLE risk_events (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  detail TEXT NOT NULL,
  who TEXT NOT NULL);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  level TEXT NOT NULL,
  source TEXT NOT NULL,
  message TEXT NOT NULL);
CREATE TABLE restarts (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  supervisor TEXT NOT NULL,
  child TEXT NOT NULL,
  restarts INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE TABLE pnl (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  realized INTEGER NOT NULL,
  unrealized INTEGER NOT NULL,
  gross_exposure INTEGER NOT NULL,
  fees INTEGER NOT NULL);
CREATE TABLE reconcile (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  venue TEXT NOT NULL,
  action TEXT NOT NULL,
  holding TEXT NOT NULL,
  expected INTEGER NOT NULL,
  actual INTEGER NOT NULL,
  detail TEXT NOT NULL,
  who TEXT NOT NULL);
CREATE TABLE baselines (
  venue TEXT NOT NULL,
  holding TEXT NOT NULL,
  qty INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  PRIMARY KEY (venue, holding));
CREATE TABLE adjustments (
  id INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  venue TEXT NOT NULL,
  holding TEXT NOT NULL,
  delta INTEGER NOT NULL,
  who TEXT NOT NULL);
)sql";

/// Every table, oldest version first: the first 5 came with version 1.
constexpr std::array<std::string_view, 13> all_tables{
  "runs", "orders", "order_events", "fills", "signals",
  "bars", "risk_events", "alerts", "restarts",
  "pnl", "reconcile", "baselines", "adjustments"};
constexpr size_t v1_table_count = 5;

constexpr std::string_view open_statuses
  = "('pending_new', 'accepted', 'partially_filled', 'pending_cancel')";

constexpr std::string_view order_columns
  = "venue, cid, oid, symbol, side, type, tif, px, qty, cum_qty, status, "
    "strategy, created_ns, updated_ns, ";

constexpr std::string_view fill_columns
  = "SELECT venue, cid, oid, symbol, side, tid, px, qty, cum_qty, leaves_qty, "
    "fee, liquidity, strategy, venue_time_ns, local_time_ns FROM fills ";

std::string order_select(int version) {
  std::string s = "SELECT ";
  s += order_columns;
  s += version >= 2 ? "reduce_only" : "0";
  s += ", run FROM orders ";
  return s;
}

} // namespace

std::string_view migration(int to) noexcept {
  switch (to) {
    case 1: return v1;
    case 2: return v2;
    default: return {};
  }
}

std::span<const std::string_view> tables(int version) noexcept {
  std::span<const std::string_view> all{all_tables};
  if (version >= 2)
    return all;
  if (version == 1)
    return all.first(v1_table_count);
  return {};
}

column_kind kind_of(std::string_view name) noexcept {
  if (name.size() > 3 && name.substr(name.size() - 3) == "_ns")
    return column_kind::time;
  if (name == "cid" || name == "oid" || name == "tid" || name == "run")
    return column_kind::id;
  if (name == "px" || name == "close")
    return column_kind::price;
  if (name == "qty" || name == "cum_qty" || name == "leaves_qty"
      || name == "expected" || name == "actual" || name == "delta")
    return column_kind::quantity;
  if (name == "fee" || name == "realized" || name == "unrealized"
      || name == "gross_exposure" || name == "fees")
    return column_kind::notional;
  return column_kind::plain;
}

std::string_view purpose(sid id) noexcept {
  switch (id) {
    case sid::savepoint: return "savepoint";
    case sid::release: return "release savepoint";
    case sid::rollback_to: return "roll back savepoint";
    case sid::begin: return "begin";
    case sid::commit: return "commit";
    case sid::rollback: return "rollback";
    case sid::insert_run: return "insert run";
    case sid::insert_order: return "insert order";
    case sid::load_order: return "load order";
    case sid::update_order: return "update order";
    case sid::insert_event: return "insert order event";
    case sid::insert_fill: return "insert fill";
    case sid::insert_signal: return "insert signal";
    case sid::insert_bar: return "insert bar";
    case sid::prune_bars: return "prune bars";
    case sid::insert_risk_event: return "insert risk event";
    case sid::insert_alert: return "insert alert";
    case sid::insert_restart: return "insert restart";
    case sid::insert_pnl: return "insert pnl";
    case sid::insert_reconcile: return "insert reconcile";
    case sid::upsert_baseline: return "set baseline";
    case sid::insert_adjustment: return "insert adjustment";
    case sid::select_orders: return "select orders";
    case sid::select_open_orders: return "select open orders";
    case sid::select_order: return "select order";
    case sid::select_fills: return "select fills";
    case sid::select_all_fills: return "select all fills";
    case sid::select_signals: return "select signals";
    case sid::select_bars: return "select bars";
    case sid::select_pnl: return "select pnl";
    case sid::select_reconciles: return "select reconciles";
    case sid::select_risk_events: return "select risk events";
    case sid::select_baselines: return "select baselines";
    case sid::select_adjustments: return "select adjustments";
    case sid::select_net_fills: return "select net fills";
    case sid::select_rejections: return "select rejections";
    case sid::count_: break;
  }
  return "statement";
}

std::string sql(sid id, int version) {
  const bool v2_schema = version >= 2;
  switch (id) {
    case sid::savepoint: return "SAVEPOINT journal_write";
    case sid::release: return "RELEASE journal_write";
    case sid::rollback_to: return "ROLLBACK TO journal_write";
    case sid::begin: return "BEGIN IMMEDIATE";
    case sid::commit: return "COMMIT";
    case sid::rollback: return "ROLLBACK";
    case sid::insert_run:
      return "INSERT INTO runs (started_ns, pid, version) VALUES (?1, ?2, ?3)";
    case sid::insert_order:
      return std::string{"INSERT INTO orders (venue, cid, oid, symbol, side, "
                         "type, tif, px, qty, cum_qty, status, strategy, run, "
                         "created_ns, updated_ns"}
             + (v2_schema ? ", reduce_only" : "")
             + ") VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11, "
               "?12, ?12"
             + (v2_schema ? ", ?13)" : ")");
    case sid::load_order:
      return "SELECT status, qty, cum_qty, oid FROM orders "
             "WHERE venue = ?1 AND cid = ?2";
    case sid::update_order:
      return "UPDATE orders SET status = ?3, cum_qty = ?4, oid = ?5, "
             "updated_ns = ?6 WHERE venue = ?1 AND cid = ?2";
    case sid::insert_event:
      return "INSERT INTO order_events (time_ns, venue, cid, kind, status, "
             "cum_qty, oid, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    case sid::insert_fill:
      return "INSERT OR IGNORE INTO fills (venue, cid, oid, symbol, side, tid, "
             "px, qty, cum_qty, leaves_qty, fee, liquidity, strategy, "
             "venue_time_ns, local_time_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
             "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    case sid::insert_signal:
      return std::string{"INSERT INTO signals (time_ns, strategy, venue, "
                         "symbol, name, z, acted, why"}
             + (v2_schema ? ", rho" : "")
             + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8"
             + (v2_schema ? ", ?9)" : ")");
    case sid::insert_bar:
      return "INSERT OR REPLACE INTO bars (strategy, time_ns, close) "
             "VALUES (?1, ?2, ?3)";
    case sid::prune_bars:
      // Everything at or before the (keep+1)-th newest (NULL, so nothing,
      // while there are no more than `keep`).
      return "DELETE FROM bars WHERE strategy = ?1 AND time_ns <= ("
             "SELECT time_ns FROM bars WHERE strategy = ?1 "
             "ORDER BY time_ns DESC LIMIT 1 OFFSET ?2)";
    case sid::insert_risk_event:
      return "INSERT INTO risk_events (time_ns, kind, state, detail, who) "
             "VALUES (?1, ?2, ?3, ?4, ?5)";
    case sid::insert_alert:
      return "INSERT INTO alerts (time_ns, level, source, message) "
             "VALUES (?1, ?2, ?3, ?4)";
    case sid::insert_restart:
      return "INSERT INTO restarts (time_ns, supervisor, child, restarts, "
             "reason) VALUES (?1, ?2, ?3, ?4, ?5)";
    case sid::insert_pnl:
      return "INSERT INTO pnl (time_ns, realized, unrealized, gross_exposure, "
             "fees) VALUES (?1, ?2, ?3, ?4, ?5)";
    case sid::insert_reconcile:
      return "INSERT INTO reconcile (time_ns, venue, action, holding, "
             "expected, actual, detail, who) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    case sid::upsert_baseline:
      return "INSERT INTO baselines (venue, holding, qty, time_ns) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (venue, holding) "
             "DO UPDATE SET qty = excluded.qty, time_ns = excluded.time_ns";
    case sid::insert_adjustment:
      return "INSERT INTO adjustments (time_ns, venue, holding, delta, who) "
             "VALUES (?1, ?2, ?3, ?4, ?5)";
    case sid::select_orders:
      return order_select(version)
             + "WHERE (?1 IS NULL OR venue = ?1) AND (?2 IS NULL OR symbol = ?2) "
               "AND (?3 IS NULL OR strategy = ?3) "
               "AND (?4 = 0 OR created_ns >= ?4) "
               "AND (?5 = 0 OR status IN "
             + std::string{open_statuses}
             + ") ORDER BY created_ns DESC, rowid DESC LIMIT ?6";
    case sid::select_open_orders:
      return order_select(version) + "WHERE venue = ?1 AND status IN "
             + std::string{open_statuses}
             + " ORDER BY created_ns ASC, rowid ASC";
    case sid::select_order:
      return order_select(version) + "WHERE venue = ?1 AND cid = ?2";
    case sid::select_fills:
      return std::string{fill_columns}
             + "WHERE (?1 IS NULL OR venue = ?1) AND (?2 IS NULL OR symbol = ?2) "
               "AND (?3 IS NULL OR strategy = ?3) "
               "AND (?4 = 0 OR local_time_ns >= ?4) "
               "ORDER BY local_time_ns DESC, id DESC LIMIT ?5";
    case sid::select_all_fills:
      return std::string{fill_columns}
             + "WHERE (?1 IS NULL OR venue = ?1) ORDER BY id ASC";
    case sid::select_signals:
      return std::string{"SELECT time_ns, strategy, venue, symbol, name, z, "}
             + (v2_schema ? "rho" : "NULL")
             + ", acted, why FROM signals "
               "WHERE (?1 IS NULL OR venue = ?1) AND (?2 IS NULL OR symbol = ?2) "
               "AND (?3 IS NULL OR strategy = ?3) "
               "AND (?4 = 0 OR time_ns >= ?4) AND (?5 = 0 OR acted = 0) "
               "ORDER BY time_ns DESC, id DESC LIMIT ?6";
    case sid::select_bars:
      return "SELECT strategy, time_ns, close FROM (SELECT strategy, time_ns, "
             "close FROM bars WHERE strategy = ?1 ORDER BY time_ns DESC "
             "LIMIT ?2) ORDER BY time_ns ASC";
    case sid::select_pnl:
      return "SELECT time_ns, realized, unrealized, gross_exposure, fees "
             "FROM pnl WHERE (?1 = 0 OR time_ns >= ?1) "
             "ORDER BY time_ns DESC, id DESC LIMIT ?2";
    case sid::select_reconciles:
      return "SELECT time_ns, venue, action, holding, expected, actual, "
             "detail, who FROM reconcile WHERE (?1 IS NULL OR venue = ?1) "
             "AND (?2 = 0 OR time_ns >= ?2) "
             "ORDER BY time_ns DESC, id DESC LIMIT ?3";
    case sid::select_risk_events:
      return "SELECT time_ns, kind, state, detail, who FROM risk_events "
             "WHERE (?1 = 0 OR time_ns >= ?1) "
             "ORDER BY time_ns DESC, id DESC LIMIT ?2";
    case sid::select_baselines:
      return "SELECT holding, qty FROM baselines WHERE venue = ?1";
    case sid::select_adjustments:
      return "SELECT holding, SUM(delta) FROM adjustments WHERE venue = ?1 "
             "GROUP BY holding";
    case sid::select_net_fills:
      return "SELECT symbol, SUM(CASE side WHEN 'buy' THEN qty ELSE -qty END) "
             "FROM fills WHERE venue = ?1 GROUP BY symbol";
    case sid::select_rejections:
      return "SELECT COALESCE(o.strategy, ''), e.detail FROM order_events e "
             "LEFT JOIN orders o ON o.venue = e.venue AND o.cid = e.cid "
             "WHERE e.kind = 'rejected' ORDER BY e.id ASC";
    case sid::count_: break;
  }
  return {};
}

} // namespace agora::journal::detail
