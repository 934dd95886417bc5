#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// Every enum starts at 1 so that 0 means "unset".

namespace agora {

enum class side : uint8_t { buy = 1, sell = 2 };

enum class order_type : uint8_t { limit = 1, market = 2 };

/// GTC rests; IOC takes what it can and cancels the rest; post_only rests
/// and is rejected when it would cross (maker only).
enum class time_in_force : uint8_t { gtc = 1, ioc = 2, post_only = 3 };

/// The order lifecycle. Terminal: filled, canceled, rejected, expired.
enum class order_status : uint8_t {
  pending_new = 1,      ///< Checked and sent; no venue answer yet.
  accepted = 2,         ///< Resting on the venue, nothing filled.
  partially_filled = 3, ///< Resting, some filled.
  pending_cancel = 4,   ///< Cancel sent, not yet confirmed.
  filled = 5,
  canceled = 6,
  rejected = 7,
  expired = 8,
};

enum class liquidity : uint8_t { maker = 1, taker = 2 };

/// Trading state at any scope: ACTIVE trades; REDUCING allows only
/// position-reducing orders; HALTED allows nothing but cancels.
enum class trading_state : uint8_t { active = 1, reducing = 2, halted = 3 };

enum class alert_level : uint8_t { info = 1, warning = 2, critical = 3 };

/// Run mode of a strategy instance.
enum class run_mode : uint8_t { shadow = 1, paper = 2, live = 3 };

/// Why an order or intent was refused. Stable codes: they are logged,
/// journaled and shown to operators.
enum class reject_reason : uint8_t {
  trading_halted = 1,
  reduce_only = 2,          ///< REDUCING state and the order would add.
  max_order_notional = 3,
  position_cap = 4,
  gross_exposure = 5,
  rate_limited = 6,
  below_min_notional = 7,
  invalid_quantity = 8,     ///< Zero after flooring to the lot, or negative.
  invalid_price = 9,        ///< Non-positive, or not a limit order's price.
  post_only_would_cross = 10,
  unknown_symbol = 11,
  duplicate_client_id = 12,
  unknown_order = 13,
  venue_unavailable = 14,
  venue_rejected = 15,
  no_liquidity = 16,        ///< Market/IOC order found nothing to take.
  strategy_stopped = 17,
  journal_unavailable = 18, ///< The order could not be made durable before sending: not sent.
  group_cap = 19,           ///< The symbol's group already holds its maximum of open positions.
  position_mismatch = 20,   ///< Flip guard: the venue's position disagrees with ours.
  macro_window = 21,        ///< A listed high-impact event is near: no new entries.
};

/// Where a trading state applies. The state an order meets is the most
/// restrictive of the global, its venue's, its strategy's and its symbol's.
enum class scope_kind : uint8_t { global = 1, venue = 2, strategy = 3, symbol = 4 };

/// How a two-leg trade ended.
enum class two_leg_outcome : uint8_t {
  filled = 1,        ///< Both legs completely filled: hedged.
  none = 2,          ///< Neither leg filled anything: nothing to unwind.
  unwound = 3,       ///< Leg risk: the unhedged part was unwound; back to flat.
  unwind_failed = 4, ///< Leg risk and the unwind did not complete: exposure remains.
};

/// Why a book was marked stale.
enum class stale_reason : uint8_t {
  sequence_gap = 1,
  crossed_book = 2,
  feed_lost = 3,
  awaiting_snapshot = 4,
};

/// Why an order was canceled.
enum class cancel_reason : uint8_t {
  requested = 1,   ///< The owner asked.
  halt = 2,        ///< A trading halt cancelled resting orders.
  ioc_remainder = 3,
  shutdown = 4,
  self_trade = 5,
  expired = 6,     ///< The venue expired it (time in force, or a post-only that would take).
};

std::string_view to_string(side) noexcept;
std::string_view to_string(order_type) noexcept;
std::string_view to_string(time_in_force) noexcept;
std::string_view to_string(order_status) noexcept;
std::string_view to_string(liquidity) noexcept;
std::string_view to_string(trading_state) noexcept;
std::string_view to_string(alert_level) noexcept;
std::string_view to_string(run_mode) noexcept;
std::string_view to_string(reject_reason) noexcept;
std::string_view to_string(stale_reason) noexcept;
std::string_view to_string(cancel_reason) noexcept;
std::string_view to_string(scope_kind) noexcept;
std::string_view to_string(two_leg_outcome) noexcept;

std::optional<side> parse_side(std::string_view) noexcept;
std::optional<time_in_force> parse_time_in_force(std::string_view) noexcept;
std::optional<trading_state> parse_trading_state(std::string_view) noexcept;
std::optional<run_mode> parse_run_mode(std::string_view) noexcept;
std::optional<scope_kind> parse_scope_kind(std::string_view) noexcept;

constexpr side opposite(side s) noexcept {
  return s == side::buy ? side::sell : side::buy;
}

/// +1 for buy, -1 for sell.
constexpr int sign(side s) noexcept { return s == side::buy ? 1 : -1; }

constexpr bool is_terminal(order_status s) noexcept {
  return s == order_status::filled || s == order_status::canceled
         || s == order_status::rejected || s == order_status::expired;
}

} // namespace agora
