#include "venues/replay/recorder_actor.hpp"

#include <filesystem>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/replay/recording.hpp"

namespace agora::replay {

namespace {

struct recorder_state {
  recorder_params params;
  std::string path;
  std::unique_ptr<recording_writer> writer;
  nanos failed_until = 0; ///< Frames are dropped until then (0: writing).
  std::string last_error;
  uint64_t dropped = 0;
  uint64_t failures = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "recorder";
  // The writer closes its files (flushing them) when the state goes.
};

using recorder_actor = caf::stateful_actor<recorder_state>;

nanos now_of(recorder_actor* self) { return self->state.params.clock->now(); }

void failed(recorder_actor* self, const std::string& why) {
  auto& st = self->state;
  ++st.failures;
  st.last_error = why;
  st.failed_until = now_of(self) + st.params.retry_interval;
  st.log->error("recording_failed error=\"{}\": frames are dropped for {} s, then retried", why,
                st.params.retry_interval / ns_per_s);
  raise_alert(self, alert_level::critical, "recorder",
              "market data recording failed: " + why + " (trading goes on; retrying)",
              now_of(self));
}

caf::behavior recorder_impl(recorder_actor* self, std::string path, recorder_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("recorder");
  install_hygiene(self, st.path, st.log);
  std::error_code ec;
  std::filesystem::create_directories(st.params.dir, ec);
  st.writer = std::make_unique<recording_writer>(st.params.dir, st.params.daily);
  if (ec)
    failed(self, st.params.dir + ": cannot create: " + ec.message());
  st.log->info("recorder_started dir={} files_per={}", st.params.dir,
               st.params.daily ? "day" : "hour");
  self->delayed_send(self, std::chrono::nanoseconds(st.params.flush_interval), caf::tick_atom_v);
  self->attach_functor([self](const caf::error&) {
    // The registry's strong reference would keep this detached actor's
    // thread (and so the actor system's shutdown) waiting forever.
    auto& reg = self->system().registry();
    if (reg.get(recorder_name) == self->ctrl())
      reg.erase(recorder_name);
  });
  return {
    [self](const wire_frame& f) {
      auto& st = self->state;
      if (st.failed_until != 0) {
        if (now_of(self) < st.failed_until) {
          ++st.dropped;
          return;
        }
        st.failed_until = 0;
      }
      if (auto e = st.writer->append(f.venue.str(), f.local_time, f.text); !e.empty()) {
        ++st.dropped;
        failed(self, e);
      }
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      if (auto e = st.writer->flush(); !e.empty())
        failed(self, e);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.flush_interval),
                         caf::tick_atom_v);
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{st.failed_until != 0 ? "failing" : "recording", own_mailbox_size(self),
                         st.writer->lines(),
                         "dir=" + st.params.dir + " bytes=" + std::to_string(st.writer->bytes())
                           + " dropped=" + std::to_string(st.dropped) + " failures="
                           + std::to_string(st.failures)
                           + (st.last_error.empty() ? "" : " error=\"" + st.last_error + "\"")};
    },
  };
}

} // namespace

caf::actor spawn_recorder(caf::actor_system& sys, const std::string& path,
                          recorder_params params) {
  return sys.spawn<caf::detached>(recorder_impl, path, std::move(params));
}

} // namespace agora::replay
