#include "actors/supervision/supervisor.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

enum class child_state : uint8_t { running = 1, down = 2, stopping = 3 };

struct child_entry {
  child_spec spec;
  std::string path;
  caf::actor handle;
  child_state state = child_state::down;
  uint64_t restarts = 0;
  uint64_t pending_generation = 0;
  failure_window failures;
};

struct supervisor_state {
  supervisor_config cfg;
  restart_policy policy{restart_params{}};
  std::vector<child_entry> children;
  /// Children told to stop whose exit message has not arrived yet.
  std::vector<caf::actor_addr> stopping;
  uint64_t generation = 0;
  uint64_t total_restarts = 0;
  uint64_t processed = 0;
  bool shutting_down = false;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

bool is_abnormal(const caf::error& reason) {
  return reason && reason != caf::exit_reason::user_shutdown
         && reason != caf::exit_reason::normal;
}

nanos now_of(supervisor_actor* self) {
  return self->state.cfg.clock ? self->state.cfg.clock->now()
                               : default_clock().now();
}

bool start_child(supervisor_actor* self, child_entry& c) {
  auto& st = self->state;
  caf::actor handle;
  try {
    handle = c.spec.start(self->system(), c.path);
  } catch (const std::exception& e) {
    st.log->error("child_start_failed supervisor={} child={} what=\"{}\"",
                  st.cfg.path, c.path, e.what());
  }
  if (!handle) {
    c.state = child_state::down;
    return false;
  }
  c.handle = handle;
  c.state = child_state::running;
  self->link_to(handle);
  if (c.spec.well_known != caf::atom("")) {
    // CAF 0.17's registry keeps an existing entry on put() (and does not drop
    // it when the actor dies): remove the previous incarnation first.
    auto& reg = self->system().registry();
    reg.erase(c.spec.well_known);
    reg.put(c.spec.well_known, caf::actor_cast<caf::strong_actor_ptr>(handle));
  }
  if (st.cfg.directory)
    self->send(st.cfg.directory, register_atom_v,
               actor_entry{c.path, c.spec.kind, st.cfg.path, handle},
               c.restarts);
  return true;
}

void stop_child(supervisor_actor* self, child_entry& c, caf::error reason) {
  if (c.handle) {
    // Stay linked: exactly one exit message arrives, also when the child
    // crashed on its own and that message is already on its way. It is
    // recognised through `stopping` instead of being taken for an order to
    // shut down.
    self->state.stopping.push_back(c.handle.address());
    self->send_exit(c.handle, std::move(reason));
  }
  c.state = child_state::stopping;
}

void escalate(supervisor_actor* self, const std::string& why) {
  auto& st = self->state;
  st.log->error("restart_intensity_exceeded supervisor={} max_restarts={} "
                "within_s={} last_failure={}",
                st.cfg.path, st.cfg.params.max_restarts,
                st.cfg.params.within / ns_per_s, why);
  raise_alert(self, alert_level::critical, st.cfg.path,
              "restart intensity exceeded, escalating: " + why, now_of(self));
  st.shutting_down = true;
  self->quit(caf::make_error(caf::sec::runtime_error,
                             "restart intensity exceeded in " + st.cfg.path));
}

void schedule_restart(supervisor_actor* self, size_t index,
                      const caf::error& reason) {
  auto& st = self->state;
  auto& failed = st.children[index];
  auto now = now_of(self);
  auto recent = failed.failures.record(now, st.cfg.params.within);
  auto decision = st.policy.on_failure(now, recent);
  auto why = self->system().render(reason);
  if (decision.escalate) {
    escalate(self, failed.path + ": " + why);
    return;
  }
  auto gen = ++st.generation;
  failed.pending_generation = gen;
  failed.state = child_state::down;
  failed.handle = nullptr;
  if (st.cfg.strategy == restart_strategy::rest_for_one) {
    for (size_t j = index + 1; j < st.children.size(); ++j) {
      auto& dep = st.children[j];
      if (dep.spec.follows_restarts)
        continue;
      if (dep.state == child_state::running)
        stop_child(self, dep, caf::exit_reason::user_shutdown);
      dep.state = child_state::down;
      dep.handle = nullptr;
      dep.pending_generation = gen;
    }
  }
  st.log->warn("child_failed supervisor={} child={} reason=\"{}\" "
               "restart_in_ms={} recent_failures={}",
               st.cfg.path, failed.path, why, decision.delay / ns_per_ms,
               recent);
  self->delayed_send(self, std::chrono::nanoseconds(decision.delay),
                     restart_atom_v, gen);
}

/// Restarts every child waiting on `gen`, in start order. A wave (the failed
/// child plus, under rest_for_one, everything after it) is logged and alerted
/// once, naming the failed child and counting the dependents, so one feed drop
/// with 10,000 books is one WARNING, not 10,001.
void restart_generation(supervisor_actor* self, uint64_t gen) {
  auto& st = self->state;
  if (st.shutting_down)
    return;
  std::string first;
  uint64_t first_restarts = 0;
  size_t restarted = 0;
  auto report = [&] {
    if (restarted == 0)
      return;
    auto dependents = restarted - 1;
    st.log->warn("child_restarted supervisor={} child={} restarts={} "
                 "dependents_restarted={}",
                 st.cfg.path, first, first_restarts, dependents);
    to_journal(self, restart_record{now_of(self), st.cfg.path, first, first_restarts,
                                    dependents > 0 ? std::to_string(dependents)
                                                       + " dependent(s) restarted with it"
                                                   : std::string{}});
    raise_alert(self, alert_level::warning, st.cfg.path,
                "restarted " + first + " (restart #"
                  + std::to_string(first_restarts) + ")"
                  + (dependents > 0 ? " and " + std::to_string(dependents)
                                        + " dependent(s) started after it"
                                    : std::string{}),
                now_of(self));
  };
  for (size_t i = 0; i < st.children.size(); ++i) {
    auto& c = st.children[i];
    if (c.state != child_state::down || c.pending_generation != gen)
      continue;
    ++c.restarts;
    ++st.total_restarts;
    if (!start_child(self, c)) {
      report();
      schedule_restart(self, i, caf::make_error(caf::sec::runtime_error,
                                                "start failed"));
      return;
    }
    if (restarted++ == 0) {
      first = c.path;
      first_restarts = c.restarts;
    } else {
      st.log->debug("child_restarted supervisor={} child={} restarts={}",
                    st.cfg.path, c.path, c.restarts);
    }
  }
  report();
}

void shutdown_all(supervisor_actor* self, const caf::error& reason) {
  auto& st = self->state;
  st.shutting_down = true;
  for (auto i = st.children.rbegin(); i != st.children.rend(); ++i)
    if (i->state == child_state::running)
      stop_child(self, *i, reason);
  self->quit(reason);
}

caf::behavior supervisor_impl(supervisor_actor* self, supervisor_config cfg) {
  auto& st = self->state;
  st.log = logger("supervisor");
  st.policy = restart_policy{cfg.params};
  st.cfg = std::move(cfg);
  install_hygiene(self, st.cfg.path, st.log);
  auto initial = std::move(st.cfg.children);
  st.cfg.children.clear();
  bool is_root = st.cfg.path == "agora";
  for (auto& spec : initial) {
    child_entry c;
    c.path = child_path(st.cfg.path, is_root, spec.name);
    c.spec = std::move(spec);
    st.children.push_back(std::move(c));
  }
  for (size_t i = 0; i < st.children.size(); ++i)
    if (!start_child(self, st.children[i]))
      schedule_restart(self, i, caf::make_error(caf::sec::runtime_error,
                                                "start failed"));
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    ++st.processed;
    auto stopped = std::find(st.stopping.begin(), st.stopping.end(),
                             msg.source);
    if (stopped != st.stopping.end()) {
      st.stopping.erase(stopped);
      return;
    }
    for (size_t i = 0; i < st.children.size(); ++i) {
      auto& c = st.children[i];
      if (!c.handle || c.handle.address() != msg.source)
        continue;
      if (st.shutting_down || c.state == child_state::stopping) {
        c.state = child_state::down;
        return;
      }
      c.state = child_state::down;
      bool abnormal = is_abnormal(msg.reason);
      if (!should_restart(c.spec.restart, abnormal)) {
        st.log->info("child_exited supervisor={} child={} restart=no",
                     st.cfg.path, c.path);
        if (st.cfg.directory)
          self->send(st.cfg.directory, caf::delete_atom_v, c.path);
        st.children.erase(st.children.begin() + static_cast<ptrdiff_t>(i));
        return;
      }
      schedule_restart(self, i, msg.reason);
      return;
    }
    // Not from a child: our parent (or someone) tells us to go.
    shutdown_all(self, msg.reason ? msg.reason
                                   : caf::error{caf::exit_reason::user_shutdown});
  });
  return {
    [self](restart_atom, uint64_t gen) {
      ++self->state.processed;
      restart_generation(self, gen);
    },
    [self](caf::add_atom, child_spec& spec) -> caf::result<caf::actor> {
      auto& st = self->state;
      ++st.processed;
      for (auto& c : st.children)
        if (c.spec.name == spec.name)
          return caf::make_error(caf::sec::runtime_error,
                                 "child already exists: " + c.path);
      child_entry c;
      c.path = child_path(st.cfg.path, st.cfg.path == "agora", spec.name);
      c.spec = std::move(spec);
      st.children.push_back(std::move(c));
      auto& added = st.children.back();
      if (!start_child(self, added)) {
        auto path = added.path;
        st.children.pop_back();
        return caf::make_error(caf::sec::runtime_error,
                               "cannot start " + path);
      }
      st.log->info("child_added supervisor={} child={}", st.cfg.path,
                   added.path);
      return added.handle;
    },
    [self](caf::delete_atom, const std::string& name)
      -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      ++st.processed;
      for (auto i = st.children.begin(); i != st.children.end(); ++i) {
        if (i->spec.name != name)
          continue;
        if (i->state == child_state::running)
          stop_child(self, *i, caf::exit_reason::user_shutdown);
        if (st.cfg.directory)
          self->send(st.cfg.directory, caf::delete_atom_v, i->path);
        st.log->info("child_removed supervisor={} child={}", st.cfg.path,
                     i->path);
        st.children.erase(i);
        return caf::ok_atom_v;
      }
      return caf::make_error(caf::sec::runtime_error,
                             "no such child: " + name);
    },
    [self](stats_atom) {
      auto& st = self->state;
      size_t running = 0;
      for (auto& c : st.children)
        if (c.state == child_state::running)
          ++running;
      return actor_stats{"running", own_mailbox_size(self), st.processed,
                         "children=" + std::to_string(st.children.size())
                           + " running=" + std::to_string(running)
                           + " restarts=" + std::to_string(st.total_restarts)};
    },
  };
}

} // namespace

std::string child_path(const std::string& parent_path, bool parent_is_root,
                       const std::string& name) {
  if (parent_is_root || parent_path.empty())
    return name;
  return parent_path + "/" + name;
}

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_config cfg) {
  return sys.spawn(supervisor_impl, std::move(cfg));
}

} // namespace agora
