#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/supervision/restart_policy.hpp"
#include "messages/time.hpp"

namespace agora {

/// How to start (and restart) one child.
struct child_spec {
  std::string name;  ///< Unique among siblings: "feed", "book:BTCUSDT".
  std::string kind;  ///< Shown in the graph: "feed", "book", "supervisor", ...
  restart_type restart = restart_type::permanent;
  /// If not empty, the child is put into CAF's registry under this atom on
  /// every (re)start (well-known singletons: alerts, risk).
  caf::atom_value well_known = caf::atom("");
  /// Under rest_for_one, not stopped and restarted with an earlier sibling
  /// that failed: the child re-attaches to the restarted sibling by itself
  /// (a book follows its venue's new feed through the directory). Its own
  /// failure still restarts it and everything after it.
  bool follows_restarts = false;
  /// Spawns the child; `path` is its stable name in the directory.
  std::function<caf::actor(caf::actor_system&, const std::string& path)> start;
};

/// Everything a supervisor needs.
struct supervisor_config {
  std::string name;   ///< Own name among its siblings ("agora" for the root).
  std::string path;   ///< Own stable path in the directory.
  restart_strategy strategy = restart_strategy::one_for_one;
  restart_params params;
  caf::actor directory;
  const clock_source* clock = nullptr;
  std::vector<child_spec> children; ///< Started in order.
};

/// Spawns a supervisor. Children are linked to it: when it dies, they die.
/// It traps its children's exits and restarts them by policy; past the
/// restart intensity it quits with an error, which its own parent sees as a
/// failure of this child (escalation).
///
/// Messages: `(caf::add_atom, child_spec)` -> caf::actor (adds and starts a
/// child at runtime; error if the name is taken); `(caf::delete_atom,
/// std::string name)` -> caf::ok_atom (stops and removes a child);
/// `stats_atom` -> actor_stats.
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg);

/// Joins a parent path and a child name: "" + "risk" = "risk",
/// "venue:sim" + "feed" = "venue:sim/feed". The root's children have no prefix.
std::string child_path(const std::string& parent_path, bool parent_is_root,
                       const std::string& name);

} // namespace agora

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(agora::child_spec)
