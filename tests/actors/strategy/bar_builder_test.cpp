#include <catch2/catch.hpp>

#include <vector>

#include "actors/strategy/bar_builder.hpp"

using namespace agora;

namespace {

constexpr nanos minute = 60 * ns_per_s;
/// 2023-11-14 22:13:00 UTC: a whole number of minutes since the epoch.
constexpr nanos t0 = 28'333'333 * minute;

price px(const char* text) {
  return *price::parse(text);
}

quantity qty(const char* text) {
  return *quantity::parse(text);
}

bar_builder make_builder() {
  return bar_builder{venue_id{"sim"}, symbol_id{"BTCUSDT"}, minute};
}

} // namespace

TEST_CASE("bar builder aligns bars to multiples of the interval since the epoch") {
  auto b = make_builder();
  CHECK(b.interval() == minute);
  CHECK(b.align(t0 + 59 * ns_per_s) == t0);
  CHECK(b.align(t0 + minute) == t0 + minute);
  CHECK(b.update(px("100"), qty("1"), t0 + 17 * ns_per_s).empty());
  REQUIRE(b.has_open_bar());
  CHECK(b.open_bar().open_time == t0);
  CHECK(b.open_bar().interval == minute);
  CHECK(b.open_bar().venue == venue_id{"sim"});
  CHECK(b.open_bar().symbol == symbol_id{"BTCUSDT"});
}

TEST_CASE("bar builder closes the open bar when an observation enters the next interval") {
  auto b = make_builder();
  CHECK(b.update(px("100"), qty("1"), t0 + 1 * ns_per_s).empty());
  CHECK(b.update(px("103.5"), qty("0.5"), t0 + 10 * ns_per_s).empty());
  CHECK(b.update(px("98.25"), qty("0"), t0 + 20 * ns_per_s).empty());
  CHECK(b.update(px("101"), qty("2"), t0 + minute - 1).empty());
  auto done = b.update(px("102"), qty("1"), t0 + minute);
  REQUIRE(done.size() == 1);
  const bar& x = done[0];
  CHECK(x.open_time == t0);
  CHECK(x.interval == minute);
  CHECK(x.open == px("100"));
  CHECK(x.high == px("103.5"));
  CHECK(x.low == px("98.25"));
  CHECK(x.close == px("101"));
  CHECK(x.volume == qty("3.5"));
  CHECK(b.open_bar().open_time == t0 + minute);
  CHECK(b.open_bar().open == px("102"));
  CHECK(b.open_bar().volume == qty("1"));
}

TEST_CASE("bar builder fills intervals without observations with flat bars") {
  auto b = make_builder();
  b.update(px("100"), qty("1"), t0);
  b.update(px("99"), qty("1"), t0 + 30 * ns_per_s);
  auto done = b.update(px("105"), qty("1"), t0 + 3 * minute + 5 * ns_per_s);
  REQUIRE(done.size() == 3);
  CHECK(done[0].open_time == t0);
  CHECK(done[0].close == px("99"));
  CHECK(done[0].volume == qty("2"));
  for (size_t i = 1; i < 3; ++i) {
    INFO("flat bar " << i);
    CHECK(done[i].open_time == t0 + static_cast<nanos>(i) * minute);
    CHECK(done[i].open == px("99"));
    CHECK(done[i].high == px("99"));
    CHECK(done[i].low == px("99"));
    CHECK(done[i].close == px("99"));
    CHECK(done[i].volume.is_zero());
  }
  CHECK(b.open_bar().open_time == t0 + 3 * minute);
}

TEST_CASE("bar builder ignores observations older than the open bar") {
  auto b = make_builder();
  b.update(px("100"), qty("1"), t0);
  b.update(px("101"), qty("1"), t0 + minute);
  CHECK(b.update(px("50"), qty("9"), t0 + 59 * ns_per_s).empty());
  CHECK(b.open_bar().low == px("101"));
  CHECK(b.open_bar().volume == qty("1"));
  auto done = b.flush(t0 + 2 * minute);
  REQUIRE(done.size() == 1);
  CHECK(done[0].low == px("101"));
  // After a flush, an observation in the already emitted interval is late too.
  CHECK(b.update(px("50"), qty("1"), t0 + 2 * minute - 1).empty());
  CHECK_FALSE(b.has_open_bar());
}

TEST_CASE("bar builder flush closes the open bar only once its interval has ended") {
  auto b = make_builder();
  CHECK(b.flush(t0).empty()); // nothing observed yet
  b.update(px("100"), qty("1"), t0 + 5 * ns_per_s);
  CHECK(b.flush(t0 + minute - 1).empty());
  auto done = b.flush(t0 + minute);
  REQUIRE(done.size() == 1);
  CHECK(done[0].open_time == t0);
  CHECK(done[0].close == px("100"));
  CHECK_FALSE(b.has_open_bar());
  CHECK(b.flush(t0 + minute + 30 * ns_per_s).empty());
  // Two more whole intervals pass without data: two flat bars.
  done = b.flush(t0 + 3 * minute + 1);
  REQUIRE(done.size() == 2);
  CHECK(done[0].open_time == t0 + minute);
  CHECK(done[1].open_time == t0 + 2 * minute);
  CHECK(done[1].close == px("100"));
  CHECK(done[1].volume.is_zero());
  // The next observation continues in wall-time steps.
  done = b.update(px("104"), qty("1"), t0 + 4 * minute + 1);
  REQUIRE(done.size() == 1);
  CHECK(done[0].open_time == t0 + 3 * minute);
  CHECK(done[0].close == px("100"));
  CHECK(b.open_bar().open_time == t0 + 4 * minute);
}

TEST_CASE("bar builder resumes after a historical bar with flat bars across the gap") {
  auto b = make_builder();
  bar last;
  last.open_time = t0;
  last.interval = minute;
  last.open = last.high = last.low = last.close = px("77");
  CHECK(b.resume_after(last));
  CHECK_FALSE(b.resume_after(last)); // already covered
  auto done = b.update(px("80"), qty("1"), t0 + 2 * minute + 1);
  REQUIRE(done.size() == 1);
  CHECK(done[0].open_time == t0 + minute);
  CHECK(done[0].close == px("77"));
}

TEST_CASE("bar builder bounds the flat bars of one huge gap to the most recent ones") {
  bar_builder b{venue_id{"sim"}, symbol_id{"X"}, minute, 4};
  b.update(px("1"), qty("0"), t0);
  auto done = b.update(px("2"), qty("0"), t0 + 100 * minute);
  REQUIRE(done.size() == 5); // the closed bar and the 4 latest flat bars
  CHECK(done[0].open_time == t0);
  CHECK(done[1].open_time == t0 + 96 * minute);
  CHECK(done[4].open_time == t0 + 99 * minute);
}
