#pragma once

#include <span>
#include <string>
#include <string_view>

// Private to agora_journal: the journal's tables, their migrations and the
// SQL of every statement `db` prepares.

namespace agora::journal::detail {

/// The SQL that takes the schema from version `to - 1` to `to` (1-based);
/// empty for a version this build does not know.
std::string_view migration(int to) noexcept;

/// The tables that exist at schema `version`, in creation order.
std::span<const std::string_view> tables(int version) noexcept;

/// How `export_csv` renders a column.
enum class column_kind {
  plain,     ///< As stored (text, integer, real; NULL as empty).
  price,     ///< Raw 1e-8 units, rendered as a decimal.
  quantity,
  notional,
  time,      ///< Nanoseconds since the epoch (columns named `*_ns`).
  id,        ///< A 64-bit unsigned id stored as its bit pattern (cid, oid, tid, run).
};

/// The rendering of column `name` (the same in every table).
column_kind kind_of(std::string_view name) noexcept;

/// Every statement `db` prepares once and reuses.
enum class sid : int {
  savepoint,
  release,
  rollback_to,
  begin,
  commit,
  rollback,
  insert_run,
  insert_order,
  load_order,
  update_order,
  insert_event,
  insert_fill,
  insert_signal,
  insert_bar,
  prune_bars,
  insert_risk_event,
  insert_alert,
  insert_restart,
  insert_pnl,
  insert_reconcile,
  upsert_baseline,
  insert_adjustment,
  select_orders,
  select_open_orders,
  select_order,
  select_fills,
  select_all_fills,
  select_signals,
  select_bars,
  select_pnl,
  select_reconciles,
  select_risk_events,
  select_baselines,
  select_adjustments,
  select_net_fills,
  select_rejections,
  count_,  ///< Number of statements, not a statement.
};

/// What a statement does, for error messages ("insert fill").
std::string_view purpose(sid id) noexcept;

/// The SQL of `id` against a schema at `version` (columns added by later
/// migrations read as their defaults on older schemas).
std::string sql(sid id, int version);

} // namespace agora::journal::detail
