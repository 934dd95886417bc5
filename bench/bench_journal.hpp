#pragma once

// The journal actor as benchmarks spawn it (no supervisor around it).

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>

#include "actors/journal/journal_actor.hpp"
#include "actors/service/service.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

/// Starts a run in a fresh journal file at `path` and spawns the journal
/// actor on it, registered in CAF's registry as the supervisor would (erase
/// it before the actor system ends). `keep_bars`: the bench strategies close
/// a 1 ms bar per frame (production: minutes). Invalid on failure (`error`
/// says why).
inline caf::actor spawn_bench_journal(caf::actor_system& sys, const std::string& path,
                                      std::string* error,
                                      journal::sync_mode sync = journal::sync_mode::normal,
                                      size_t keep_bars = 16, bool checkpointer = true) {
  journal::open_options o;
  o.path = path;
  o.sync = sync;
  auto run = start_journal_run(o, "bench");
  if (!run.error.empty()) {
    *error = run.error;
    return {};
  }
  journal_params jp;
  jp.open = o;
  jp.run = run.run;
  jp.keep_bars = keep_bars;
  jp.checkpointer = checkpointer;
  auto j = spawn_journal(sys, "journal", std::move(jp));
  sys.registry().put(journal_name, caf::actor_cast<caf::strong_actor_ptr>(j));
  return j;
}

} // namespace agora
