#include "actors/journal/checkpointer_actor.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/journal/journal_actor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

namespace agora {

namespace {

struct checkpointer_state {
  checkpointer_params params;
  sqlite3* db = nullptr;
  uint64_t checkpoints = 0;   ///< That copied at least one frame.
  uint64_t restarts = 0;
  uint64_t frames = 0;        ///< Copied into the database.
  uint64_t failures = 0;
  int largest_wal = 0;        ///< Frames.
  std::chrono::microseconds longest{0};
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "journal_checkpointer";

  ~checkpointer_state() {
    if (db != nullptr)
      sqlite3_close_v2(db);
  }
};

using checkpointer_actor = caf::stateful_actor<checkpointer_state>;

bool open_db(checkpointer_actor* self) {
  auto& st = self->state;
  if (st.db != nullptr)
    return true;
  sqlite3* h = nullptr;
  int rc = sqlite3_open_v2(st.params.path.c_str(), &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    if (st.failures++ == 0)
      st.log->warn("checkpointer_open_failed path={} error=\"{}\"", st.params.path,
                   h != nullptr ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    sqlite3_close_v2(h);
    return false;
  }
  // A RESTART waits this long for the writer's transaction in hand.
  sqlite3_busy_timeout(h, 1000);
  sqlite3_exec(h, journal::sync_pragma(st.params.sync), nullptr, nullptr, nullptr);
  sqlite3_exec(h, "PRAGMA wal_autocheckpoint = 0", nullptr, nullptr, nullptr);
  st.db = h;
  return true;
}

void checkpoint(checkpointer_actor* self) {
  auto& st = self->state;
  if (!open_db(self))
    return;
  auto t0 = std::chrono::steady_clock::now();
  int wal = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(st.db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
  bool restart = rc == SQLITE_OK && wal > st.params.restart_frames;
  if (restart) {
    int before = copied;
    rc = sqlite3_wal_checkpoint_v2(st.db, nullptr, SQLITE_CHECKPOINT_RESTART, &wal, &copied);
    copied = std::max(copied, before);
    if (rc == SQLITE_OK)
      ++st.restarts;
  }
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
    std::chrono::steady_clock::now() - t0);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    if (st.failures++ % 1000 == 0)
      st.log->warn("checkpoint_failed path={} error=\"{}\" failures={}", st.params.path,
                   sqlite3_errmsg(st.db), st.failures);
    return;
  }
  st.largest_wal = std::max(st.largest_wal, wal);
  if (copied > 0) {
    ++st.checkpoints;
    st.frames += static_cast<uint64_t>(copied);
  }
  st.longest = std::max(st.longest, took);
  if (restart)
    st.log->info("checkpoint_restart wal_frames={} took_us={}", wal, took.count());
}

caf::behavior checkpointer_impl(checkpointer_actor* self, checkpointer_params params) {
  auto& st = self->state;
  st.params = std::move(params);
  st.log = logger("journal");
  std::string err;
  if (!lower_to_batch_priority(&err)) // as the journal's thread (see there)
    st.log->warn("checkpointer_priority_unchanged error=\"{}\"", err);
  self->delayed_send(self, st.params.period, caf::tick_atom_v);
  return {
    [self](caf::tick_atom) {
      auto& st = self->state;
      ++st.processed;
      checkpoint(self);
      self->delayed_send(self, st.params.period, caf::tick_atom_v);
    },
    [self](stats_atom) {
      auto& st = self->state;
      ++st.processed;
      return actor_stats{st.db != nullptr ? "running" : "not_open", own_mailbox_size(self),
                         st.processed,
                         "checkpoints=" + std::to_string(st.checkpoints)
                           + " restarts=" + std::to_string(st.restarts)
                           + " frames=" + std::to_string(st.frames)
                           + " largest_wal_frames=" + std::to_string(st.largest_wal)
                           + " longest_us=" + std::to_string(st.longest.count())
                           + " failures=" + std::to_string(st.failures)};
    },
  };
}

} // namespace

caf::actor spawn_checkpointer(caf::actor_system& sys, checkpointer_params params) {
  return sys.spawn<caf::detached>(checkpointer_impl, std::move(params));
}

} // namespace agora
