#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "actors/risk/risk_actor.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

// Risk under CAF's deterministic scheduler: nothing runs until the test says
// so, and a manual clock moves together with CAF's test clock. The directory,
// strategy, gateway, book and alert router are probes written here (the real
// directory lives in agora_supervision, which agora_risk does not link).
//
// Every actor spawned here takes at least one argument: CAF 0.17's
// init_fun_factory dereferences a null std::shared_ptr<std::tuple<>> for
// argument-less spawns, which UBSan rejects.

using namespace agora;

namespace risk_test {

/// Tells a probe to send the enclosed message to the given actor.
using relay_atom = caf::atom_constant<caf::atom("relay")>;
inline constexpr relay_atom relay_atom_v = relay_atom{};

const venue_id sim{"sim"};
const symbol_id btc{"BTCUSDT"};
const std::string strategy_name = "strategy:mr";
const std::string gateway_name = "venue:sim/gateway";
const std::string book_name = "venue:sim/book:BTCUSDT";

/// What a probe saw, in arrival order.
struct probe_log {
  std::vector<submit_order> orders;
  std::vector<caf::actor_addr> order_senders;
  std::vector<order_rejected> rejects;
  std::vector<trading_state_changed> changes;
  std::vector<alert_raised> alerts;
  std::vector<cancel_order> cancels;
};

/// Stands in for a strategy, a gateway or the alert router: records what it
/// gets and sends what the test hands it with `relay_atom`.
inline caf::behavior probe(caf::event_based_actor* self,
                    std::shared_ptr<probe_log> log, std::string name) {
  install_hygiene(self, std::move(name), logger("risk"));
  return {
    [self, log](submit_order& o) {
      log->orders.push_back(std::move(o));
      log->order_senders.push_back(
        caf::actor_cast<caf::actor_addr>(self->current_sender()));
    },
    [log](order_rejected& e) { log->rejects.push_back(std::move(e)); },
    [log](trading_state_changed& c) { log->changes.push_back(std::move(c)); },
    [log](alert_raised& a) { log->alerts.push_back(std::move(a)); },
    [log](cancel_order& c) { log->cancels.push_back(std::move(c)); },
    [self](relay_atom, const caf::actor& to, venue_state_report& r) {
      self->send(to, std::move(r));
    },
    [self](relay_atom, const caf::actor& to, register_atom, std::string& name,
           venue_id& v, symbol_id& s) {
      self->send(to, register_atom_v, std::move(name), std::move(v), std::move(s));
    },
    [self](relay_atom, const caf::actor& to, submit_order& o) {
      self->send(to, std::move(o));
    },
    [self](relay_atom, const caf::actor& to, order_filled& f) {
      self->send(to, std::move(f));
    },
    [self](relay_atom, const caf::actor& to, trading_state_acknowledged& a) {
      self->send(to, std::move(a));
    },
  };
}

/// A book that answers `get_atom` with whatever top the test set.
inline caf::behavior book_probe(caf::event_based_actor* self,
                         std::shared_ptr<top_of_book> top) {
  install_hygiene(self, book_name, logger("risk"));
  return {
    [top](caf::get_atom) { return *top; },
  };
}

/// What the fake directory knows and how it misbehaves.
struct directory_script {
  /// Listed by `list_atom` (filtered by kind).
  std::vector<actor_entry> entries;
  /// Answered by `lookup_atom` and `caf::subscribe_atom`.
  std::map<std::string, caf::actor> paths;
  /// The first this many list requests are never answered.
  int ignore_lists = 0;
  /// List requests received so far.
  int list_requests = 0;
  /// The first this many subscriptions are answered with an error.
  int fail_subscribes = 0;
  /// Subscriptions received so far.
  int subscribe_requests = 0;
};

/// The directory protocol as risk uses it: list, subscribe, lookup.
inline caf::behavior fake_directory(caf::event_based_actor* self,
                             std::shared_ptr<directory_script> script) {
  install_hygiene(self, "directory", logger("risk"));
  return {
    [self, script](list_atom, const std::string& kind)
      -> caf::result<std::vector<actor_entry>> {
      if (++script->list_requests <= script->ignore_lists)
        // A promise dropped undelivered: the requester hears nothing and
        // runs into its request timeout.
        return self->make_response_promise<std::vector<actor_entry>>();
      std::vector<actor_entry> out;
      for (auto& e : script->entries)
        if (kind.empty() || e.kind == kind)
          out.push_back(e);
      return out;
    },
    [script](caf::subscribe_atom,
             const std::string& path) -> caf::result<caf::actor> {
      if (++script->subscribe_requests <= script->fail_subscribes)
        return caf::sec::runtime_error;
      auto i = script->paths.find(path);
      return i == script->paths.end() ? caf::actor{} : i->second;
    },
    [script](lookup_atom, const std::string& path) {
      auto i = script->paths.find(path);
      return i == script->paths.end() ? caf::actor{} : i->second;
    },
  };
}

inline caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

inline price px(int64_t units) { return price::from_units(units); }

/// Hundredths of a unit of base asset (0.01 BTC = qty_centi(1)).
inline quantity qty_centi(int64_t n) { return quantity::from_raw(n * 1'000'000); }

inline submit_order intent(uint64_t cid, price p, quantity q) {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = sim;
  o.symbol = btc;
  o.sd = side::buy;
  o.type = order_type::limit;
  o.tif = time_in_force::gtc;
  o.px = p;
  o.qty = q;
  o.strategy = strategy_name;
  return o;
}

inline trading_state_acknowledged ack(const std::string& who, uint64_t epoch,
                               trading_state s) {
  return trading_state_acknowledged{who, epoch, s, 0};
}

struct risk_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  manual_clock clock;
  std::shared_ptr<probe_log> strategy_log = std::make_shared<probe_log>();
  std::shared_ptr<probe_log> gateway_log = std::make_shared<probe_log>();
  std::shared_ptr<probe_log> alerts_log = std::make_shared<probe_log>();
  std::shared_ptr<top_of_book> top = std::make_shared<top_of_book>();
  std::shared_ptr<directory_script> script
    = std::make_shared<directory_script>();
  caf::actor strategy;
  caf::actor gateway;
  caf::actor alerts;
  caf::actor book;
  caf::actor dir;
  caf::actor risk;
  /// Every long-lived actor the test spawned itself; killed at the end.
  std::vector<caf::actor> spawned;

  risk_fixture()
    : sys(testing_config(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
    strategy = keep(sys.spawn(probe, strategy_log, strategy_name));
    gateway = keep(sys.spawn(probe, gateway_log, gateway_name));
    alerts = keep(sys.spawn(probe, alerts_log, std::string{"alerts"}));
    book = keep(sys.spawn(book_probe, top));
    sys.registry().put(alerts_name,
                       caf::actor_cast<caf::strong_actor_ptr>(alerts));
    script->entries = {
      actor_entry{strategy_name, "strategy", "strategies", strategy},
      actor_entry{gateway_name, "gateway", "venue:sim", gateway},
    };
    script->paths[gateway_name] = gateway;
    script->paths[book_name] = book;
    dir = keep(sys.spawn(fake_directory, script));
    sched.run();
  }

  ~risk_fixture() {
    sys.registry().erase(alerts_name);
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
    script->entries.clear();
    script->paths.clear();
  }

  caf::actor keep(caf::actor a) {
    spawned.push_back(a);
    return a;
  }

  /// Spawns risk (default limits: 5000 per order) and lets it subscribe to
  /// the sim gateway.
  void start_risk(std::function<void(risk_params&)> configure = {}) {
    risk_params p;
    p.venues = {sim};
    p.directory = dir;
    p.clock = &clock;
    p.ack_timeout = 3 * ns_per_s;
    p.mark_interval = 1 * ns_per_s;
    p.status_interval = 10 * ns_per_s;
    if (configure)
      configure(p);
    risk = keep(spawn_risk(sys, "risk", std::move(p)));
    sched.run();
  }

  /// Moves both the risk clock and CAF's test clock, then runs everything
  /// that became due.
  void advance(nanos d) {
    clock.advance(d);
    sched.advance_time(std::chrono::nanoseconds(d));
    sched.run();
  }

  /// Sends a request from a throwaway actor and runs until it is answered.
  template <class T, class... Ts>
  std::optional<T> ask(const caf::actor& dest, Ts... xs) {
    auto out = std::make_shared<std::optional<T>>();
    sys.spawn(
      [](caf::event_based_actor* self, std::shared_ptr<std::optional<T>> result,
         caf::actor to, Ts... args) {
        self->request(to, caf::infinite, std::move(args)...)
          .then([result](T& x) { *result = std::move(x); },
                [](caf::error&) {});
      },
      out, dest, std::move(xs)...);
    sched.run();
    return *out;
  }

  /// The strategy probe sends `o` to risk.
  void send_intent(submit_order o) {
    caf::anon_send(strategy, relay_atom_v, risk, std::move(o));
    sched.run();
  }

  /// `from` (a probe) acknowledges `epoch` under `who`.
  void acknowledge(const caf::actor& from, const std::string& who,
                   uint64_t epoch, trading_state s) {
    caf::anon_send(from, relay_atom_v, risk, ack(who, epoch, s));
    sched.run();
  }

  std::optional<std::string> halt(std::string reason) {
    return ask<std::string>(risk, halt_trading{std::move(reason), "cli"});
  }

  status_report status() {
    auto r = ask<status_report>(risk, status_atom_v);
    REQUIRE(r);
    return *r;
  }

  positions_report positions() {
    auto r = ask<positions_report>(risk, positions_atom_v);
    REQUIRE(r);
    return *r;
  }

  /// Alerts whose text contains `part`.
  std::vector<alert_raised> alerts_with(const std::string& part) const {
    std::vector<alert_raised> out;
    for (auto& a : alerts_log->alerts)
      if (a.text.find(part) != std::string::npos)
        out.push_back(a);
    return out;
  }
};

} // namespace risk_test

using namespace risk_test;
