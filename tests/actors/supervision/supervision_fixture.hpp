#pragma once

// A deterministic actor system for supervision tests: CAF's testing scheduler
// (nothing runs until the test says so), a manual clock shared by the
// supervisors, and small probe actors that record what they see into
// containers owned by the test.

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/supervision/directory.hpp"
#include "actors/supervision/supervisor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

namespace agora::test {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
inline constexpr crash_atom crash_atom_v = crash_atom{};

/// One (re)start of a child, in the order they happened.
struct start_record {
  std::string path;
  caf::actor handle;
};

/// What a subscriber saw: the reply to its subscription, then every
/// actor_replaced notice.
struct subscription_log {
  std::optional<caf::actor> initial;
  std::vector<actor_replaced> replaced;
};

/// The result of one request: a value or an error.
template <class T>
struct answer {
  std::optional<T> value;
  std::optional<caf::error> error;
};

/// A child for tests: throws on `crash_atom`, quits normally on `stop_atom`,
/// quits with user_shutdown on `shutdown_atom`, and answers stats.
///
/// Every actor spawned here takes at least one argument: CAF 0.17's
/// init_fun_factory dereferences a null std::shared_ptr<std::tuple<>> for
/// argument-less spawns, which UBSan rejects.
inline caf::behavior test_worker(caf::event_based_actor* self,
                                 std::string name) {
  install_hygiene(self, std::move(name), logger("supervisor"));
  return {
    [](crash_atom) { throw std::runtime_error("test crash"); },
    [self](stop_atom) { self->quit(); },
    [self](shutdown_atom) { self->quit(caf::exit_reason::user_shutdown); },
    [](stats_atom) { return actor_stats{"working", 0, 7, "k=v"}; },
  };
}

/// Subscribes to `path` at `dir` and records the reply and every notice;
/// with `unsubscribe` it cancels right away.
inline caf::behavior subscriber(caf::event_based_actor* self,
                                std::shared_ptr<subscription_log> out,
                                caf::actor dir, std::string path,
                                bool unsubscribe) {
  self->send(dir, caf::subscribe_atom_v, path);
  if (unsubscribe)
    self->send(dir, unsub_atom_v, path);
  return {
    [out](caf::actor& current) { out->initial = std::move(current); },
    [out](actor_replaced& x) { out->replaced.push_back(std::move(x)); },
  };
}

inline caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

struct supervision_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  std::shared_ptr<std::vector<start_record>> starts
    = std::make_shared<std::vector<start_record>>();
  caf::actor dir;
  /// Every long-lived actor the test spawned itself; killed at the end.
  std::vector<caf::actor> spawned;

  supervision_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    dir = spawn_directory(sys, &clock);
    spawned.push_back(dir);
    sched.run();
  }

  ~supervision_fixture() {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
  }

  /// Moves both the supervisors' clock and CAF's test clock, then runs
  /// everything that became due.
  void advance(nanos d) {
    clock.advance(d);
    sched.advance_time(std::chrono::nanoseconds(d));
    sched.run();
  }

  /// A child spec whose start function spawns a test_worker and records it.
  child_spec worker(std::string name,
                    restart_type restart = restart_type::permanent) {
    child_spec s;
    s.name = std::move(name);
    s.kind = "worker";
    s.restart = restart;
    s.start = [log = starts](caf::actor_system& sys, const std::string& path) {
      auto a = sys.spawn(test_worker, path);
      log->push_back({path, a});
      return a;
    };
    return s;
  }

  /// A supervisor config wired to the directory and the manual clock.
  supervisor_config supervisor(std::string name, std::string path,
                               restart_strategy strategy,
                               restart_params params,
                               std::vector<child_spec> children) {
    supervisor_config c;
    c.name = std::move(name);
    c.path = std::move(path);
    c.strategy = strategy;
    c.params = params;
    c.directory = dir;
    c.clock = &clock;
    c.children = std::move(children);
    return c;
  }

  /// A child spec that starts a nested supervisor (kind "supervisor").
  child_spec nested(std::string name, restart_strategy strategy,
                    restart_params params, std::vector<child_spec> children) {
    child_spec s;
    s.name = name;
    s.kind = "supervisor";
    s.restart = restart_type::permanent;
    s.start = [log = starts, d = dir, clk = &clock, name, strategy, params,
               children](caf::actor_system& sys, const std::string& path) {
      supervisor_config c;
      c.name = name;
      c.path = path;
      c.strategy = strategy;
      c.params = params;
      c.directory = d;
      c.clock = clk;
      c.children = children;
      auto a = spawn_supervisor(sys, std::move(c));
      log->push_back({path, a});
      return a;
    };
    return s;
  }

  /// Spawns a supervisor and runs until everything settled.
  caf::actor start(supervisor_config c) {
    auto a = spawn_supervisor(sys, std::move(c));
    spawned.push_back(a);
    sched.run();
    return a;
  }

  /// Sends a request from a throwaway actor and runs until it is answered.
  template <class T, class... Ts>
  answer<T> ask(const caf::actor& dest, Ts... xs) {
    auto out = std::make_shared<answer<T>>();
    sys.spawn(
      [](caf::event_based_actor* self, std::shared_ptr<answer<T>> result,
         caf::actor to, Ts... args) {
        self->request(to, caf::infinite, std::move(args)...)
          .then([result](T& x) { result->value = std::move(x); },
                [result](caf::error& e) { result->error = std::move(e); });
      },
      out, dest, std::move(xs)...);
    sched.run();
    return *out;
  }

  /// The directory's current handle for `path` (invalid if none).
  caf::actor lookup(const std::string& path) {
    auto a = ask<caf::actor>(dir, lookup_atom_v, path);
    return a.value ? *a.value : caf::actor{};
  }

  graph_report graph() {
    auto a = ask<graph_report>(dir, graph_atom_v);
    return a.value ? *a.value : graph_report{};
  }

  /// Finds a node by name in a graph report (nullptr if absent).
  static const graph_node* node(const graph_report& g, const std::string& name) {
    for (auto& n : g.nodes)
      if (n.name == name)
        return &n;
    return nullptr;
  }

  /// Records the exit reason of `target` once it terminates.
  std::shared_ptr<std::optional<caf::error>> watch(const caf::actor& target) {
    auto out = std::make_shared<std::optional<caf::error>>();
    auto w = sys.spawn(
      [](caf::event_based_actor* self,
         std::shared_ptr<std::optional<caf::error>> result,
         caf::actor who) -> caf::behavior {
        self->monitor(who);
        self->set_down_handler([self, result](caf::down_msg& msg) {
          *result = msg.reason;
          self->quit();
        });
        return {[](caf::ok_atom) {}};
      },
      out, target);
    spawned.push_back(w);
    sched.run();
    return out;
  }

  /// Subscribes a probe to `path` at the directory.
  std::shared_ptr<subscription_log> subscribe(const std::string& path) {
    auto out = std::make_shared<subscription_log>();
    auto p = sys.spawn(subscriber, out, dir, path, false);
    spawned.push_back(p);
    sched.run();
    return out;
  }

  /// How many (re)starts of `path` were recorded.
  size_t starts_of(const std::string& path) const {
    size_t n = 0;
    for (auto& s : *starts)
      if (s.path == path)
        ++n;
    return n;
  }

  /// The handle of the latest start of `path` (invalid if never started).
  caf::actor latest(const std::string& path) const {
    for (auto i = starts->rbegin(); i != starts->rend(); ++i)
      if (i->path == path)
        return i->handle;
    return {};
  }

  void crash(const std::string& path) {
    caf::anon_send(latest(path), crash_atom_v);
    sched.run();
  }
};

} // namespace agora::test
