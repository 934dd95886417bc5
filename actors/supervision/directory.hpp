#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/time.hpp"

namespace agora {

/// Spawns the directory: maps stable names ("venue:sim/book:BTCUSDT") to the
/// current actor handle, tells subscribers when a name gets a new handle
/// (restart) or loses it, and assembles the live graph.
///
/// Messages:
/// - `(register_atom, actor_entry, uint64_t restarts)`: from supervisors on
///   every (re)start.
/// - `(caf::delete_atom, std::string path)`: the name (and everything below
///   it) is gone for good.
/// - `(lookup_atom, std::string path)` -> caf::actor (invalid if unknown).
/// - `(caf::subscribe_atom, std::string path)` -> caf::actor (current handle,
///   maybe invalid); afterwards the sender gets `actor_replaced` messages.
/// - `(unsub_atom, std::string path)`.
/// - `(list_atom, std::string kind)` -> std::vector<actor_entry> (live ones;
///   empty kind = all).
/// - `graph_atom` -> graph_report (asks every live actor for its stats, with
///   a short timeout; silent actors show as "unresponsive").
caf::actor spawn_directory(caf::actor_system& sys, const clock_source* clock);

} // namespace agora
