// The checkpointer: a writer that never checkpoints itself keeps its WAL
// bounded, because the checkpointer copies it into the database and starts
// it over once it passes its restart size.

#include "actors/journal/checkpointer_actor.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "journal_test_support.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/logging.hpp"

using namespace agora;
using namespace agora::journal::test;

namespace {

uint64_t detail_value(const std::string& detail, const std::string& key) {
  auto at = detail.find(key + "=");
  return at == std::string::npos ? 0 : std::stoull(detail.substr(at + key.size() + 1));
}

/// The checkpointer's counter `key`, once it exceeds `above` (polled; the
/// test fails after 20 s without).
uint64_t wait_for(caf::scoped_actor& self, const caf::actor& c, const std::string& key,
                  uint64_t above) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    uint64_t v = 0;
    self->request(c, std::chrono::seconds(5), stats_atom_v)
      .receive([&](actor_stats& s) { v = detail_value(s.detail, key); }, [](caf::error&) {});
    if (v > above)
      return v;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

} // namespace

TEST_CASE("the checkpointer keeps a busy writer's WAL bounded", "[journal][checkpointer]") {
  setup_logging("off", "", nullptr);
  temp_dir dir;
  constexpr int rounds = 5, commits = 400;
  signal_record s;
  s.strategy = "pairs";
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.name = "entry_long";
  s.why = std::string(300, 'w');
  auto write_round = [&](journal::db& db, int round) {
    for (int i = 0; i < commits; ++i) {
      db.begin();
      s.time = round * commits + i;
      db.signal(s);
      db.commit();
    }
  };
  // What one round leaves in a WAL nobody checkpoints.
  uintmax_t one_round = 0;
  {
    auto path = dir.file("alone.db");
    auto db = must_open(options(path, journal::sync_mode::normal));
    db->set_auto_checkpoint(false);
    write_round(*db, 0);
    one_round = std::filesystem::file_size(path + "-wal");
  }
  auto path = dir.file("journal.db");
  auto writer = must_open(options(path, journal::sync_mode::normal));
  writer->set_auto_checkpoint(false); // as the journal actor: it never checkpoints
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  checkpointer_params p;
  p.path = path;
  p.sync = journal::sync_mode::normal;
  p.period = std::chrono::milliseconds(2);
  p.restart_frames = 100;
  auto c = spawn_checkpointer(sys, p);
  uint64_t restarts = 0;
  for (int round = 0; round < rounds; ++round) {
    write_round(*writer, round);
    // The writer pauses: the checkpointer copies the WAL and restarts it
    // (it may also have restarted it while the round was written).
    restarts = wait_for(self, c, "restarts", restarts);
  }
  // Restarted at least once a round, the WAL never held more than one
  // round; unchecked, it would hold all five.
  auto wal = std::filesystem::file_size(path + "-wal");
  CHECK(restarts >= rounds);
  CHECK(one_round > 0);
  CHECK(wal <= one_round + one_round / 4);
  journal::query q;
  q.limit = 0;
  CHECK(writer->signals(q).size() == rounds * commits);
  caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
}
