#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "venues/binance/market.hpp"

// Retry classification of a Binance REST answer: what the caller must do
// next. The rules follow Binance's "HTTP Return Codes" and "Error Codes"
// pages for spot and USD-M futures; the one rule that matters most is that a
// 5xx (and the codes saying "execution status unknown") never means "failed":
// the order may exist and must be queried.

namespace agora::binance {

/// What a REST answer means for the request that produced it.
enum class error_class : uint8_t {
  ok = 1,             ///< 2xx.
  rejected,           ///< Definitive 4xx: the request had no effect (bad
                      ///< params, insufficient balance, unknown order...).
  post_only_rejected, ///< Spot -2010 "Order would immediately match and
                      ///< take."; USD-M -5022 (GTX could not be maker).
  rate_limited,       ///< 429 (or -1003/-1015): back off for retry_after.
  banned,             ///< 418: IP banned; stop sending for retry_after.
  unknown_outcome,    ///< -1006/-1007, -1000, USD-M 503 "Unknown error...",
                      ///< 408, any other 5xx, transport failure after the
                      ///< request was written: query, never assume failure.
  retryable,          ///< Definitely not executed, try again later: -1001,
                      ///< -1008, USD-M 503 "Service Unavailable." /
                      ///< "Internal error...", transport failure before
                      ///< anything was written.
  clock_skew,         ///< -1021: resync the clock offset, then retry.
  auth,               ///< 401, -1002, -1022, -2014, -2015: fatal for order
                      ///< entry (bad key, signature or permissions).
};

/// Returns a short, stable name for `x` ("ok", "unknown_outcome", ...).
const char* to_string(error_class x) noexcept;

/// The verdict on one answer. `code` and `msg` come from the error body
/// {"code":..,"msg":..} when there is one (0 and "" otherwise).
struct classification {
  error_class what = error_class::ok;
  int code = 0;
  std::string msg;
  std::chrono::milliseconds retry_after{0};
};

/// How long to wait after a 429 without a usable Retry-After header.
inline constexpr std::chrono::milliseconds default_rate_limit_backoff{1000};

/// How long to stop after a 418 without a usable Retry-After header (Binance
/// bans last from 2 minutes to 3 days).
inline constexpr std::chrono::milliseconds default_ban_backoff{120'000};

/// Classifies an HTTP answer. `retry_after_header` is the raw Retry-After
/// value (whole seconds) if the answer had one.
classification classify(unsigned http_status, std::string_view body,
                        std::optional<std::string_view> retry_after_header,
                        market m);

/// Classifies a transport failure (connect, TLS, timeout, reset): retryable
/// if nothing of the request was written, else unknown_outcome. `what` is
/// copied into `msg`.
classification classify_transport_failure(bool request_written,
                                          std::string_view what);

} // namespace agora::binance
