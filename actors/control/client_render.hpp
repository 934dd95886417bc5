#pragma once

#include <string>

#include <rapidjson/document.h>

#include "messages/time.hpp"

namespace agora {

// Text renderings of the control API's journal and reconciliation answers,
// for the CLI (`agora fills`, `signals`, `pnl`, `reconcile`). Each takes the
// parsed JSON answer and returns the whole text; a missing or mistyped
// member shows as empty or "-", never as undefined behaviour.

/// "2023-11-14 22:13:20.123" (UTC, milliseconds); "-" for t <= 0.
std::string format_utc_ms(nanos t);

/// A decimal with exactly 8 places ("1" -> "1.00000000"); text that is not
/// a decimal comes back unchanged.
std::string format_decimal8(const std::string& text);

/// Table TIME (UTC) VENUE SYMBOL SIDE QTY PX FEE LIQ CID STRATEGY of
/// {"fills": [...]}, one line per fill in the answer's order.
std::string render_fills(const rapidjson::Value& doc);

/// Table TIME (UTC) STRATEGY SYMBOL NAME Z RHO ACTED WHY of
/// {"signals": [...]}.
std::string render_signals(const rapidjson::Value& doc);

/// The live realized / unrealized / gross exposure, then the table of
/// journaled snapshots, of {"snapshots": [...], "live": {...}}.
std::string render_pnl(const rapidjson::Value& doc);

/// The trading states set below global in a GET /v1/status answer, one line
/// each: "scope          venue:sim HALTED by cli since 2026-11-23 13:30:00.000
/// (maintenance)"; empty when there are none.
std::string render_scopes(const rapidjson::Value& status);

/// How reconciliation stands over all venues.
enum class reconcile_verdict {
  clean = 1,   ///< Every venue reconciled without a difference.
  mismatch,    ///< At least one venue differs from the journal.
  incomplete,  ///< No difference, but some venue could not be read (yet).
};

/// The verdict of a GET /v1/reconcile answer: a mismatch anywhere wins over
/// an incomplete venue.
reconcile_verdict verdict_of(const rapidjson::Value& doc);

/// `agora reconcile`'s exit code: 0 clean, 3 mismatch, 4 incomplete.
int exit_code(reconcile_verdict v) noexcept;

/// Per venue one line, "bn-spot  OK (startup, 3 orders recovered, 1 orphan
/// cancelled)", "MISMATCH" with one line per difference ("  BTC  journal
/// 1.00000000  venue 1.50000000  (venue +0.5)") or "INCOMPLETE: <error>";
/// then the trading state and its reason; then the recent reconciliation
/// records.
std::string render_reconcile(const rapidjson::Value& doc);

} // namespace agora
