#include <catch2/catch.hpp>

#include "supervision_fixture.hpp"

using namespace agora;
using namespace agora::test;

namespace {

/// An actor that takes stats requests and never answers them.
caf::behavior
silent_actor(caf::event_based_actor* self,
             std::shared_ptr<std::vector<caf::response_promise>> held) {
  return {
    [self, held](stats_atom) -> caf::result<actor_stats> {
      held->push_back(self->make_response_promise());
      return held->back();
    },
  };
}

/// An actor that knows nothing about stats (its default handler answers
/// with an error).
caf::behavior stats_less_actor(caf::event_based_actor* self,
                               std::string name) {
  install_hygiene(self, std::move(name), logger("supervisor"));
  return {[](caf::ok_atom) {}};
}

} // namespace

struct directory_fixture : supervision_fixture {
  caf::actor spawn_worker() {
    auto a = sys.spawn(test_worker, std::string{"worker"});
    spawned.push_back(a);
    sched.run();
    return a;
  }

  void enroll(const std::string& path, const std::string& kind,
              const std::string& parent, const caf::actor& handle,
              uint64_t restarts = 0) {
    caf::anon_send(dir, register_atom_v, actor_entry{path, kind, parent, handle},
                   restarts);
    sched.run();
  }

  std::vector<actor_entry> list(const std::string& kind) {
    auto a = ask<std::vector<actor_entry>>(dir, list_atom_v, kind);
    return a.value ? *a.value : std::vector<actor_entry>{};
  }
};

TEST_CASE_METHOD(directory_fixture,
                 "the directory maps names to handles and lists them by kind",
                 "[directory]") {
  auto feed = spawn_worker();
  auto book = spawn_worker();
  enroll("venue:sim/feed", "feed", "venue:sim", feed);
  enroll("venue:sim/book:BTCUSDT", "book", "venue:sim", book, 3);
  CHECK(lookup("venue:sim/feed") == feed);
  CHECK(lookup("venue:sim/book:BTCUSDT") == book);
  CHECK_FALSE(lookup("venue:sim/nothing"));
  auto books = list("book");
  REQUIRE(books.size() == 1);
  CHECK(books[0].name == "venue:sim/book:BTCUSDT");
  CHECK(books[0].parent == "venue:sim");
  CHECK(books[0].handle == book);
  CHECK(list("").size() == 2);
  CHECK(list("gateway").empty());
  auto g = graph();
  REQUIRE(node(g, "venue:sim/book:BTCUSDT"));
  CHECK(node(g, "venue:sim/book:BTCUSDT")->restarts == 3);
}

TEST_CASE_METHOD(directory_fixture,
                 "a registration under a known name replaces the handle",
                 "[directory]") {
  auto old_feed = spawn_worker();
  auto new_feed = spawn_worker();
  enroll("feed", "feed", "agora", old_feed);
  auto sub = subscribe("feed");
  REQUIRE(sub->initial);
  CHECK(*sub->initial == old_feed);
  enroll("feed", "feed", "agora", new_feed, 1);
  CHECK(lookup("feed") == new_feed);
  REQUIRE(sub->replaced.size() == 1);
  CHECK(sub->replaced[0].handle == new_feed);
  CHECK(list("feed").size() == 1);
}

TEST_CASE_METHOD(directory_fixture,
                 "a subscriber to an unknown name learns the handle when it "
                 "registers",
                 "[directory]") {
  auto sub = subscribe("risk");
  REQUIRE(sub->initial);
  CHECK_FALSE(*sub->initial);
  auto risk = spawn_worker();
  enroll("risk", "risk", "agora", risk);
  REQUIRE(sub->replaced.size() == 1);
  CHECK(sub->replaced[0].name == "risk");
  CHECK(sub->replaced[0].handle == risk);
}

TEST_CASE_METHOD(directory_fixture,
                 "a dead actor is no longer looked up but shows as down in "
                 "the graph",
                 "[directory]") {
  auto feed = spawn_worker();
  enroll("feed", "feed", "agora", feed);
  caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK_FALSE(lookup("feed"));
  CHECK(list("feed").empty());
  auto g = graph();
  REQUIRE(node(g, "feed"));
  CHECK(node(g, "feed")->state == "down");
}

TEST_CASE_METHOD(directory_fixture,
                 "the death of a replaced handle leaves its name to the new "
                 "handle",
                 "[directory]") {
  auto old_feed = spawn_worker();
  auto new_feed = spawn_worker();
  enroll("venue:sim/feed", "feed", "venue:sim", old_feed);
  enroll("venue:sim/feed", "feed", "venue:sim", new_feed, 1);
  caf::anon_send_exit(old_feed, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(lookup("venue:sim/feed") == new_feed);
  CHECK(list("feed").size() == 1);
  caf::anon_send_exit(new_feed, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK_FALSE(lookup("venue:sim/feed"));
  CHECK(list("feed").empty());
}

TEST_CASE_METHOD(directory_fixture,
                 "deleting a name removes it and everything below it, and "
                 "nothing else",
                 "[directory]") {
  auto a = spawn_worker();
  enroll("venue:sim", "supervisor", "agora", a);
  enroll("venue:sim/feed", "feed", "venue:sim", a);
  enroll("venue:sim/books/book:BTCUSDT", "book", "venue:sim/books", a);
  enroll("venue:sim2", "supervisor", "agora", a);
  enroll("venue:simx/feed", "feed", "venue:simx", a);
  auto sub = subscribe("venue:sim/feed");
  caf::anon_send(dir, caf::delete_atom_v, std::string{"venue:sim"});
  sched.run();
  CHECK_FALSE(lookup("venue:sim"));
  CHECK_FALSE(lookup("venue:sim/feed"));
  CHECK_FALSE(lookup("venue:sim/books/book:BTCUSDT"));
  CHECK(lookup("venue:sim2") == a);
  CHECK(lookup("venue:simx/feed") == a);
  REQUIRE(sub->replaced.size() == 1);
  CHECK(sub->replaced[0].name == "venue:sim/feed");
  CHECK_FALSE(sub->replaced[0].handle);
}

TEST_CASE_METHOD(directory_fixture,
                 "an unsubscribed actor gets no more notices",
                 "[directory]") {
  auto out = std::make_shared<subscription_log>();
  auto p = sys.spawn(subscriber, out, dir, std::string{"feed"}, true);
  spawned.push_back(p);
  sched.run();
  enroll("feed", "feed", "agora", spawn_worker());
  CHECK(out->initial.has_value());
  CHECK(out->replaced.empty());
}

TEST_CASE_METHOD(directory_fixture,
                 "the graph lists the directory first and asks every live "
                 "actor for stats",
                 "[directory]") {
  auto w = spawn_worker();
  enroll("w", "worker", "agora", w, 2);
  auto g = graph();
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].name == "directory");
  CHECK(g.nodes[0].kind == "directory");
  CHECK(g.nodes[0].state == "running");
  CHECK(g.nodes[1].name == "w");
  CHECK(g.nodes[1].state == "working");
  CHECK(g.nodes[1].processed == 7);
  CHECK(g.nodes[1].restarts == 2);
  CHECK(g.taken == clock.now());
}

TEST_CASE_METHOD(directory_fixture,
                 "an actor that cannot answer stats shows as unresponsive",
                 "[directory]") {
  auto a = sys.spawn(stats_less_actor, std::string{"odd"});
  spawned.push_back(a);
  sched.run();
  enroll("odd", "worker", "agora", a);
  auto g = graph();
  REQUIRE(node(g, "odd"));
  CHECK(node(g, "odd")->state == "unresponsive");
}

TEST_CASE_METHOD(directory_fixture,
                 "a silent actor shows as unresponsive once the stats request "
                 "times out",
                 "[directory]") {
  auto held = std::make_shared<std::vector<caf::response_promise>>();
  auto a = sys.spawn(silent_actor, held);
  spawned.push_back(a);
  auto w = spawn_worker();
  enroll("silent", "worker", "agora", a);
  enroll("w", "worker", "agora", w);
  auto out = std::make_shared<std::optional<graph_report>>();
  sys.spawn(
    [](caf::event_based_actor* self,
       std::shared_ptr<std::optional<graph_report>> result, caf::actor d) {
      self->request(d, caf::infinite, graph_atom_v)
        .then([result](graph_report& g) { *result = std::move(g); });
    },
    out, dir);
  sched.run();
  CHECK_FALSE(out->has_value());
  sched.advance_time(std::chrono::milliseconds(500));
  sched.run();
  REQUIRE(out->has_value());
  REQUIRE(node(**out, "silent"));
  CHECK(node(**out, "silent")->state == "unresponsive");
  REQUIRE(node(**out, "w"));
  CHECK(node(**out, "w")->state == "working");
}

TEST_CASE_METHOD(directory_fixture, "the directory answers stats",
                 "[directory]") {
  enroll("a", "worker", "agora", spawn_worker());
  enroll("b", "worker", "agora", spawn_worker());
  auto s = ask<actor_stats>(dir, stats_atom_v);
  REQUIRE(s.value);
  CHECK(s.value->state == "running");
  CHECK(s.value->detail == "names=2");
}
