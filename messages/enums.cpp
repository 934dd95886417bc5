#include "messages/enums.hpp"

#include "messages/time.hpp"

namespace agora {

const clock_source& default_clock() noexcept {
  static const wall_clock instance;
  return instance;
}

std::string_view to_string(side x) noexcept {
  switch (x) {
    case side::buy: return "buy";
    case side::sell: return "sell";
  }
  return "unset";
}

std::string_view to_string(order_type x) noexcept {
  switch (x) {
    case order_type::limit: return "limit";
    case order_type::market: return "market";
  }
  return "unset";
}

std::string_view to_string(time_in_force x) noexcept {
  switch (x) {
    case time_in_force::gtc: return "gtc";
    case time_in_force::ioc: return "ioc";
    case time_in_force::post_only: return "post_only";
  }
  return "unset";
}

std::string_view to_string(order_status x) noexcept {
  switch (x) {
    case order_status::pending_new: return "pending_new";
    case order_status::accepted: return "accepted";
    case order_status::partially_filled: return "partially_filled";
    case order_status::pending_cancel: return "pending_cancel";
    case order_status::filled: return "filled";
    case order_status::canceled: return "canceled";
    case order_status::rejected: return "rejected";
    case order_status::expired: return "expired";
  }
  return "unset";
}

std::string_view to_string(liquidity x) noexcept {
  switch (x) {
    case liquidity::maker: return "maker";
    case liquidity::taker: return "taker";
  }
  return "unset";
}

std::string_view to_string(trading_state x) noexcept {
  switch (x) {
    case trading_state::active: return "ACTIVE";
    case trading_state::reducing: return "REDUCING";
    case trading_state::halted: return "HALTED";
  }
  return "unset";
}

std::string_view to_string(alert_level x) noexcept {
  switch (x) {
    case alert_level::info: return "INFO";
    case alert_level::warning: return "WARNING";
    case alert_level::critical: return "CRITICAL";
  }
  return "unset";
}

std::string_view to_string(run_mode x) noexcept {
  switch (x) {
    case run_mode::shadow: return "SHADOW";
    case run_mode::paper: return "PAPER";
    case run_mode::live: return "LIVE";
  }
  return "unset";
}

std::string_view to_string(reject_reason x) noexcept {
  switch (x) {
    case reject_reason::trading_halted: return "TRADING_HALTED";
    case reject_reason::reduce_only: return "REDUCE_ONLY";
    case reject_reason::max_order_notional: return "MAX_ORDER_NOTIONAL";
    case reject_reason::position_cap: return "POSITION_CAP";
    case reject_reason::gross_exposure: return "GROSS_EXPOSURE";
    case reject_reason::rate_limited: return "RATE_LIMITED";
    case reject_reason::below_min_notional: return "BELOW_MIN_NOTIONAL";
    case reject_reason::invalid_quantity: return "INVALID_QUANTITY";
    case reject_reason::invalid_price: return "INVALID_PRICE";
    case reject_reason::post_only_would_cross: return "POST_ONLY_WOULD_CROSS";
    case reject_reason::unknown_symbol: return "UNKNOWN_SYMBOL";
    case reject_reason::duplicate_client_id: return "DUPLICATE_CLIENT_ID";
    case reject_reason::unknown_order: return "UNKNOWN_ORDER";
    case reject_reason::venue_unavailable: return "VENUE_UNAVAILABLE";
    case reject_reason::venue_rejected: return "VENUE_REJECTED";
    case reject_reason::no_liquidity: return "NO_LIQUIDITY";
    case reject_reason::strategy_stopped: return "STRATEGY_STOPPED";
    case reject_reason::journal_unavailable: return "JOURNAL_UNAVAILABLE";
    case reject_reason::group_cap: return "GROUP_CAP";
    case reject_reason::position_mismatch: return "POSITION_MISMATCH";
    case reject_reason::macro_window: return "MACRO_WINDOW";
  }
  return "UNSET";
}

std::string_view to_string(stale_reason x) noexcept {
  switch (x) {
    case stale_reason::sequence_gap: return "sequence_gap";
    case stale_reason::crossed_book: return "crossed_book";
    case stale_reason::feed_lost: return "feed_lost";
    case stale_reason::awaiting_snapshot: return "awaiting_snapshot";
  }
  return "unset";
}

std::string_view to_string(cancel_reason x) noexcept {
  switch (x) {
    case cancel_reason::requested: return "requested";
    case cancel_reason::halt: return "halt";
    case cancel_reason::ioc_remainder: return "ioc_remainder";
    case cancel_reason::shutdown: return "shutdown";
    case cancel_reason::self_trade: return "self_trade";
    case cancel_reason::expired: return "expired";
  }
  return "unset";
}

std::optional<side> parse_side(std::string_view s) noexcept {
  if (s == "buy" || s == "BUY")
    return side::buy;
  if (s == "sell" || s == "SELL")
    return side::sell;
  return std::nullopt;
}

std::optional<time_in_force> parse_time_in_force(std::string_view s) noexcept {
  if (s == "gtc" || s == "GTC")
    return time_in_force::gtc;
  if (s == "ioc" || s == "IOC")
    return time_in_force::ioc;
  if (s == "post_only" || s == "POST_ONLY")
    return time_in_force::post_only;
  return std::nullopt;
}

std::optional<trading_state> parse_trading_state(std::string_view s) noexcept {
  if (s == "active" || s == "ACTIVE")
    return trading_state::active;
  if (s == "reducing" || s == "REDUCING")
    return trading_state::reducing;
  if (s == "halted" || s == "HALTED")
    return trading_state::halted;
  return std::nullopt;
}

std::string_view to_string(scope_kind x) noexcept {
  switch (x) {
    case scope_kind::global: return "global";
    case scope_kind::venue: return "venue";
    case scope_kind::strategy: return "strategy";
    case scope_kind::symbol: return "symbol";
  }
  return "unset";
}

std::string_view to_string(two_leg_outcome x) noexcept {
  switch (x) {
    case two_leg_outcome::filled: return "filled";
    case two_leg_outcome::none: return "none";
    case two_leg_outcome::unwound: return "unwound";
    case two_leg_outcome::unwind_failed: return "unwind_failed";
  }
  return "unset";
}

std::optional<scope_kind> parse_scope_kind(std::string_view s) noexcept {
  if (s == "global")
    return scope_kind::global;
  if (s == "venue")
    return scope_kind::venue;
  if (s == "strategy")
    return scope_kind::strategy;
  if (s == "symbol")
    return scope_kind::symbol;
  return std::nullopt;
}

std::optional<run_mode> parse_run_mode(std::string_view s) noexcept {
  if (s == "shadow" || s == "SHADOW")
    return run_mode::shadow;
  if (s == "paper" || s == "PAPER")
    return run_mode::paper;
  if (s == "live" || s == "LIVE")
    return run_mode::live;
  return std::nullopt;
}

} // namespace agora
