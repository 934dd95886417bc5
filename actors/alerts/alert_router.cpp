#include "actors/alerts/alert_router.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

struct recent_alert {
  nanos last = 0;
  uint64_t suppressed = 0;
};

struct alert_router_state {
  std::string path;
  const clock_source* clock = nullptr;
  nanos throttle = 0;
  std::map<std::string, recent_alert> recent;
  uint64_t delivered = 0;
  uint64_t suppressed = 0;
  uint64_t by_level[4] = {0, 0, 0, 0};
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "alert_router";
};

using alert_router_actor = caf::stateful_actor<alert_router_state>;

void deliver(alert_router_actor* self, const alert_raised& a,
             uint64_t suppressed) {
  auto& log = *self->state.log;
  auto lvl = a.level == alert_level::critical ? spdlog::level::critical
             : a.level == alert_level::warning ? spdlog::level::warn
                                               : spdlog::level::info;
  if (suppressed > 0)
    log.log(lvl, "alert level={} source={} suppressed_repeats={} text=\"{}\"",
            a.level, a.source, suppressed, a.text);
  else
    log.log(lvl, "alert level={} source={} text=\"{}\"", a.level, a.source,
            a.text);
  ++self->state.delivered;
  ++self->state.by_level[static_cast<size_t>(a.level) & 3u];
}

caf::behavior alert_router_impl(alert_router_actor* self, std::string path,
                                const clock_source* clock, nanos throttle) {
  auto& st = self->state;
  st.path = std::move(path);
  st.clock = clock ? clock : &default_clock();
  st.throttle = throttle;
  st.log = logger("alerts");
  install_hygiene(self, st.path, st.log);
  return {
    [self](alert_raised& a) {
      auto& st = self->state;
      auto now = st.clock->now();
      auto key = std::string{to_string(a.level)} + '|' + a.source + '|' + a.text;
      auto& r = st.recent[key];
      if (r.last != 0 && now - r.last < st.throttle) {
        ++r.suppressed;
        ++st.suppressed;
        return;
      }
      auto suppressed = r.suppressed;
      r = recent_alert{now, 0};
      deliver(self, a, suppressed);
      to_journal(self, a);
      if (st.recent.size() > 4096) {
        for (auto i = st.recent.begin(); i != st.recent.end();)
          i = now - i->second.last > st.throttle ? st.recent.erase(i)
                                                 : std::next(i);
      }
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        "running", own_mailbox_size(self), st.delivered,
        "info=" + std::to_string(st.by_level[1]) + " warning="
          + std::to_string(st.by_level[2]) + " critical="
          + std::to_string(st.by_level[3]) + " suppressed="
          + std::to_string(st.suppressed)};
    },
  };
}

} // namespace

caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock, nanos throttle) {
  return sys.spawn(alert_router_impl, path, clock, throttle);
}

} // namespace agora
