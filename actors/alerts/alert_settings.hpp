#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/time.hpp"

namespace agora {

/// One external alert sink (a Telegram chat or a generic webhook): where it
/// is, which alerts it wants and how hard to try. Plain data; the config
/// loader fills it.
struct alert_sink_settings {
  std::string kind; ///< "telegram" or "webhook".
  std::string name; ///< For logs/stats, e.g. "ops-telegram".
  /// Telegram: default "https://api.telegram.org" (used when empty);
  /// webhook: the full URL (https://host[:port]/path).
  std::string base_url;
  /// Telegram: env var holding the bot token (default "TELEGRAM_BOT_TOKEN",
  /// used when empty); webhook: optional env var whose value is sent as
  /// "Authorization".
  std::string token_env;
  std::string chat_id; ///< Telegram only.
  /// Lower levels are not sent to this sink.
  alert_level min_level = alert_level::warning;
  /// Extra CA (tests: the local server's self-signed cert). Empty: system
  /// store.
  std::string ca_file;
  bool verify_tls = true;
  /// Alerts waiting for this sink (the one in flight not counted); beyond
  /// it the oldest lowest-level one is dropped (counted).
  size_t queue_limit = 256;
  nanos timeout = 5 * ns_per_s; ///< Per request (connect, and write + read).
  /// Attempts per alert: 5xx / 429 / connection failures are retried with
  /// backoff (backoff, 2 x backoff, 4 x backoff, ...; Retry-After honoured
  /// for 429); other statuses fail at once. At least one attempt is made.
  int max_attempts = 3;
  /// Delay before the first retry; doubles each retry.
  nanos backoff = 1 * ns_per_s;
};

/// Alert routing: throttling per level, the daily summary and the sinks.
struct alert_settings {
  /// Identical alerts within this (since the last delivery) are counted,
  /// not repeated.
  nanos throttle_info = 300 * ns_per_s;
  nanos throttle_warning = 60 * ns_per_s;
  nanos throttle_critical = 10 * ns_per_s;
  /// The daily INFO summary at this hour UTC (-1: off). It reports the last
  /// closed UTC day, so 0 (right after midnight) sends it as soon as the day
  /// is whole.
  int summary_hour_utc = 0;
  std::vector<alert_sink_settings> sinks;
};

} // namespace agora
