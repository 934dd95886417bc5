#include <catch2/catch.hpp>

#include "supervision_fixture.hpp"

using namespace agora;
using namespace agora::test;

namespace {

restart_params test_params() {
  restart_params p;
  p.max_restarts = 3;
  p.within = 10 * ns_per_s;
  p.backoff_initial = 100 * ns_per_ms;
  p.backoff_max = 1 * ns_per_s;
  return p;
}

} // namespace

TEST_CASE("child_path joins parent and child names", "[supervisor]") {
  CHECK(child_path("agora", true, "risk") == "risk");
  CHECK(child_path("", false, "risk") == "risk");
  CHECK(child_path("venue:sim", false, "feed") == "venue:sim/feed");
  CHECK(child_path("venue:sim/books", false, "book:BTCUSDT")
        == "venue:sim/books/book:BTCUSDT");
}

TEST_CASE_METHOD(supervision_fixture,
                 "a supervisor starts its children in order and registers them",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("a"), worker("b"), worker("c")}));
  REQUIRE(starts->size() == 3);
  CHECK((*starts)[0].path == "a");
  CHECK((*starts)[1].path == "b");
  CHECK((*starts)[2].path == "c");
  CHECK(lookup("a") == latest("a"));
  CHECK(lookup("c") == latest("c"));
  auto listed = ask<std::vector<actor_entry>>(dir, list_atom_v,
                                              std::string{"worker"});
  REQUIRE(listed.value);
  REQUIRE(listed.value->size() == 3);
  CHECK((*listed.value)[0].parent == "agora");
}

TEST_CASE_METHOD(supervision_fixture,
                 "a crashed permanent child is restarted after the backoff "
                 "with a new handle",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("w")}));
  auto first = latest("w");
  auto died = watch(first);
  crash("w");
  REQUIRE(died->has_value());
  CHECK(**died == caf::sec::runtime_error);
  CHECK(starts_of("w") == 1);
  CHECK_FALSE(lookup("w"));
  advance(99 * ns_per_ms);
  CHECK(starts_of("w") == 1);
  advance(1 * ns_per_ms);
  REQUIRE(starts_of("w") == 2);
  auto second = latest("w");
  CHECK(second);
  CHECK(second != first);
  CHECK(lookup("w") == second);
}

TEST_CASE_METHOD(supervision_fixture,
                 "a child that keeps crashing waits twice as long each time",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("w")}));
  crash("w");
  advance(100 * ns_per_ms);
  REQUIRE(starts_of("w") == 2);
  crash("w");
  advance(199 * ns_per_ms);
  CHECK(starts_of("w") == 2);
  advance(1 * ns_per_ms);
  REQUIRE(starts_of("w") == 3);
  crash("w");
  advance(399 * ns_per_ms);
  CHECK(starts_of("w") == 3);
  advance(1 * ns_per_ms);
  CHECK(starts_of("w") == 4);
}

TEST_CASE_METHOD(supervision_fixture,
                 "the directory tells subscribers the new handle after a "
                 "restart",
                 "[supervisor][directory]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("w")}));
  auto first = latest("w");
  auto sub = subscribe("w");
  REQUIRE(sub->initial);
  CHECK(*sub->initial == first);
  CHECK(sub->replaced.empty());
  crash("w");
  advance(100 * ns_per_ms);
  REQUIRE(sub->replaced.size() == 1);
  CHECK(sub->replaced[0].name == "w");
  CHECK(sub->replaced[0].handle == latest("w"));
  CHECK(sub->replaced[0].handle != first);
}

TEST_CASE_METHOD(supervision_fixture,
                 "restart counts show in the directory's graph report",
                 "[supervisor][directory]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("w"), worker("calm")}));
  crash("w");
  advance(100 * ns_per_ms);
  crash("w");
  advance(200 * ns_per_ms);
  auto g = graph();
  REQUIRE(g.nodes.size() == 3);
  CHECK(g.nodes[0].name == "directory");
  CHECK(g.taken == clock.now());
  auto w = node(g, "w");
  REQUIRE(w);
  CHECK(w->restarts == 2);
  CHECK(w->kind == "worker");
  CHECK(w->parent == "agora");
  CHECK(w->state == "working");
  CHECK(w->processed == 7);
  CHECK(w->detail == "k=v");
  CHECK(w->started == clock.now());
  auto calm = node(g, "calm");
  REQUIRE(calm);
  CHECK(calm->restarts == 0);
}

TEST_CASE_METHOD(supervision_fixture,
                 "a transient child that exits normally is not restarted and "
                 "leaves the directory",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("t", restart_type::transient)}));
  auto sub = subscribe("t");
  caf::anon_send(latest("t"), stop_atom_v);
  sched.run();
  advance(5 * ns_per_s);
  CHECK(starts_of("t") == 1);
  CHECK_FALSE(lookup("t"));
  auto g = graph();
  CHECK(node(g, "t") == nullptr);
  REQUIRE(sub->replaced.size() == 1);
  CHECK(sub->replaced[0].name == "t");
  CHECK_FALSE(sub->replaced[0].handle);
}

TEST_CASE_METHOD(supervision_fixture,
                 "a transient child that quits with user_shutdown is not "
                 "restarted",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("t", restart_type::transient)}));
  caf::anon_send(latest("t"), shutdown_atom_v);
  sched.run();
  advance(5 * ns_per_s);
  CHECK(starts_of("t") == 1);
  CHECK_FALSE(lookup("t"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "a transient child that crashes is restarted",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("t", restart_type::transient)}));
  crash("t");
  advance(100 * ns_per_ms);
  CHECK(starts_of("t") == 2);
  CHECK(lookup("t") == latest("t"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "a permanent child that exits normally is restarted",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("p")}));
  caf::anon_send(latest("p"), stop_atom_v);
  sched.run();
  advance(100 * ns_per_ms);
  CHECK(starts_of("p") == 2);
  CHECK(lookup("p") == latest("p"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "one_for_one restarts only the failed child",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {worker("a"), worker("b"), worker("c")}));
  auto a = latest("a");
  auto c = latest("c");
  auto a_died = watch(a);
  auto c_died = watch(c);
  crash("b");
  advance(100 * ns_per_ms);
  CHECK(starts_of("a") == 1);
  CHECK(starts_of("b") == 2);
  CHECK(starts_of("c") == 1);
  CHECK_FALSE(a_died->has_value());
  CHECK_FALSE(c_died->has_value());
  CHECK(lookup("a") == a);
  CHECK(lookup("c") == c);
}

TEST_CASE_METHOD(supervision_fixture,
                 "rest_for_one restarts the failed child and every later one "
                 "but not earlier ones",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::rest_for_one,
                   test_params(),
                   {worker("a"), worker("b"), worker("c"), worker("d")}));
  auto a = latest("a");
  auto c = latest("c");
  auto d = latest("d");
  auto a_died = watch(a);
  auto c_died = watch(c);
  auto d_died = watch(d);
  crash("b");
  REQUIRE(c_died->has_value());
  REQUIRE(d_died->has_value());
  CHECK(**c_died == caf::exit_reason::user_shutdown);
  CHECK(**d_died == caf::exit_reason::user_shutdown);
  CHECK_FALSE(a_died->has_value());
  advance(100 * ns_per_ms);
  CHECK(starts_of("a") == 1);
  CHECK(starts_of("b") == 2);
  CHECK(starts_of("c") == 2);
  CHECK(starts_of("d") == 2);
  // Restarted in their original order.
  REQUIRE(starts->size() == 7);
  CHECK((*starts)[4].path == "b");
  CHECK((*starts)[5].path == "c");
  CHECK((*starts)[6].path == "d");
  CHECK(lookup("a") == a);
  CHECK(lookup("c") == latest("c"));
  CHECK(lookup("c") != c);
  // Only the failed child counts as a failure for intensity; the stopped
  // siblings still count as restarted.
  auto g = graph();
  REQUIRE(node(g, "b"));
  REQUIRE(node(g, "c"));
  CHECK(node(g, "b")->restarts == 1);
  CHECK(node(g, "c")->restarts == 1);
  CHECK(node(g, "a")->restarts == 0);
}

TEST_CASE_METHOD(supervision_fixture,
                 "rest_for_one leaves a later child that follows restarts running, "
                 "and restarts it when it fails itself",
                 "[supervisor]") {
  auto c_spec = worker("c");
  c_spec.follows_restarts = true; // e.g. a book: it follows the new feed
  start(supervisor("agora", "agora", restart_strategy::rest_for_one, test_params(),
                   {worker("a"), worker("b"), c_spec, worker("d")}));
  auto c = latest("c");
  auto d = latest("d");
  auto c_died = watch(c);
  auto d_died = watch(d);
  crash("b");
  REQUIRE(d_died->has_value());
  CHECK_FALSE(c_died->has_value());
  advance(100 * ns_per_ms);
  CHECK(starts_of("b") == 2);
  CHECK(starts_of("c") == 1);
  CHECK(starts_of("d") == 2);
  CHECK(lookup("c") == c);
  // Its own failure: restarted, and the ones after it with it.
  crash("c");
  advance(100 * ns_per_ms);
  CHECK(starts_of("c") == 2);
  CHECK(starts_of("d") == 3);
  CHECK(starts_of("b") == 2);
}

TEST_CASE_METHOD(supervision_fixture,
                 "rest_for_one on the last child restarts only that child",
                 "[supervisor]") {
  start(supervisor("agora", "agora", restart_strategy::rest_for_one,
                   test_params(), {worker("a"), worker("b")}));
  auto a = latest("a");
  crash("b");
  advance(100 * ns_per_ms);
  CHECK(starts_of("a") == 1);
  CHECK(starts_of("b") == 2);
  CHECK(lookup("a") == a);
}

TEST_CASE_METHOD(supervision_fixture,
                 "crashing past max_restarts within the window escalates to "
                 "the parent, which restarts the supervisor",
                 "[supervisor]") {
  auto inner = test_params();
  inner.max_restarts = 2;
  auto outer = test_params();
  outer.backoff_initial = 500 * ns_per_ms;
  start(supervisor("agora", "agora", restart_strategy::one_for_one, outer,
                   {nested("sub", restart_strategy::one_for_one, inner,
                           {worker("w")})}));
  REQUIRE(starts_of("sub") == 1);
  REQUIRE(starts_of("sub/w") == 1);
  auto sub1 = latest("sub");
  auto sub1_down = watch(sub1);
  crash("sub/w");
  advance(100 * ns_per_ms);
  crash("sub/w");
  advance(200 * ns_per_ms);
  REQUIRE(starts_of("sub/w") == 3);
  CHECK_FALSE(sub1_down->has_value());
  auto w3_down = watch(latest("sub/w"));
  crash("sub/w");
  REQUIRE(sub1_down->has_value());
  CHECK(**sub1_down == caf::sec::runtime_error);
  // The escalating supervisor takes its children with it.
  REQUIRE(w3_down->has_value());
  CHECK(**w3_down == caf::sec::runtime_error);
  CHECK_FALSE(lookup("sub"));
  CHECK_FALSE(lookup("sub/w"));
  advance(499 * ns_per_ms);
  CHECK(starts_of("sub") == 1);
  advance(1 * ns_per_ms);
  REQUIRE(starts_of("sub") == 2);
  CHECK(latest("sub") != sub1);
  CHECK(starts_of("sub/w") == 4);
  CHECK(lookup("sub") == latest("sub"));
  CHECK(lookup("sub/w") == latest("sub/w"));
  auto g = graph();
  REQUIRE(node(g, "sub"));
  CHECK(node(g, "sub")->restarts == 1);
  CHECK(node(g, "sub")->kind == "supervisor");
  // The new incarnation has fresh intensity: the worker may crash again.
  crash("sub/w");
  advance(100 * ns_per_ms);
  CHECK(starts_of("sub/w") == 5);
  CHECK(starts_of("sub") == 2);
}

TEST_CASE_METHOD(supervision_fixture,
                 "a root supervisor past its intensity exits with an error",
                 "[supervisor]") {
  auto params = test_params();
  params.max_restarts = 1;
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               params, {worker("w")}));
  auto down = watch(root);
  crash("w");
  advance(100 * ns_per_ms);
  REQUIRE(starts_of("w") == 2);
  CHECK_FALSE(down->has_value());
  crash("w");
  REQUIRE(down->has_value());
  CHECK(**down == caf::sec::runtime_error);
  advance(5 * ns_per_s);
  CHECK(starts_of("w") == 2);
}

TEST_CASE_METHOD(supervision_fixture,
                 "advancing the clock beyond the window resets intensity",
                 "[supervisor]") {
  auto params = test_params();
  params.max_restarts = 2;
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               params, {worker("w")}));
  auto down = watch(root);
  crash("w");
  advance(100 * ns_per_ms);
  crash("w");
  advance(200 * ns_per_ms);
  REQUIRE(starts_of("w") == 3);
  // Both restarts are now older than the 10 s window.
  advance(10 * ns_per_s);
  crash("w");
  CHECK_FALSE(down->has_value());
  // The child's own failure history expired too: back to the initial backoff.
  advance(100 * ns_per_ms);
  CHECK(starts_of("w") == 4);
  crash("w");
  advance(200 * ns_per_ms);
  CHECK(starts_of("w") == 5);
  CHECK_FALSE(down->has_value());
  // Now two restarts sit inside the window again: the next crash escalates.
  crash("w");
  CHECK(down->has_value());
}

TEST_CASE_METHOD(supervision_fixture,
                 "add_atom adds a child at runtime and refuses duplicates",
                 "[supervisor]") {
  auto root = start(supervisor("venue:sim", "venue:sim",
                               restart_strategy::one_for_one, test_params(),
                               {worker("feed")}));
  auto added = ask<caf::actor>(root, caf::add_atom_v, worker("book:BTCUSDT"));
  REQUIRE(added.value);
  CHECK(*added.value == latest("venue:sim/book:BTCUSDT"));
  CHECK(lookup("venue:sim/book:BTCUSDT") == *added.value);
  auto dup = ask<caf::actor>(root, caf::add_atom_v, worker("book:BTCUSDT"));
  CHECK_FALSE(dup.value);
  REQUIRE(dup.error);
  CHECK(*dup.error == caf::sec::runtime_error);
  CHECK(starts_of("venue:sim/book:BTCUSDT") == 1);
  auto dup_feed = ask<caf::actor>(root, caf::add_atom_v, worker("feed"));
  CHECK(dup_feed.error);
  CHECK(starts_of("venue:sim/feed") == 1);
  // A child added at runtime is supervised like the others.
  crash("venue:sim/book:BTCUSDT");
  advance(100 * ns_per_ms);
  CHECK(starts_of("venue:sim/book:BTCUSDT") == 2);
}

TEST_CASE_METHOD(supervision_fixture,
                 "add_atom reports an error when the child cannot start",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               test_params(), {}));
  child_spec broken;
  broken.name = "broken";
  broken.kind = "worker";
  broken.start = [](caf::actor_system&, const std::string&) -> caf::actor {
    throw std::runtime_error("no");
  };
  auto r = ask<caf::actor>(root, caf::add_atom_v, broken);
  CHECK(r.error);
  // The name stays free.
  auto ok = ask<caf::actor>(root, caf::add_atom_v, worker("broken"));
  CHECK(ok.value);
}

TEST_CASE_METHOD(supervision_fixture,
                 "delete_atom stops a child for good and removes its "
                 "directory entry",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               test_params(), {worker("a"), worker("b")}));
  auto b = latest("b");
  auto b_down = watch(b);
  auto sub = subscribe("b");
  auto r = ask<caf::ok_atom>(root, caf::delete_atom_v, std::string{"b"});
  CHECK(r.value);
  REQUIRE(b_down->has_value());
  CHECK(**b_down == caf::exit_reason::user_shutdown);
  advance(5 * ns_per_s);
  CHECK(starts_of("b") == 1);
  CHECK_FALSE(lookup("b"));
  CHECK(node(graph(), "b") == nullptr);
  REQUIRE(sub->replaced.size() == 1);
  CHECK_FALSE(sub->replaced[0].handle);
  CHECK(lookup("a") == latest("a"));
  auto missing = ask<caf::ok_atom>(root, caf::delete_atom_v, std::string{"b"});
  CHECK(missing.error);
  // The name can be reused.
  auto again = ask<caf::actor>(root, caf::add_atom_v, worker("b"));
  CHECK(again.value);
  CHECK(lookup("b") == latest("b"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "delete_atom on a nested supervisor removes its whole subtree",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               test_params(),
                               {nested("venue:sim", restart_strategy::one_for_one,
                                       test_params(),
                                       {worker("feed"), worker("gateway")})}));
  auto feed_down = watch(latest("venue:sim/feed"));
  auto r = ask<caf::ok_atom>(root, caf::delete_atom_v,
                             std::string{"venue:sim"});
  CHECK(r.value);
  REQUIRE(feed_down->has_value());
  CHECK(**feed_down == caf::exit_reason::user_shutdown);
  CHECK_FALSE(lookup("venue:sim"));
  CHECK_FALSE(lookup("venue:sim/feed"));
  CHECK_FALSE(lookup("venue:sim/gateway"));
  auto g = graph();
  CHECK(g.nodes.size() == 1);
}

TEST_CASE_METHOD(supervision_fixture,
                 "shutting down the root stops every descendant",
                 "[supervisor]") {
  auto root = start(supervisor(
    "agora", "agora", restart_strategy::one_for_one, test_params(),
    {worker("risk"),
     nested("venue:sim", restart_strategy::rest_for_one, test_params(),
            {worker("feed"),
             nested("books", restart_strategy::one_for_one, test_params(),
                    {worker("book:BTCUSDT"), worker("book:ETHUSDT")})})}));
  REQUIRE(starts->size() == 6);
  std::vector<std::shared_ptr<std::optional<caf::error>>> downs;
  for (auto& s : *starts)
    downs.push_back(watch(s.handle));
  auto root_down = watch(root);
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  sched.run();
  REQUIRE(root_down->has_value());
  CHECK(**root_down == caf::exit_reason::user_shutdown);
  for (size_t i = 0; i < downs.size(); ++i) {
    INFO("child " << (*starts)[i].path);
    REQUIRE(downs[i]->has_value());
    CHECK(**downs[i] == caf::exit_reason::user_shutdown);
  }
  advance(20 * ns_per_s);
  CHECK(starts->size() == 6);
}

TEST_CASE_METHOD(supervision_fixture,
                 "a supervisor answers stats with its children and restarts",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               test_params(), {worker("a"), worker("b")}));
  crash("a");
  auto during = ask<actor_stats>(root, stats_atom_v);
  REQUIRE(during.value);
  CHECK(during.value->detail == "children=2 running=1 restarts=0");
  advance(100 * ns_per_ms);
  auto after = ask<actor_stats>(root, stats_atom_v);
  REQUIRE(after.value);
  CHECK(after.value->state == "running");
  CHECK(after.value->detail == "children=2 running=2 restarts=1");
}

TEST_CASE_METHOD(supervision_fixture,
                 "a child that fails to start is retried after the backoff",
                 "[supervisor]") {
  auto attempts = std::make_shared<int>(0);
  child_spec flaky;
  flaky.name = "flaky";
  flaky.kind = "worker";
  flaky.start = [attempts, log = starts](caf::actor_system& sys,
                                         const std::string& path) {
    if (++*attempts < 3)
      return caf::actor{};
    auto a = sys.spawn(test_worker, path);
    log->push_back({path, a});
    return a;
  };
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {flaky}));
  CHECK(*attempts == 1);
  advance(100 * ns_per_ms);
  CHECK(*attempts == 2);
  advance(199 * ns_per_ms);
  CHECK(*attempts == 2);
  advance(1 * ns_per_ms);
  CHECK(*attempts == 3);
  CHECK(lookup("flaky") == latest("flaky"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "a well-known child is put into the registry on every start",
                 "[supervisor]") {
  auto spec = worker("risk");
  spec.well_known = caf::atom("testrisk");
  start(supervisor("agora", "agora", restart_strategy::one_for_one,
                   test_params(), {spec}));
  CHECK(well_known(sys, caf::atom("testrisk")) == latest("risk"));
  auto first = latest("risk");
  crash("risk");
  advance(100 * ns_per_ms);
  REQUIRE(starts_of("risk") == 2);
  CHECK(well_known(sys, caf::atom("testrisk")) == latest("risk"));
  CHECK(well_known(sys, caf::atom("testrisk")) != first);
  sys.registry().erase(caf::atom("testrisk"));
}

TEST_CASE_METHOD(supervision_fixture,
                 "simultaneous crashes under rest_for_one restart the group "
                 "once and do not take the supervisor down",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::rest_for_one,
                               test_params(),
                               {worker("a"), worker("b"), worker("c")}));
  auto down = watch(root);
  caf::anon_send(latest("b"), crash_atom_v);
  caf::anon_send(latest("c"), crash_atom_v);
  sched.run();
  CHECK_FALSE(down->has_value());
  advance(100 * ns_per_ms);
  CHECK_FALSE(down->has_value());
  CHECK(starts_of("a") == 1);
  CHECK(starts_of("b") == 2);
  CHECK(starts_of("c") == 2);
  CHECK(lookup("c") == latest("c"));
  auto stats = ask<actor_stats>(root, stats_atom_v);
  REQUIRE(stats.value);
  CHECK(stats.value->detail == "children=3 running=3 restarts=2");
}

TEST_CASE_METHOD(supervision_fixture,
                 "a child that crashes while it is being deleted does not take "
                 "its supervisor down",
                 "[supervisor]") {
  auto root = start(supervisor("agora", "agora", restart_strategy::one_for_one,
                               test_params(), {worker("a"), worker("b")}));
  auto down = watch(root);
  auto b = latest("b");
  caf::anon_send(root, caf::delete_atom_v, std::string{"b"});
  caf::anon_send(b, crash_atom_v);
  // The crash happens first; its exit message reaches the supervisor only
  // after the delete request.
  sched.prioritize(b);
  sched.run_once();
  sched.run();
  CHECK_FALSE(down->has_value());
  advance(5 * ns_per_s);
  CHECK_FALSE(down->has_value());
  CHECK(starts_of("b") == 1);
  CHECK(starts_of("a") == 1);
  CHECK_FALSE(lookup("b"));
  CHECK(lookup("a") == latest("a"));
}
