#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/supervision/supervisor.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

/// What the control API needs from the service to add symbols at runtime.
struct control_hooks {
  /// The child spec of the book actor for (venue, symbol).
  std::function<child_spec(const venue_id&, const symbol_id&)> make_book;
  /// The child spec of the strategy trading (venue, symbol), named "mr:SYMBOL".
  std::function<child_spec(const venue_id&, const symbol_id&)> make_strategy;
  /// The venue used when a request names none.
  venue_id default_venue;
};

struct control_params {
  std::string address = "127.0.0.1";
  uint16_t port = 8787;
  std::string token;          ///< Bearer token every request must carry.
  std::string port_file;      ///< If set, the bound port is written here.
  caf::actor directory;
  control_hooks hooks;
  const clock_source* clock = nullptr;
};

/// Spawns the control actor: owns the HTTP/JSON control API on a loopback
/// address (the CLI is its client). Requests are served on the server's I/O
/// thread, which talks to actors with blocking requests (never an actor
/// thread). Every request needs `Authorization: Bearer <token>`.
///
/// Routes: GET /v1/graph, /v1/status, /v1/orders, /v1/positions, /metrics;
/// the journal's GET /v1/fills[?limit=N], /v1/signals[?limit=N][&blocked=1],
/// /v1/pnl[?limit=N], /v1/orders/history[?limit=N] (N from 1 to 10000,
/// default 50, newest first) and GET /v1/reconcile (risk's latest report per
/// venue, the journal's recent reconciliation records, the trading state);
/// POST /v1/halt {"reason"}, /v1/resume, /v1/spawn {"symbol","venue"},
/// /v1/stop {"symbol","venue"}, /v1/fault {"kind","symbol","duration_ms"},
/// /v1/reconcile/accept (adopt the mismatched venues' state; may take up to
/// 40 s, other requests wait meanwhile). Unknown query parameters get 400.
caf::actor spawn_control(caf::actor_system& sys, const std::string& path,
                         control_params params);

/// Reads the token from `file`, or creates the file (mode 0600, 32 random
/// bytes as hex) if it does not exist. Returns false with `error` filled on
/// any failure, including a token file readable by others.
bool load_or_create_token(const std::string& file, std::string* token,
                          std::string* error);

} // namespace agora
