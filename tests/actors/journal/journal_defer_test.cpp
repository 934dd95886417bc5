// The journal actor's deferred records (a backtest's setting): writes nobody
// waits on commit with the next durable write or when the actor ends, not
// each on its own; the service's default commits each at once.

#include <chrono>

#include <catch2/catch.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/journal/journal_actor.hpp"
#include "journal_test_support.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/logging.hpp"

using namespace agora;
using namespace agora::journal::test;

namespace {

signal_record signal(nanos t) {
  signal_record s;
  s.time = t;
  s.strategy = "pairs";
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.name = "entry_long";
  s.acted = true;
  return s;
}

/// What another connection sees committed.
size_t committed_signals(const std::string& path) {
  auto o = options(path);
  o.read_only = true;
  auto db = must_open(o);
  journal::query q;
  q.limit = 0;
  return db->signals(q).size();
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  temp_dir dir;
  std::string path = dir.file("journal.db");

  static caf::actor_system_config& testing(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    return c;
  }

  fixture()
    : sys(testing(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    setup_logging("off", "", nullptr);
  }

  caf::actor start(bool defer) {
    journal_params p;
    p.open = options(path);
    p.detached = false; // on the test scheduler
    p.defer_records = defer;
    p.checkpointer = false; // checkpoints are not what this tests
    auto j = spawn_journal(sys, "journal", p);
    sched.run();
    return j;
  }

  void stop(const caf::actor& j) {
    caf::anon_send_exit(j, caf::exit_reason::user_shutdown);
    sched.run();
    sched.trigger_timeouts();
    sched.run();
  }
};

} // namespace

TEST_CASE("by default a record is committed at once", "[journal]") {
  fixture f;
  auto j = f.start(false);
  caf::anon_send(j, record_atom_v, signal(1));
  f.sched.run();
  CHECK(committed_signals(f.path) == 1);
  f.stop(j);
}

TEST_CASE("deferred records commit with the next durable write and at the end", "[journal]") {
  fixture f;
  auto j = f.start(true);
  caf::anon_send(j, record_atom_v, signal(1));
  caf::anon_send(j, record_atom_v, signal(2));
  f.sched.run();
  CHECK(committed_signals(f.path) == 0);
  // An order is durable only once committed: the records before it go with it.
  caf::scoped_actor self{f.sys};
  self->send(j, record_atom_v, make_order(7, "BTCUSDT", side::buy, "100", "1"));
  f.sched.run();
  bool durable = false;
  self->receive([&](bool ok) { durable = ok; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(durable);
  CHECK(committed_signals(f.path) == 2);
  // Records after it wait for the next durable write, or for the end.
  caf::anon_send(j, record_atom_v, signal(3));
  f.sched.run();
  CHECK(committed_signals(f.path) == 2);
  f.stop(j);
  CHECK(committed_signals(f.path) == 3);
}
