#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agora {

/// One `agora COMMAND ARGS...` client command, parsed: what to ask the
/// control API and how to show the answer. The CLI makes one HTTP call per
/// command (`reconcile --accept` then polls), except `journal export`, which
/// reads the journal file itself.
struct client_command {
  std::string name;             ///< "graph", "status", "fills", "journal", ...
  std::string method = "GET";
  std::string target;           ///< "/v1/fills?limit=20"; empty for `journal export`.
  std::string body;             ///< A JSON object for the POSTs that carry one.
  std::string format = "text";  ///< "text", "json" (the raw answer) or "dot" (graph).
  bool accept = false;          ///< `reconcile --accept`: POST, then poll GET /v1/reconcile.
  std::string csv_dir;          ///< `journal export --csv DIR`.
};

/// Largest `--limit` (the control API's maximum).
inline constexpr uint64_t max_client_limit = 10000;

/// Parses a client command and its arguments (`--config` already taken out).
/// Every command takes `--json` except `journal export`; other options only
/// where the usage lists them. Never throws: bad arguments give nullopt with
/// `error` ready to print after "agora: " ("usage: agora fills [--limit N]
/// [--json]", "unknown option '--x' for 'pnl' ...").
std::optional<client_command>
parse_client_command(const std::string& command,
                     const std::vector<std::string>& args, std::string* error);

} // namespace agora
