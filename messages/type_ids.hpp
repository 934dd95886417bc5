#pragma once

// The one CAF type-ID block of Agora. Every type that travels in a message is
// listed here; with CAF_ENABLE_TYPE_ID_CHECKS (set for every target) sending
// an unlisted type is a compile error. Append only: ids are positional.

#include <caf/type_id.hpp>

#include "messages/market_data.hpp"
#include "messages/journal.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"
#include "messages/trading.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(agora, caf::first_custom_type_id)

  // market data
  CAF_ADD_TYPE_ID(agora, (agora::book_level))
  CAF_ADD_TYPE_ID(agora, (agora::instrument_spec))
  CAF_ADD_TYPE_ID(agora, (agora::book_snapshot))
  CAF_ADD_TYPE_ID(agora, (agora::book_delta))
  CAF_ADD_TYPE_ID(agora, (agora::book_delta_batch))
  CAF_ADD_TYPE_ID(agora, (agora::trade_tick))
  CAF_ADD_TYPE_ID(agora, (agora::top_of_book))
  CAF_ADD_TYPE_ID(agora, (agora::book_view))
  CAF_ADD_TYPE_ID(agora, (agora::book_stale))
  CAF_ADD_TYPE_ID(agora, (agora::bar))

  // orders
  CAF_ADD_TYPE_ID(agora, (agora::submit_order))
  CAF_ADD_TYPE_ID(agora, (agora::cancel_order))
  CAF_ADD_TYPE_ID(agora, (agora::order_accepted))
  CAF_ADD_TYPE_ID(agora, (agora::order_rejected))
  CAF_ADD_TYPE_ID(agora, (agora::order_filled))
  CAF_ADD_TYPE_ID(agora, (agora::order_canceled))
  CAF_ADD_TYPE_ID(agora, (agora::order_view))
  CAF_ADD_TYPE_ID(agora, (agora::orders_report))
  CAF_ADD_TYPE_ID(agora, (agora::position_view))
  CAF_ADD_TYPE_ID(agora, (agora::positions_report))

  // trading state, alerts
  CAF_ADD_TYPE_ID(agora, (agora::halt_trading))
  CAF_ADD_TYPE_ID(agora, (agora::resume_trading))
  CAF_ADD_TYPE_ID(agora, (agora::trading_state_changed))
  CAF_ADD_TYPE_ID(agora, (agora::trading_state_acknowledged))
  CAF_ADD_TYPE_ID(agora, (agora::alert_raised))

  // directory, graph, status
  CAF_ADD_TYPE_ID(agora, (agora::actor_entry))
  CAF_ADD_TYPE_ID(agora, (agora::actor_replaced))
  CAF_ADD_TYPE_ID(agora, (agora::child_restarted))
  CAF_ADD_TYPE_ID(agora, (agora::actor_stats))
  CAF_ADD_TYPE_ID(agora, (agora::graph_node))
  CAF_ADD_TYPE_ID(agora, (agora::graph_report))
  CAF_ADD_TYPE_ID(agora, (agora::status_report))

  // venue plumbing and control
  CAF_ADD_TYPE_ID(agora, (agora::wire_frame))
  CAF_ADD_TYPE_ID(agora, (agora::connection_lost))
  CAF_ADD_TYPE_ID(agora, (agora::follow_symbol))
  CAF_ADD_TYPE_ID(agora, (agora::unfollow_symbol))
  CAF_ADD_TYPE_ID(agora, (agora::snapshot_request))
  CAF_ADD_TYPE_ID(agora, (agora::inject_fault))
  CAF_ADD_TYPE_ID(agora, (agora::spawn_symbol))
  CAF_ADD_TYPE_ID(agora, (agora::stop_symbol))
  CAF_ADD_TYPE_ID(agora, (agora::command_failed))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::actor_entry>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::instrument_spec>))
  CAF_ADD_TYPE_ID(agora, (agora::symbol_id))
  CAF_ADD_TYPE_ID(agora, (agora::venue_id))
  CAF_ADD_TYPE_ID(agora, (agora::client_order_id))

  // Payload-free verbs (atoms: at most 10 characters).
  CAF_ADD_ATOM(agora, agora, stats_atom, "stats")
  CAF_ADD_ATOM(agora, agora, graph_atom, "graph")
  CAF_ADD_ATOM(agora, agora, status_atom, "status")
  CAF_ADD_ATOM(agora, agora, orders_atom, "orders")
  CAF_ADD_ATOM(agora, agora, positions_atom, "positions")
  CAF_ADD_ATOM(agora, agora, restart_atom, "restart")
  CAF_ADD_ATOM(agora, agora, register_atom, "register")
  CAF_ADD_ATOM(agora, agora, lookup_atom, "lookup")
  CAF_ADD_ATOM(agora, agora, list_atom, "list")
  CAF_ADD_ATOM(agora, agora, heartbeat_atom, "heartbeat")
  CAF_ADD_ATOM(agora, agora, generate_atom, "generate")
  CAF_ADD_ATOM(agora, agora, stop_atom, "stop")
  CAF_ADD_ATOM(agora, agora, shutdown_atom, "shutdown")
  CAF_ADD_ATOM(agora, agora, spec_atom, "spec")
  CAF_ADD_ATOM(agora, agora, timer_atom, "timer")
  CAF_ADD_ATOM(agora, agora, expire_atom, "expire")
  CAF_ADD_ATOM(agora, agora, cancel_all_atom, "cancelall")
  CAF_ADD_ATOM(agora, agora, unsub_atom, "unsub")
  CAF_ADD_ATOM(agora, agora, resync_atom, "resync")

  // Venue adapters (Binance).
  CAF_ADD_TYPE_ID(agora, (agora::book_ticker))
  CAF_ADD_TYPE_ID(agora, (agora::funding_update))
  CAF_ADD_TYPE_ID(agora, (agora::rest_reply))
  CAF_ADD_ATOM(agora, agora, reconcile_atom, "reconcile")
  CAF_ADD_ATOM(agora, agora, keepalive_atom, "keepalive")
  CAF_ADD_ATOM(agora, agora, retry_atom, "retry")
  CAF_ADD_ATOM(agora, agora, query_atom, "query")

  // Journal, recovery and reconciliation.
  CAF_ADD_TYPE_ID(agora, (agora::signal_record))
  CAF_ADD_TYPE_ID(agora, (agora::bar_record))
  CAF_ADD_TYPE_ID(agora, (agora::risk_event_record))
  CAF_ADD_TYPE_ID(agora, (agora::restart_record))
  CAF_ADD_TYPE_ID(agora, (agora::pnl_record))
  CAF_ADD_TYPE_ID(agora, (agora::holding))
  CAF_ADD_TYPE_ID(agora, (agora::symbol_key))
  CAF_ADD_TYPE_ID(agora, (agora::venue_order))
  CAF_ADD_TYPE_ID(agora, (agora::venue_state_report))
  CAF_ADD_TYPE_ID(agora, (agora::cancel_orphan))
  CAF_ADD_TYPE_ID(agora, (agora::adopt_order))
  CAF_ADD_TYPE_ID(agora, (agora::reconcile_difference))
  CAF_ADD_TYPE_ID(agora, (agora::reconcile_report))
  CAF_ADD_TYPE_ID(agora, (agora::reconcile_record))
  CAF_ADD_TYPE_ID(agora, (agora::accept_venue_state))
  CAF_ADD_TYPE_ID(agora, (agora::journal_holdings))
  CAF_ADD_TYPE_ID(agora, (agora::holding_update))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::order_view>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::bar_record>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::order_filled>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::signal_record>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::reconcile_record>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::pnl_record>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::reconcile_report>))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::adopt_order>))
  CAF_ADD_ATOM(agora, agora, record_atom, "record")
  CAF_ADD_ATOM(agora, agora, recover_atom, "recover")
  CAF_ADD_ATOM(agora, agora, fills_atom, "fills")
  CAF_ADD_ATOM(agora, agora, signals_atom, "signals")
  CAF_ADD_ATOM(agora, agora, pnl_atom, "pnl")
  CAF_ADD_ATOM(agora, agora, venue_atom, "venue")
  CAF_ADD_ATOM(agora, agora, accept_atom, "accept")
  CAF_ADD_ATOM(agora, agora, flush_atom, "flush")

  // Trading: scoped states, two-leg trades, alerts.
  CAF_ADD_TYPE_ID(agora, (agora::trading_scope))
  CAF_ADD_TYPE_ID(agora, (agora::scoped_state))
  CAF_ADD_TYPE_ID(agora, (agora::daily_summary))
  CAF_ADD_TYPE_ID(agora, (agora::leg_order))
  CAF_ADD_TYPE_ID(agora, (agora::two_leg_request))
  CAF_ADD_TYPE_ID(agora, (agora::leg_report))
  CAF_ADD_TYPE_ID(agora, (agora::two_leg_result))
  CAF_ADD_TYPE_ID(agora, (std::vector<agora::scoped_state>))
  CAF_ADD_ATOM(agora, agora, summary_atom, "summary")
  CAF_ADD_ATOM(agora, agora, deadline_atom, "deadline")
  CAF_ADD_ATOM(agora, agora, calendar_atom, "calendar")
  CAF_ADD_ATOM(agora, agora, escalate_atom, "escalate")
  // Replay and backtest.
  CAF_ADD_TYPE_ID(agora, (agora::book_report))
  CAF_ADD_TYPE_ID(agora, (agora::feed_report))
  CAF_ADD_ATOM(agora, agora, report_atom, "report")

CAF_END_TYPE_ID_BLOCK(agora)

namespace agora {

/// Registers every Agora message type with an actor system config (needed
/// for remote actors; harmless locally).
template <class Config>
void register_message_types(Config& cfg) {
  cfg.template add_message_types<caf::id_block::agora>();
}

} // namespace agora
