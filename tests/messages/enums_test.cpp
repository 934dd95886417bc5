#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <type_traits>

#include "messages/enums.hpp"

using namespace agora;

namespace {

/// Every value of `E` from 1 to `last`, as names; checks none is "unset" and
/// all are distinct.
template <class E>
std::set<std::string_view> names_up_to(E last) {
  std::set<std::string_view> out;
  using U = std::underlying_type_t<E>;
  for (U i = 1; i <= static_cast<U>(last); ++i) {
    auto name = to_string(static_cast<E>(i));
    INFO("value=" << static_cast<int>(i) << " name=" << name);
    CHECK(name != "unset");
    CHECK(name != "UNSET");
    CHECK_FALSE(name.empty());
    out.insert(name);
  }
  CHECK(out.size() == static_cast<size_t>(last));
  return out;
}

} // namespace

static_assert(static_cast<int>(side::buy) == 1);
static_assert(static_cast<int>(order_type::limit) == 1);
static_assert(static_cast<int>(time_in_force::gtc) == 1);
static_assert(static_cast<int>(order_status::pending_new) == 1);
static_assert(static_cast<int>(liquidity::maker) == 1);
static_assert(static_cast<int>(trading_state::active) == 1);
static_assert(static_cast<int>(alert_level::info) == 1);
static_assert(static_cast<int>(run_mode::shadow) == 1);
static_assert(static_cast<int>(reject_reason::trading_halted) == 1);
static_assert(static_cast<int>(stale_reason::sequence_gap) == 1);
static_assert(static_cast<int>(cancel_reason::requested) == 1);
static_assert(opposite(side::buy) == side::sell);
static_assert(opposite(side::sell) == side::buy);
static_assert(sign(side::buy) == 1 && sign(side::sell) == -1);

TEST_CASE("parseable enums round trip through to_string and parse",
          "[enums]") {
  for (auto x : {side::buy, side::sell})
    CHECK(parse_side(to_string(x)) == x);
  for (auto x : {time_in_force::gtc, time_in_force::ioc,
                 time_in_force::post_only})
    CHECK(parse_time_in_force(to_string(x)) == x);
  for (auto x : {trading_state::active, trading_state::reducing,
                 trading_state::halted})
    CHECK(parse_trading_state(to_string(x)) == x);
  for (auto x : {run_mode::shadow, run_mode::paper, run_mode::live})
    CHECK(parse_run_mode(to_string(x)) == x);
}

TEST_CASE("enum parsers accept lower and upper case and nothing else",
          "[enums]") {
  CHECK(parse_side("buy") == side::buy);
  CHECK(parse_side("SELL") == side::sell);
  CHECK(parse_time_in_force("IOC") == time_in_force::ioc);
  CHECK(parse_time_in_force("post_only") == time_in_force::post_only);
  CHECK(parse_trading_state("halted") == trading_state::halted);
  CHECK(parse_trading_state("REDUCING") == trading_state::reducing);
  CHECK(parse_run_mode("paper") == run_mode::paper);
  CHECK(parse_run_mode("LIVE") == run_mode::live);
  CHECK_FALSE(parse_side("Buy"));
  CHECK_FALSE(parse_side(""));
  CHECK_FALSE(parse_side("buy "));
  CHECK_FALSE(parse_time_in_force("fok"));
  CHECK_FALSE(parse_trading_state("stopped"));
  CHECK_FALSE(parse_run_mode("Paper"));
}

TEST_CASE("every enum value has a distinct stable name", "[enums]") {
  names_up_to(side::sell);
  names_up_to(order_type::market);
  names_up_to(time_in_force::post_only);
  names_up_to(order_status::expired);
  names_up_to(liquidity::taker);
  names_up_to(trading_state::halted);
  names_up_to(alert_level::critical);
  names_up_to(run_mode::live);
  names_up_to(reject_reason::journal_unavailable);
  names_up_to(stale_reason::awaiting_snapshot);
  names_up_to(cancel_reason::self_trade);
  CHECK(to_string(trading_state::halted) == "HALTED");
  CHECK(to_string(reject_reason::post_only_would_cross)
        == "POST_ONLY_WOULD_CROSS");
  CHECK(to_string(order_status::partially_filled) == "partially_filled");
  CHECK(to_string(alert_level::critical) == "CRITICAL");
  CHECK(to_string(cancel_reason::ioc_remainder) == "ioc_remainder");
}

TEST_CASE("zero, the unset value, prints as unset", "[enums]") {
  CHECK(to_string(side{}) == "unset");
  CHECK(to_string(order_status{}) == "unset");
  CHECK(to_string(trading_state{}) == "unset");
  CHECK(to_string(reject_reason{}) == "UNSET");
  CHECK(to_string(cancel_reason{}) == "unset");
}

TEST_CASE("filled, canceled, rejected and expired are the terminal states",
          "[enums]") {
  CHECK_FALSE(is_terminal(order_status::pending_new));
  CHECK_FALSE(is_terminal(order_status::accepted));
  CHECK_FALSE(is_terminal(order_status::partially_filled));
  CHECK_FALSE(is_terminal(order_status::pending_cancel));
  CHECK(is_terminal(order_status::filled));
  CHECK(is_terminal(order_status::canceled));
  CHECK(is_terminal(order_status::rejected));
  CHECK(is_terminal(order_status::expired));
}
