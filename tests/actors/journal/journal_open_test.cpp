#include <catch2/catch.hpp>

#include <fstream>

#include "actors/journal/journal_db.hpp"
#include "tests/actors/journal/journal_test_support.hpp"

using namespace agora;
using namespace agora::journal;
using namespace agora::journal::test;

namespace {

const venue_id sim{"sim"};

/// A closed journal with enough rows to span many pages.
void write_journal(const std::string& path, int orders) {
  auto j = must_open(options(path));
  j->begin();
  for (int i = 1; i <= orders; ++i) {
    auto o = make_order(static_cast<uint64_t>(i), "BTCUSDT", side::buy,
                        "65000.5", "0.25");
    o.strategy = "strategy-with-a-long-name-to-fill-pages-" + std::to_string(i);
    j->order_new(o, 1, 1000 + i);
  }
  j->commit();
  j.reset();
  raw_connection raw{path};
  REQUIRE(raw.integer("PRAGMA page_size") == 4096);
}

/// Overwrites pages [first, last) (1-based, 4096 bytes) with a fixed
/// pseudo-random pattern.
void damage_pages(const std::string& path, uintmax_t first, uintmax_t last) {
  std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
  f.seekp(static_cast<std::streamoff>((first - 1) * 4096));
  uint32_t x = 12345;
  for (uintmax_t i = (first - 1) * 4096; i < (last - 1) * 4096; ++i) {
    x = x * 1103515245u + 12345u;
    f.put(static_cast<char>(x >> 24));
  }
}

} // namespace

TEST_CASE("a fresh journal is created at the current version in WAL mode") {
  temp_dir d;
  auto r = db::open(options(d.file("j.db")));
  REQUIRE(r.journal);
  CHECK(r.failure == open_failure::none);
  CHECK(r.error.empty());
  CHECK(r.journal->schema_version() == 2);
  CHECK(r.journal->path() == d.file("j.db"));
  CHECK_FALSE(r.journal->in_transaction());
  auto n = r.journal->counts();
  CHECK(n.size() == 13);
  CHECK(n["orders"] == 0);
  raw_connection raw{d.file("j.db")};
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
  CHECK(raw.integer("PRAGMA user_version") == 2);
}

TEST_CASE("a file that is not SQLite is reported as not a database") {
  temp_dir d;
  auto path = d.file("j.db");
  {
    std::ofstream out{path};
    for (int i = 0; i < 200; ++i)
      out << "this is a text file, not a journal\n";
  }
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::not_a_database);
  CHECK(r.error
        == "journal " + path
             + " is not a SQLite database (or its header is damaged)");
  // Nothing was written over it.
  CHECK(std::filesystem::file_size(path) == 200 * 35);
}

TEST_CASE("a journal with one damaged data page is reported as corrupt") {
  temp_dir d;
  auto path = d.file("j.db");
  write_journal(path, 300);
  damage_pages(path, 5, 6);
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::corrupt);
  CHECK(r.error.rfind("journal " + path + " is corrupt: ", 0) == 0);
  CHECK(r.error.find('\n') == std::string::npos);
}

TEST_CASE("a journal with damaged pages is reported as corrupt") {
  temp_dir d;
  auto path = d.file("j.db");
  write_journal(path, 300);
  const auto size = std::filesystem::file_size(path);
  REQUIRE(size > 8 * 4096);
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));
  // Pages 2 .. N-1 become garbage; page 1 (the header and the schema's
  // root) stays intact.
  damage_pages(path, 2, size / 4096);
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::corrupt);
  CHECK(r.error.rfind("journal " + path + " is corrupt: ", 0) == 0);
}

TEST_CASE("a journal locked by another process is reported at open") {
  temp_dir d;
  auto path = d.file("j.db");
  write_journal(path, 1);
  raw_connection other{path};
  REQUIRE(other.exec("BEGIN EXCLUSIVE") == SQLITE_OK);
  REQUIRE(other.exec("INSERT INTO runs (started_ns, pid, version) "
                     "VALUES (1, 1, 'other')")
          == SQLITE_OK);
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::locked);
  CHECK(r.error == "journal " + path
                     + " is locked by another process (waited 200 ms)");
  REQUIRE(other.exec("COMMIT") == SQLITE_OK);
  auto again = db::open(options(path));
  REQUIRE(again.journal);
  CHECK(again.journal->counts()["runs"] == 1);
}

TEST_CASE("a journal whose file or directory has no write bit is read-only") {
  temp_dir d;
  auto path = d.file("j.db");
  write_journal(path, 1);

  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::read_only);
  CHECK(r.error == "journal " + path + " is read-only (mode 0444)");

  // A reader may still open it.
  auto ro = options(path);
  ro.read_only = true;
  auto reader = db::open(ro);
  REQUIRE(reader.journal);
  CHECK(reader.journal->counts()["orders"] == 1);
  reader.journal.reset();

  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  REQUIRE(::chmod(d.path().c_str(), 0555) == 0);
  r = db::open(options(path));
  REQUIRE(::chmod(d.path().c_str(), 0755) == 0);
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::read_only);
  CHECK(r.error
        == "journal " + path + " is read-only (directory " + d.path()
             + " mode 0555)");
}

TEST_CASE("a journal newer than this build is refused") {
  temp_dir d;
  auto path = d.file("j.db");
  write_journal(path, 1);
  {
    raw_connection raw{path};
    REQUIRE(raw.exec("PRAGMA user_version = 3") == SQLITE_OK);
  }
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::too_new);
  CHECK(r.error == "journal " + path
                     + " has schema version 3; this agora knows up to 2");
  auto ro = options(path);
  ro.read_only = true;
  r = db::open(ro);
  CHECK(r.failure == open_failure::too_new);
  raw_connection raw{path};
  CHECK(raw.integer("PRAGMA user_version") == 3);
}

TEST_CASE("a journal in a missing directory is an io failure, never a fresh "
          "start elsewhere") {
  temp_dir d;
  auto path = d.path() + "/missing/j.db";
  auto r = db::open(options(path));
  CHECK_FALSE(r.journal);
  CHECK(r.failure == open_failure::io);
  CHECK(r.error == "journal " + path + " cannot be created: directory "
                     + d.path() + "/missing does not exist");
  CHECK_FALSE(std::filesystem::exists(d.path() + "/missing"));

  auto ro = options(d.file("absent.db"));
  ro.read_only = true;
  r = db::open(ro);
  CHECK(r.failure == open_failure::io);
  CHECK(r.error == "journal " + d.file("absent.db") + " does not exist");
  CHECK_FALSE(std::filesystem::exists(d.file("absent.db")));

  r = db::open(options(""));
  CHECK(r.failure == open_failure::io);
  CHECK(r.error == "journal path is empty");
}

TEST_CASE("a version 1 journal migrates to version 2 with its rows intact") {
  temp_dir d;
  auto path = d.file("j.db");
  {
    auto r = db::open_at_version(options(path), 1);
    REQUIRE(r.journal);
    auto& j = *r.journal;
    CHECK(j.schema_version() == 1);
    auto n = j.counts();
    CHECK(n.size() == 5);
    CHECK(n.count("bars") == 0);
    CHECK(j.start_run(5, 100, "0.0.9") == 1);
    auto o = make_order(1, "BTCUSDT", side::buy, "65000.25", "0.5");
    o.reduce_only = true;  // Not stored by version 1.
    j.order_new(o, 1, 1000);
    j.order_accepted(make_accept(o, 9001, 1100));
    CHECK(j.fill(make_fill(o, 1, "0.2", "0.2", "0.3", 1200)));
    j.signal(signal_record{1300, "pairs", sim, symbol_id{"BTCUSDT"},
                           "entry_long", 2.25, 0.5, true, ""});
    CHECK(j.open_orders(sim).size() == 1);
    CHECK_FALSE(j.open_orders(sim)[0].reduce_only);
    CHECK(j.signals(query{})[0].rho == 0.0);
  }
  {
    raw_connection raw{path};
    CHECK(raw.integer("PRAGMA user_version") == 1);
    CHECK_FALSE(raw.text("SELECT name FROM sqlite_master WHERE name = 'bars'"));
  }
  // A reader does not migrate: it asks for the service to run once.
  auto ro = options(path);
  ro.read_only = true;
  auto reader = db::open(ro);
  CHECK(reader.failure == open_failure::io);
  CHECK(reader.error
        == "journal " + path
             + " has schema version 1; reading needs version 2: start the "
               "service once to migrate it");

  auto j = must_open(options(path));
  CHECK(j->schema_version() == 2);
  auto row = j->order(sim, client_order_id{1});
  REQUIRE(row);
  CHECK(row->view.status == order_status::partially_filled);
  CHECK(row->view.px.raw() == 6'500'025'000'000);
  CHECK(row->view.cum_qty.raw() == 20'000'000);
  CHECK(row->view.oid.value == 9001);
  CHECK_FALSE(row->reduce_only);
  auto fills = j->all_fills();
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].fill_qty.raw() == 20'000'000);
  auto sig = j->signals(query{});
  REQUIRE(sig.size() == 1);
  CHECK(sig[0].z == 2.25);
  CHECK(sig[0].rho == 0.0);

  // The new columns and tables work.
  auto o2 = make_order(2, "BTCUSDT", side::sell, "65100", "0.5");
  o2.reduce_only = true;
  j->order_new(o2, j->start_run(2000, 101, "0.1.0"), 2000);
  CHECK(j->order(sim, o2.cid)->reduce_only);
  CHECK(j->order(sim, o2.cid)->run == 2);
  j->signal(signal_record{2100, "pairs", sim, symbol_id{"BTCUSDT"},
                          "exit_signal", 0.1, 0.75, true, ""});
  CHECK(j->signals(query{})[0].rho == 0.75);
  j->bar(bar_record{"pairs", 60, price::from_units(65000)}, 10);
  j->set_baseline(sim, "BTC", qty("1"), 2200);
  CHECK(j->bars("pairs", 10).size() == 1);
  CHECK(j->baselines(sim)["BTC"].raw() == 100'000'000);
  auto n = j->counts();
  CHECK(n.size() == 13);
  CHECK(n["orders"] == 2);
  CHECK(n["order_events"] == 4);
  CHECK(n["runs"] == 2);
}

TEST_CASE("a read-only journal reads but refuses every write") {
  temp_dir d;
  auto path = d.file("j.db");
  {
    auto j = must_open(options(path));
    j->order_new(make_order(1, "BTCUSDT", side::buy, "65000", "1"), 1, 1000);
  }
  auto ro = options(path);
  ro.read_only = true;
  auto r = db::open(ro);
  REQUIRE(r.journal);
  auto& j = *r.journal;
  CHECK(j.schema_version() == 2);
  CHECK(j.orders(query{}).size() == 1);
  CHECK(j.open_orders(sim).size() == 1);

  try {
    j.order_new(make_order(2, "BTCUSDT", side::buy, "65000", "1"), 1, 2000);
    FAIL("a write to a read-only journal must throw");
  } catch (const journal_error& e) {
    CHECK((e.code() & 0xff) == SQLITE_READONLY);
    CHECK(std::string{e.what()}
          == "journal: insert order: attempt to write a readonly database");
  }
  CHECK_THROWS_AS(j.start_run(1, 1, "x"), journal_error);
  CHECK_THROWS_AS(j.set_baseline(sim, "BTC", qty("1"), 1), journal_error);
  CHECK_FALSE(j.in_transaction());
  CHECK(j.counts()["orders"] == 1);
}

TEST_CASE("open failures have stable names") {
  CHECK(to_string(open_failure::none) == "none");
  CHECK(to_string(open_failure::not_a_database) == "not_a_database");
  CHECK(to_string(open_failure::corrupt) == "corrupt");
  CHECK(to_string(open_failure::locked) == "locked");
  CHECK(to_string(open_failure::read_only) == "read_only");
  CHECK(to_string(open_failure::too_new) == "too_new");
  CHECK(to_string(open_failure::io) == "io");
}
