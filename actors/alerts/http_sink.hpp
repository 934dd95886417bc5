#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/alerts/alert_settings.hpp"
#include "messages/time.hpp"

namespace agora {

/// Spawns one external alert sink (`settings.kind` "telegram" or
/// "webhook") with its own HTTPS client. The router spawns one per
/// configured sink and never waits for it.
///
/// Messages:
/// - `(alert_raised, uint64_t repeats)`: queue the alert (bounded by
///   queue_limit: beyond it the oldest lowest-level one is dropped and
///   counted). Alerts are POSTed one at a time, in order; a failed attempt
///   is retried as `judge_delivery` says, then the alert is counted failed
///   and the next one goes.
/// - `stats_atom` -> `actor_stats`: state "idle", "sending", "retrying" or
///   "disabled: <why>"; processed = alerts received; detail
///   "sent=N failed=N dropped=N queued=N retries=N" (plus
///   " last_error=\"...\"" once something failed).
///
/// Payloads: Telegram: POST {base_url}/bot{TOKEN}/sendMessage with
/// `telegram_message_json(chat_id, alert_message_text(a, repeats),
/// level == info)`; webhook: POST {base_url} with `webhook_json(a, repeats)`
/// and, when token_env is set, "Authorization: <its value>".
///
/// A sink that cannot work (unknown kind, bad or non-https URL, the token
/// env var unset or malformed, no chat_id) logs why at spawn and stays up
/// "disabled", dropping (and counting) what it is sent; never a crash. The
/// token, the Authorization value and the webhook's path never reach the
/// log.
caf::actor spawn_http_sink(caf::actor_system& sys, const std::string& path,
                           alert_sink_settings settings,
                           const clock_source* clock);

} // namespace agora
