#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "actors/journal/journal_db.hpp"
#include "tests/actors/journal/journal_test_support.hpp"

using namespace agora;
using namespace agora::journal;
using namespace agora::journal::test;

namespace {

const venue_id sim{"sim"};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    auto end = text.find("\r\n", at);
    if (end == std::string::npos) {
      out.push_back(text.substr(at));
      break;
    }
    out.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  return out;
}

} // namespace

TEST_CASE("export_csv writes one RFC 4180 file per table with decimals and "
          "ISO times") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  const nanos t0 = 1'795'404'306'123'456'789; // 2026-11-23T03:25:06.123456789Z
  auto o = make_order(42, "BTCUSDT", side::buy, "65000.10", "0.002");
  j->order_new(o, j->start_run(t0, 7, "0.1.0"), t0);
  j->order_accepted(make_accept(o, 9042, t0 + 1000));
  CHECK(j->fill(make_fill(o, 5, "0.002", "0.002", "0", t0 + 2000)));
  j->order_closed(sim, client_order_id{43}, order_status::canceled,
                  "closed by \"ops\", manually", t0 + 3000);
  j->add_adjustment(sim, "BTC", qty("-0.5"), "ops", t0);

  auto dir = d.path() + "/export/today";
  auto summary = j->export_csv(dir);
  REQUIRE(summary.tables.size() == 13);
  CHECK(summary.tables[0] == std::pair<std::string, uint64_t>{"runs", 1});
  CHECK(summary.tables[1] == std::pair<std::string, uint64_t>{"orders", 1});
  CHECK(summary.tables[2]
        == std::pair<std::string, uint64_t>{"order_events", 4});
  CHECK(summary.tables[3] == std::pair<std::string, uint64_t>{"fills", 1});
  CHECK(summary.tables[12]
        == std::pair<std::string, uint64_t>{"adjustments", 1});
  for (auto& [table, rows] : summary.tables) {
    INFO(table);
    auto lines = lines_of(dir + "/" + table + ".csv");
    CHECK(lines.size() == rows + 1);
  }

  auto orders = lines_of(dir + "/orders.csv");
  REQUIRE(orders.size() == 2);
  CHECK(orders[0]
        == "venue,cid,oid,symbol,side,type,tif,px,qty,cum_qty,status,strategy,"
           "run,created,created_ns,updated,updated_ns,reduce_only");
  CHECK(orders[1]
        == "sim,42,9042,BTCUSDT,buy,limit,gtc,65000.1,0.002,0.002,filled,pairs,"
           "1,2026-11-23T03:25:06.123456Z,1795404306123456789,"
           "2026-11-23T03:25:06.123458Z,1795404306123458789,0");

  auto events = lines_of(dir + "/order_events.csv");
  REQUIRE(events.size() == 5);
  CHECK(events[0] == "id,time,time_ns,venue,cid,kind,status,cum_qty,oid,detail");
  CHECK(events[4]
        == "4,2026-11-23T03:25:06.123459Z,1795404306123459789,sim,43,closed,"
           ",,,\"closed by \"\"ops\"\", manually\"");

  auto fills = lines_of(dir + "/fills.csv");
  REQUIRE(fills.size() == 2);
  CHECK(fills[1].find(",65000.1,0.002,0.002,0,0.01,maker,pairs,") != std::string::npos);

  auto adjustments = lines_of(dir + "/adjustments.csv");
  REQUIRE(adjustments.size() == 2);
  CHECK(adjustments[0] == "id,time,time_ns,venue,holding,delta,who");
  CHECK(adjustments[1]
        == "1,2026-11-23T03:25:06.123456Z,1795404306123456789,sim,BTC,-0.5,ops");

  auto bars = lines_of(dir + "/bars.csv");
  REQUIRE(bars.size() == 1);
  CHECK(bars[0] == "strategy,time,time_ns,close");

  // Exporting again overwrites the files.
  j->add_adjustment(sim, "BTC", qty("1"), "ops", t0);
  summary = j->export_csv(dir);
  CHECK(lines_of(dir + "/adjustments.csv").size() == 3);
}

TEST_CASE("export_csv into a path it cannot create throws journal_error") {
  temp_dir d;
  auto j = must_open(options(d.file("j.db")));
  {
    std::ofstream blocker{d.file("blocker")};
    blocker << "a file where the directory should be";
  }
  CHECK_THROWS_AS(j->export_csv(d.file("blocker") + "/export"), journal_error);
  CHECK_FALSE(j->in_transaction());
}
