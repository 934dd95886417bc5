#pragma once

#include <string>
#include <vector>

#include "messages/journal.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"

namespace agora {

// JSON renderings of the control API's answers (stable field names: the CLI
// and dashboards read them).

std::string to_json(const graph_report& x);
std::string to_json(const status_report& x);
std::string to_json(const orders_report& x);
std::string to_json(const positions_report& x);

/// {"fills": [{time_ns, venue, symbol, cid, oid, tid, side, px, qty, cum_qty,
/// leaves_qty, fee, liquidity, strategy}]}, in the given order (the journal
/// answers newest first). `time_ns` is the venue's time, or the local time
/// when the venue gave none; decimals are strings, ids numbers.
std::string to_json(const std::vector<order_filled>& fills);

/// {"signals": [{time_ns, strategy, venue, symbol, name, z, rho, acted,
/// why}]}; z and rho are JSON numbers (null when not finite), acted a bool.
std::string to_json(const std::vector<signal_record>& signals);

/// {"snapshots": [{time_ns, realized, unrealized, gross_exposure, fees}],
/// "live": {realized, unrealized, gross_exposure}}: the journaled PnL
/// snapshots and risk's figures now.
std::string pnl_json(const std::vector<pnl_record>& snapshots,
                     const status_report& live);

/// {"venues": [{venue, time_ns, complete, error, startup, orders_recovered,
/// orphans_canceled, fills_recovered, differences: [{key, journal, venue,
/// diff}]}], "recent": [{time_ns, venue, action, key, expected, actual,
/// detail, by}], "trading": state, "reason": state_reason}. In a difference
/// `journal` is what the journal expects, `venue` what the venue holds and
/// `diff` = venue - journal (signed decimal; "out of range" if it does not
/// fit).
std::string reconcile_json(const std::vector<reconcile_report>& venues,
                           const std::vector<reconcile_record>& recent,
                           const status_report& status);

/// {"error": what}
std::string json_error(const std::string& what);

/// {"result": what}
std::string json_result(const std::string& what);

/// Prometheus text exposition of the status and graph.
std::string to_metrics(const status_report& s, const graph_report& g);

} // namespace agora
