#include "actors/alerts/alert_router.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/alerts/alert_format.hpp"
#include "actors/alerts/alert_policy.hpp"
#include "actors/alerts/http_sink.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

/// How long risk gets to answer a summary request.
constexpr auto summary_timeout = std::chrono::seconds(5);

/// How long a sink gets to answer a stats request.
constexpr auto sink_stats_timeout = std::chrono::milliseconds(500);

struct sink_ref {
  std::string name;
  alert_level min_level = alert_level::warning;
  caf::actor handle;
};

struct alert_router_state {
  std::string path;
  const clock_source* clock = nullptr;
  alert_policy policy{alert_settings{}};
  std::vector<sink_ref> sinks;
  nanos next_summary = 0; ///< 0: summaries off.
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "alert_router";
};

using alert_router_actor = caf::stateful_actor<alert_router_state>;

/// Logs, journals and fans out one alert the policy let through.
void deliver(alert_router_actor* self, const alert_raised& a,
             uint64_t repeats) {
  auto& st = self->state;
  auto lvl = a.level == alert_level::critical  ? spdlog::level::critical
             : a.level == alert_level::warning ? spdlog::level::warn
                                               : spdlog::level::info;
  if (repeats > 0)
    st.log->log(
        lvl,
        "alert level={} source={} key={} suppressed_repeats={} text=\"{}\"",
        a.level, a.source, a.key, repeats, a.text);
  else
    st.log->log(lvl, "alert level={} source={} key={} text=\"{}\"", a.level,
                a.source, a.key, a.text);
  to_journal(self, a);
  for (const auto& s : st.sinks)
    if (a.level >= s.min_level)
      self->send(s.handle, a, repeats);
}

/// Throttles `a`, then delivers it (stamped with the router's time when it
/// came without one).
void on_alert(alert_router_actor* self, alert_raised&& a) {
  auto now = self->state.clock->now();
  if (a.local_time == 0)
    a.local_time = now;
  auto d = self->state.policy.on_alert(a, now);
  if (d.deliver)
    deliver(self, a, d.repeats);
}

/// Asks risk for the daily summary (the last closed UTC day) and raises it;
/// `done` gets the text, or why there is none.
template <class Done> void summarize(alert_router_actor* self, Done done) {
  auto risk = well_known(self->system(), risk_name);
  if (!risk) {
    done(caf::expected<std::string>{
        caf::make_error(caf::sec::runtime_error, "risk is not running")});
    return;
  }
  self->request(risk, summary_timeout, summary_atom_v)
      .then(
          [self, done](daily_summary& s) mutable {
            auto text = daily_summary_text(s);
            on_alert(self,
                     alert_raised{alert_level::info, "alerts", text,
                                  self->state.clock->now(), std::string{}});
            done(caf::expected<std::string>{std::move(text)});
          },
          [done](caf::error& e) mutable {
            done(caf::expected<std::string>{std::move(e)});
          });
}

/// Arms the timer for the next summary boundary.
void schedule_summary(alert_router_actor* self) {
  auto& st = self->state;
  auto now = st.clock->now();
  st.next_summary = st.policy.next_summary_after(now);
  if (st.next_summary != 0)
    self->delayed_send(self, std::chrono::nanoseconds(st.next_summary - now),
                       timer_atom_v);
}

std::string level_detail(const alert_policy& p) {
  return "info=" + std::to_string(p.delivered(alert_level::info))
         + " warning=" + std::to_string(p.delivered(alert_level::warning))
         + " critical=" + std::to_string(p.delivered(alert_level::critical))
         + " suppressed=" + std::to_string(p.suppressed_total())
         + " suppressed_info=" + std::to_string(p.suppressed(alert_level::info))
         + " suppressed_warning="
         + std::to_string(p.suppressed(alert_level::warning))
         + " suppressed_critical="
         + std::to_string(p.suppressed(alert_level::critical));
}

/// " sink.<name>.state=... sink.<name>.<key>=<value> ..." from a sink's
/// stats (its detail is key=value pairs, values possibly "quoted").
std::string sink_detail(const std::string& name, const actor_stats& s) {
  auto prefix = " sink." + name + ".";
  auto state = s.state;
  std::replace(state.begin(), state.end(), '"', '\'');
  std::string out = prefix + "state=";
  out += state.find(' ') == std::string::npos ? state : "\"" + state + "\"";
  const auto& d = s.detail;
  size_t i = 0;
  while (i < d.size()) {
    while (i < d.size() && d[i] == ' ')
      ++i;
    if (i >= d.size())
      break;
    auto start = i;
    bool quoted = false;
    while (i < d.size() && (quoted || d[i] != ' ')) {
      if (d[i] == '"')
        quoted = !quoted;
      ++i;
    }
    out += prefix;
    out.append(d, start, i - start);
  }
  return out;
}

/// Collects every sink's stats, then answers the stats request.
struct stats_gather {
  caf::response_promise rp;
  actor_stats out;
  std::vector<std::string> parts;
  size_t pending = 0;

  void done(size_t i, std::string part) {
    parts[i] = std::move(part);
    if (--pending > 0)
      return;
    for (auto& p : parts)
      out.detail += p;
    rp.deliver(std::move(out));
  }
};

caf::behavior alert_router_impl(alert_router_actor* self, std::string path,
                                const clock_source* clock,
                                alert_settings settings) {
  auto& st = self->state;
  st.path = std::move(path);
  st.clock = clock ? clock : &default_clock();
  st.policy = alert_policy{settings};
  st.log = logger("alerts");
  install_hygiene(self, st.path, st.log);
  for (auto& s : settings.sinks) {
    auto name = s.name.empty() ? s.kind : s.name;
    auto min_level = s.min_level;
    auto h = spawn_http_sink(self->system(), st.path + "/" + name, std::move(s),
                             st.clock);
    self->link_to(h);
    st.sinks.push_back(sink_ref{std::move(name), min_level, std::move(h)});
  }
  schedule_summary(self);
  return {
      [self](alert_raised& a) { on_alert(self, std::move(a)); },
      [self](timer_atom) {
        auto& st = self->state;
        if (st.next_summary != 0 && st.clock->now() >= st.next_summary) {
          summarize(self, [self](caf::expected<std::string> r) {
            if (r)
              return;
            auto why = caf::to_string(r.error());
            self->state.log->warn("daily_summary_failed reason=\"{}\"", why);
            on_alert(self, alert_raised{alert_level::warning, "alerts",
                                        "daily summary unavailable: " + why,
                                        self->state.clock->now(),
                                        "daily_summary_failed"});
          });
        }
        schedule_summary(self);
      },
      [self](summary_atom) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        summarize(self, [rp](caf::expected<std::string> r) mutable {
          if (r)
            rp.deliver(std::move(*r));
          else
            rp.deliver(std::move(r.error()));
        });
        return rp;
      },
      [self](stats_atom) -> caf::result<actor_stats> {
        auto& st = self->state;
        actor_stats base{"running", own_mailbox_size(self),
                         st.policy.delivered_total(), level_detail(st.policy)};
        if (st.sinks.empty())
          return base;
        auto g = std::make_shared<stats_gather>();
        g->rp = self->make_response_promise();
        g->out = std::move(base);
        g->parts.resize(st.sinks.size());
        g->pending = st.sinks.size();
        for (size_t i = 0; i < st.sinks.size(); ++i) {
          auto name = st.sinks[i].name;
          self->request(st.sinks[i].handle, sink_stats_timeout, stats_atom_v)
              .then([g, i, name](
                        actor_stats& s) { g->done(i, sink_detail(name, s)); },
                    [g, i, name](caf::error&) {
                      g->done(i, " sink." + name + ".state=unresponsive");
                    });
        }
        return g->rp;
      },
  };
}

} // namespace

caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock,
                              alert_settings settings) {
  return sys.spawn(alert_router_impl, path, clock, std::move(settings));
}

caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock, nanos throttle) {
  alert_settings s;
  s.throttle_info = throttle;
  s.throttle_warning = throttle;
  s.throttle_critical = throttle;
  s.summary_hour_utc = -1;
  return spawn_alert_router(sys, path, clock, std::move(s));
}

} // namespace agora
