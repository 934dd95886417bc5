// The intent log: appends read back after a reopen, torn and corrupt tails
// cut and kept aside, segments rolled and released, a failed write leaving
// nothing behind.

#include "actors/journal/intent_log.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "journal_test_support.hpp"

using namespace agora::journal;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<intent_log> must_open_log(const intent_log_options& o, intent_recovery* r) {
  std::string error;
  auto log = intent_log::open(o, r, &error);
  INFO(error);
  REQUIRE(log);
  return log;
}

uint64_t must_append(intent_log& log, intent_kind k, const std::string& payload) {
  std::string error;
  auto seq = log.append(k, payload, &error);
  INFO(error);
  REQUIRE(seq != 0);
  return seq;
}

std::string segment_path(const std::string& dir, uint64_t first) {
  return (fs::path{dir} / intent_segment_name(first)).string();
}

/// A log in `dir` holding `payloads` (orders), closed again.
intent_log_options written(const test::temp_dir& dir, std::initializer_list<std::string> payloads,
                           uint64_t segment_bytes = 64ull << 20) {
  intent_log_options o;
  o.dir = dir.file("intents");
  o.segment_bytes = segment_bytes;
  auto log = must_open_log(o, nullptr);
  for (const auto& p : payloads)
    must_append(*log, intent_kind::order, p);
  return o;
}

size_t torn_files(const std::string& dir) {
  size_t n = 0;
  for (auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().find(".torn-") != std::string::npos ? 1 : 0;
  return n;
}

} // namespace

TEST_CASE("appended records come back in order after a reopen", "[intent_log]") {
  test::temp_dir dir;
  intent_log_options o;
  o.dir = dir.file("intents");
  {
    intent_recovery r;
    auto log = must_open_log(o, &r);
    CHECK(r.records.empty());
    CHECK(must_append(*log, intent_kind::order, "order one") == 1);
    CHECK(must_append(*log, intent_kind::fill, std::string(300, 'f')) == 2);
    CHECK(must_append(*log, intent_kind::cancel, "") == 3);
    std::string error;
    CHECK(log->sync(&error));
  }
  intent_recovery r;
  auto log = must_open_log(o, &r);
  CHECK(r.warnings.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[0].seq == 1);
  CHECK(r.records[0].kind == intent_kind::order);
  CHECK(r.records[0].payload == "order one");
  CHECK(r.records[1].payload == std::string(300, 'f'));
  CHECK(r.records[2].kind == intent_kind::cancel);
  CHECK(r.records[2].payload.empty());
  CHECK(log->next_seq() == 4);
  CHECK(must_append(*log, intent_kind::order, "four") == 4);
}

TEST_CASE("a record cut short at the tail is dropped, kept aside, and the log goes on",
          "[intent_log]") {
  test::temp_dir dir;
  auto o = written(dir, {"one", "two", "three, cut by a crash"});
  auto path = segment_path(o.dir, 1);
  auto full = fs::file_size(path);
  fs::resize_file(path, full - 7); // the last write only partly reached the file
  {
    intent_recovery r;
    auto log = must_open_log(o, &r);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[1].payload == "two");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("a record cut short") != std::string::npos);
    CHECK(r.dropped_bytes == intent_log::header_bytes + 21 - 7);
    CHECK(torn_files(o.dir) == 1);
    CHECK(must_append(*log, intent_kind::order, "three again") == 3);
  }
  intent_recovery r;
  must_open_log(o, &r);
  CHECK(r.warnings.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[2].payload == "three again");
}

TEST_CASE("a corrupt record or garbage at the tail is detected by its checksum",
          "[intent_log]") {
  test::temp_dir dir;
  auto o = written(dir, {"first fill", "second fill"});
  auto path = segment_path(o.dir, 1);
  SECTION("a flipped byte in the last payload") {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('X');
  }
  SECTION("garbage after the last record") {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    std::string junk(64, '\0');
    for (size_t i = 0; i < junk.size(); ++i)
      junk[i] = static_cast<char>(i * 37 + 11);
    f << junk;
  }
  intent_recovery r;
  auto log = must_open_log(o, &r);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.records.size() >= 1);
  CHECK(r.records.size() <= 2);
  CHECK(r.records[0].payload == "first fill");
  CHECK(r.dropped_bytes > 0);
  CHECK(log->next_seq() == r.records.size() + 1);
}

TEST_CASE("segments roll over and are deleted once released", "[intent_log]") {
  test::temp_dir dir;
  intent_log_options o;
  o.dir = dir.file("intents");
  o.segment_bytes = 100; // two 33-byte records a segment
  {
    auto log = must_open_log(o, nullptr);
    for (int i = 1; i <= 20; ++i)
      must_append(*log, intent_kind::order, "order-" + std::to_string(100 + i));
    CHECK(log->segments() == 10);
    auto before = log->segments();
    log->release(0);
    CHECK(log->segments() == before); // nothing stored elsewhere yet
    log->release(10);
    CHECK(log->segments() == before - 5); // segments 1-2 ... 9-10
    CHECK(log->release(18));
    CHECK(log->segments() == 1); // the current one (19-20) stays
    CHECK(log->released() == 18);
  }
  intent_recovery r;
  auto log = must_open_log(o, &r);
  CHECK(r.warnings.empty());
  // Only what lies past the mark is handed over again.
  CHECK(r.released == 18);
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].seq == 19);
  CHECK(r.records.back().seq == 20);
  CHECK(r.records.back().payload == "order-120");
  CHECK(log->next_seq() == 21);
}

TEST_CASE("an unreadable or impossible mark hands every record over again", "[intent_log]") {
  test::temp_dir dir;
  auto o = written(dir, {"order-101", "order-102", "order-103"}, 1 << 20);
  {
    auto log = must_open_log(o, nullptr);
    CHECK(log->release(2));
    CHECK(log->release(1)); // never backwards
    CHECK(log->released() == 2);
    CHECK(log->release(99)); // not past what was written
    CHECK(log->released() == 3);
  }
  auto mark = o.dir + "/released";
  {
    intent_recovery r;
    must_open_log(o, &r);
    CHECK(r.records.empty());
  }
  {
    std::fstream f{mark, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(9);
    f.put('\x55'); // the checksum no longer matches
  }
  {
    intent_recovery r;
    must_open_log(o, &r);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("unreadable mark") != std::string::npos);
    CHECK(r.records.size() == 3);
    CHECK(r.released == 0);
  }
  // A mark from another log, past this one's end.
  fs::remove_all(o.dir);
  o = written(dir, {"order-201"}, 1 << 20);
  {
    auto log = must_open_log(o, nullptr);
    CHECK(log->release(1));
  }
  fs::remove(segment_path(o.dir, 1));
  {
    auto log = must_open_log(o, nullptr); // a fresh segment 1, the mark still says 1
    must_append(*log, intent_kind::order, "order-301");
  }
  {
    intent_recovery r;
    must_open_log(o, &r);
    CHECK(r.records.size() == 1);
  }
}

TEST_CASE("a tear in an older segment moves the later segments aside", "[intent_log]") {
  test::temp_dir dir;
  auto o = written(dir,
                   {"order-101", "order-102", "order-103", "order-104", "order-105",
                    "order-106", "order-107", "order-108", "order-109"},
                   100); // two records a segment: five segments
  auto first = segment_path(o.dir, 1);
  fs::resize_file(first, fs::file_size(first) - 1);
  intent_recovery r;
  auto log = must_open_log(o, &r);
  // Record 2 is cut: record 1 stays; segments 3-4 ... 9 are moved aside whole.
  CHECK(r.warnings.size() == 5);
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].payload == "order-101");
  CHECK(log->segments() == 1);
  CHECK(log->next_seq() == 2);
  CHECK(torn_files(o.dir) == 5);
}

TEST_CASE("a failed write (file size limit, as a full disk) leaves nothing behind",
          "[intent_log]") {
  test::temp_dir dir;
  intent_log_options o;
  o.dir = dir.file("intents");
  auto log = must_open_log(o, nullptr);
  must_append(*log, intent_kind::order, "fits");
  auto path = segment_path(o.dir, 1);
  auto size = fs::file_size(path);
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit tight = old;
  tight.rlim_cur = size + 30; // the next record gets 30 of its 124 bytes written
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &tight) == 0);
  std::string error;
  auto seq = log->append(intent_kind::order, std::string(100, 'x'), &error);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(seq == 0);
  CHECK(error.find("write failed") != std::string::npos);
  CHECK(fs::file_size(path) == size);
  CHECK(must_append(*log, intent_kind::order, "after") == 2);
  log.reset();
  intent_recovery r;
  must_open_log(o, &r);
  CHECK(r.warnings.empty());
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[1].payload == "after");
}
