#include "venues/replay/recording.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <zlib.h>

using namespace agora;
using namespace agora::replay;

namespace {

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path()
             / ("agora-recording-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

/// Writes `text` gzip-compressed, as one member (or one per part).
void write_gz(const std::string& path, const std::vector<std::string>& members) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& m : members) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string buf(compressBound(static_cast<uLong>(m.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.data()));
    z.avail_in = static_cast<uInt>(m.size());
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.write(buf.data(), static_cast<std::streamsize>(buf.size() - z.avail_out));
    deflateEnd(&z);
  }
}

std::vector<recorded_line> read_all(recording_reader& r, read_status* last) {
  std::vector<recorded_line> out;
  recorded_line l;
  for (;;) {
    auto s = r.next(l);
    if (s != read_status::line) {
      *last = s;
      return out;
    }
    out.push_back(l);
  }
}

} // namespace

TEST_CASE("a recorded line splits into receive time and raw text", "[recording]") {
  std::string why;
  auto l = parse_line("1723161254024619568 {\"stream\":\"ethusdt@bookTicker\"}", &why);
  REQUIRE(l);
  CHECK(l->local_time == 1723161254024619568);
  CHECK(l->text == "{\"stream\":\"ethusdt@bookTicker\"}");
  CHECK_FALSE(parse_line("{\"a\":1}", &why));
  CHECK(why.find("receive time") != std::string::npos);
  CHECK_FALSE(parse_line("123{\"a\":1}", &why));
  CHECK_FALSE(parse_line("123 not json", &why));
  CHECK_FALSE(parse_line("99999999999999999999999 {}", &why));
}

TEST_CASE("lines are classified as streams, snapshots or other", "[recording]") {
  auto k = classify(R"({"stream":"ethusdt@depth@100ms","data":{}})");
  CHECK(k.kind == line_kind::stream);
  CHECK(k.stream_name == "ethusdt@depth@100ms");
  CHECK(k.symbol == "ETHUSDT");
  CHECK(classify(R"({"lastUpdateId":35346513512,"bids":[],"asks":[]})").kind
        == line_kind::snapshot);
  auto w = classify(R"({"stream":"btcusdt@depthSnapshot","data":{"lastUpdateId":1}})");
  CHECK(w.kind == line_kind::snapshot);
  CHECK(w.symbol == "BTCUSDT");
  CHECK(classify(R"({"result":null,"id":1})").kind == line_kind::other);
}

TEST_CASE("a gzip recording is read line by line, malformed lines counted", "[recording]") {
  auto path = temp_path("plain.gz");
  write_gz(path, {"1 {\"a\":1}\n2 {\"a\":2}\ngarbage\n\n3 {\"a\":3}\n"});
  std::string error;
  auto r = recording_reader::open(path, &error);
  REQUIRE(r);
  read_status last{};
  auto lines = read_all(*r, &last);
  CHECK(last == read_status::end);
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].local_time == 3);
  CHECK(lines[2].text == "{\"a\":3}");
  CHECK(r->malformed() == 1);
  CHECK(r->first_malformed().find("line 3") == 0);
  CHECK(r->error().empty());
}

TEST_CASE("several gzip members read as one recording", "[recording]") {
  auto path = temp_path("members.gz");
  write_gz(path, {"1 {\"a\":1}\n", "2 {\"a\":2}\n3 {\"a\":3}"});
  std::string error;
  auto r = recording_reader::open(path, &error);
  REQUIRE(r);
  read_status last{};
  auto lines = read_all(*r, &last);
  CHECK(last == read_status::end);
  REQUIRE(lines.size() == 3); // the last line has no newline and still counts
  CHECK(lines[2].text == "{\"a\":3}");
}

TEST_CASE("a truncated recording gives its whole lines, then says it was cut", "[recording]") {
  auto full = temp_path("full.gz");
  std::string body;
  for (int i = 0; i < 20000; ++i)
    body += std::to_string(1000 + i) + " {\"seq\":" + std::to_string(i) + ",\"pad\":\"" + std::string(40, 'x') + "\"}\n";
  write_gz(full, {body});
  auto size = std::filesystem::file_size(full);
  auto cut = temp_path("cut.gz");
  {
    std::ifstream in(full, std::ios::binary);
    std::string bytes(size, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    std::ofstream out(cut, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(size / 2));
  }
  std::string error;
  auto r = recording_reader::open(cut, &error);
  REQUIRE(r);
  read_status last{};
  auto lines = read_all(*r, &last);
  CHECK(last == read_status::truncated);
  CHECK(r->error().find("truncated") != std::string::npos);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.size() < 20000);
  for (size_t i = 0; i < lines.size(); ++i)
    REQUIRE(lines[i].local_time == static_cast<nanos>(1000 + i)); // whole lines, in order
  CHECK(r->malformed() == 0);
}

TEST_CASE("a missing recording is an error naming the file", "[recording]") {
  std::string error;
  auto r = recording_reader::open(temp_path("nope.gz"), &error);
  CHECK_FALSE(r);
  CHECK(error.find("nope.gz") != std::string::npos);
}

TEST_CASE("the sample recording reads whole", "[recording]") {
  std::string error;
  auto r = recording_reader::open(std::string{AGORA_TEST_DATA_DIR} + "/recorded/spot_ethusdt_20240808.gz",
                                  &error);
  REQUIRE(r);
  read_status last{};
  uint64_t n = 0, snapshots = 0;
  recorded_line l;
  nanos prev = 0;
  bool ordered = true;
  while ((last = r->next(l)) == read_status::line) {
    ++n;
    ordered = ordered && l.local_time >= prev;
    prev = l.local_time;
    snapshots += classify(l.text).kind == line_kind::snapshot ? 1 : 0;
  }
  CHECK(last == read_status::end);
  CHECK(n == 33618);
  CHECK(snapshots == 1);
  CHECK(ordered);
  CHECK(r->malformed() == 0);
}

TEST_CASE("the writer makes one file per venue and UTC hour that the reader reads back",
          "[recording]") {
  auto dir = temp_path("writer");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  constexpr nanos hour = 3600 * ns_per_s;
  constexpr nanos t = 1'723'161'000 * ns_per_s; // 2024-08-08T23:50:00Z
  {
    recording_writer w{dir, false};
    CHECK(w.append("bn", t, "{\"a\":1}").empty());
    CHECK(w.append("bn", t + 1, "{\"a\":2}").empty());
    CHECK(w.append("other", t + 2, "{\"b\":1}").empty());
    CHECK(w.append("bn", t + hour, "{\"a\":3}").empty()); // the next hour's file
    CHECK(w.flush().empty());
    CHECK(w.lines() == 4);
  }
  CHECK(recording_writer{dir, false}.file_of("bn", t) == dir + "/bn-20240808-23.gz");
  CHECK(recording_writer{dir, true}.file_of("bn", t) == dir + "/bn-20240808.gz");
  std::string error;
  auto r = recording_reader::open(dir + "/bn-20240808-23.gz", &error);
  REQUIRE(r);
  read_status last{};
  auto lines = read_all(*r, &last);
  CHECK(last == read_status::end);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].local_time == t + 1);
  CHECK(lines[1].text == "{\"a\":2}");
  CHECK(std::filesystem::exists(dir + "/bn-20240809-00.gz"));
  CHECK(std::filesystem::exists(dir + "/other-20240808-23.gz"));
  // A restart within the hour appends a member to the same file.
  {
    recording_writer w{dir, false};
    CHECK(w.append("bn", t + 5, "{\"a\":4}").empty());
  }
  r = recording_reader::open(dir + "/bn-20240808-23.gz", &error);
  REQUIRE(r);
  CHECK(read_all(*r, &last).size() == 3);
}

TEST_CASE("a file being written reads back up to its last flush", "[recording]") {
  auto dir = temp_path("live");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  constexpr nanos t = 1'723'161'000 * ns_per_s;
  recording_writer w{dir, false};
  for (int i = 0; i < 100; ++i)
    REQUIRE(w.append("bn", t + i, "{\"seq\":" + std::to_string(i) + "}").empty());
  REQUIRE(w.flush().empty());
  REQUIRE(w.append("bn", t + 100, "{\"seq\":100}").empty()); // not flushed: may be lost
  // What a kill -9 now would leave: the file as it is on disk.
  auto copy = dir + "/copy.gz";
  std::filesystem::copy_file(w.file_of("bn", t), copy);
  std::string error;
  auto r = recording_reader::open(copy, &error);
  REQUIRE(r);
  read_status last{};
  auto lines = read_all(*r, &last);
  CHECK(last == read_status::truncated);
  REQUIRE(lines.size() >= 100);
  CHECK(lines[99].text == "{\"seq\":99}");
}

TEST_CASE("a writer that cannot create its file says which and why", "[recording]") {
  recording_writer w{"/proc/no-such-dir", false};
  auto e = w.append("bn", 1'723'161'000 * ns_per_s, "{}");
  CHECK(e.find("/proc/no-such-dir/bn-") == 0);
  CHECK(e.find("cannot open") != std::string::npos);
}
