#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/time.hpp"

namespace agora {

/// What became of one attempt to hand an alert to an external sink.
enum class delivery_result : uint8_t {
  delivered = 1, ///< 2xx.
  retry,         ///< Try the same alert again after `delay`.
  /// Give up on this alert (attempts spent, or a status retrying cannot fix).
  failed,
};

struct delivery_verdict {
  delivery_result result = delivery_result::failed;
  nanos delay = 0; ///< Before the retry.
  /// Why it did not succeed: "HTTP 503", "connect ...: refused", ...
  std::string reason;
};

/// The longest wait a Retry-After may impose.
inline constexpr nanos max_retry_after = 600 * ns_per_s;

/// Judges attempt number `attempt` (from 1) of at most `max_attempts`.
///
/// `completed` is false when no whole response arrived (connection failure
/// or timeout; `error` says why). 2xx is delivered; 5xx, 429 and
/// connection failures are retried while attempts remain, after
/// backoff x 2^(attempt-1), or for 429 after the server's wait: the
/// Retry-After header in seconds, else Telegram's
/// {"parameters":{"retry_after":N}} in the body (capped at max_retry_after);
/// any other status fails at once. Pure; never throws on any input.
delivery_verdict judge_delivery(bool completed, unsigned status,
                                std::string_view error,
                                std::optional<std::string_view> retry_after,
                                std::string_view body, int attempt,
                                int max_attempts, nanos backoff);

} // namespace agora
