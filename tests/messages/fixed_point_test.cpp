#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"

using namespace agora;

namespace {

__extension__ typedef __int128 int128;

constexpr int64_t max_raw = std::numeric_limits<int64_t>::max();

/// Parses and returns the raw value; fails the test if parsing fails.
int64_t raw_of(std::string_view text) {
  decimal_errc why{};
  auto raw = parse_fixed_raw(text, &why);
  INFO("text=\"" << std::string{text} << "\" why=" << to_string(why));
  REQUIRE(raw.has_value());
  return *raw;
}

/// Returns why `text` was refused; fails the test if it parsed.
decimal_errc error_of(std::string_view text) {
  decimal_errc why{};
  auto raw = parse_fixed_raw(text, &why);
  INFO("text=\"" << std::string{text} << "\"");
  REQUIRE_FALSE(raw.has_value());
  return why;
}

template <class A, class B>
concept addable = requires(A a, B b) { a + b; };

template <class A, class B>
concept comparable = requires(A a, B b) {
  a == b;
  a < b;
};

} // namespace

static_assert(!std::is_convertible_v<price, quantity>);
static_assert(!std::is_convertible_v<quantity, price>);
static_assert(!std::is_convertible_v<price, notional>);
static_assert(!std::is_convertible_v<notional, price>);
static_assert(!std::is_convertible_v<quantity, notional>);
static_assert(!std::is_convertible_v<notional, rate>);
static_assert(!std::is_convertible_v<rate, notional>);
static_assert(!std::is_constructible_v<price, quantity>);
static_assert(!std::is_constructible_v<quantity, price>);
static_assert(!std::is_convertible_v<int64_t, price>);
static_assert(!std::is_convertible_v<double, price>);
static_assert(!addable<price, quantity>);
static_assert(!addable<quantity, notional>);
static_assert(!comparable<price, quantity>);
static_assert(addable<price, price>);
static_assert(comparable<price, price>);
static_assert(!std::is_convertible_v<order_id, client_order_id>);
static_assert(!std::is_convertible_v<client_order_id, order_id>);
static_assert(!std::is_convertible_v<trade_id, order_id>);
static_assert(!std::is_constructible_v<order_id, client_order_id>);
static_assert(!std::is_convertible_v<uint64_t, order_id>);
static_assert(!std::is_convertible_v<symbol_id, venue_id>);
static_assert(!std::is_convertible_v<venue_id, symbol_id>);
static_assert(!std::is_convertible_v<std::string, symbol_id>);
static_assert(!comparable<order_id, client_order_id>);
static_assert(comparable<order_id, order_id>);

TEST_CASE("decimal text parses to exact raw units of 1e-8",
          "[fixed_point]") {
  CHECK(raw_of("65000.10") == 6'500'010'000'000);
  CHECK(raw_of("65000.1") == 6'500'010'000'000);
  CHECK(raw_of("0.00000001") == 1);
  CHECK(raw_of("-0.00000001") == -1);
  CHECK(raw_of("-3") == -300'000'000);
  CHECK(raw_of("+1.5") == 150'000'000);
  CHECK(raw_of("0") == 0);
  CHECK(raw_of("-0") == 0);
  CHECK(raw_of("0.002") == 200'000);
  CHECK(raw_of("0000012.340") == 1'234'000'000);
  CHECK(raw_of("0.12345678") == 12'345'678);
}

TEST_CASE("a missing integer part or an empty fraction is accepted",
          "[fixed_point]") {
  CHECK(raw_of(".5") == 50'000'000);
  CHECK(raw_of("-.5") == -50'000'000);
  CHECK(raw_of("1.") == 100'000'000);
  CHECK(raw_of("-7.") == -700'000'000);
}

TEST_CASE("zeros beyond the eighth decimal are accepted, other digits are "
          "too precise",
          "[fixed_point]") {
  CHECK(raw_of("1.000000000") == 100'000'000);
  CHECK(raw_of("1.12345678000000") == 112'345'678);
  CHECK(error_of("1.000000001") == decimal_errc::too_precise);
  CHECK(error_of("0.123456789") == decimal_errc::too_precise);
  CHECK(error_of("-0.000000005") == decimal_errc::too_precise);
}

TEST_CASE("text without digits is refused as empty", "[fixed_point]") {
  CHECK(error_of("") == decimal_errc::empty);
  CHECK(error_of("-") == decimal_errc::empty);
  CHECK(error_of("+") == decimal_errc::empty);
  CHECK(error_of(".") == decimal_errc::empty);
  CHECK(error_of("-.") == decimal_errc::empty);
}

TEST_CASE("anything but sign, digits and one point is a bad character",
          "[fixed_point]") {
  CHECK(error_of("1e5") == decimal_errc::bad_character);
  CHECK(error_of("1e-8") == decimal_errc::bad_character);
  CHECK(error_of("1,5") == decimal_errc::bad_character);
  CHECK(error_of(" 1") == decimal_errc::bad_character);
  CHECK(error_of("1 ") == decimal_errc::bad_character);
  CHECK(error_of("1.2.3") == decimal_errc::bad_character);
  CHECK(error_of("--1") == decimal_errc::bad_character);
  CHECK(error_of("+-1") == decimal_errc::bad_character);
  CHECK(error_of("0x10") == decimal_errc::bad_character);
  CHECK(error_of("nan") == decimal_errc::bad_character);
  CHECK(error_of("1.5-") == decimal_errc::bad_character);
}

TEST_CASE("the largest magnitude parses and one unit more is out of range",
          "[fixed_point]") {
  CHECK(raw_of("92233720368.54775807") == max_raw);
  CHECK(raw_of("-92233720368.54775807") == -max_raw);
  CHECK(raw_of("92233720368.547758070") == max_raw);
  CHECK(raw_of("92233720368") == 9'223'372'036'800'000'000);
  CHECK(error_of("92233720368.54775808") == decimal_errc::out_of_range);
  CHECK(error_of("-92233720368.54775808") == decimal_errc::out_of_range);
  CHECK(error_of("92233720369") == decimal_errc::out_of_range);
  CHECK(error_of("100000000000") == decimal_errc::out_of_range);
  CHECK(error_of("99999999999999999999999999999999999999999")
        == decimal_errc::out_of_range);
  CHECK(raw_of("00000000000000000000000000000000000000001.5") == 150'000'000);
}

TEST_CASE("typed values parse through the same rules", "[fixed_point]") {
  auto px = price::parse("65000.10");
  REQUIRE(px);
  CHECK(px->raw() == 6'500'010'000'000);
  decimal_errc why{};
  CHECK_FALSE(quantity::parse("abc", &why));
  CHECK(why == decimal_errc::bad_character);
  CHECK(std::string{to_string(decimal_errc::empty)} == "empty");
  CHECK(std::string{to_string(decimal_errc::bad_character)} == "bad_character");
  CHECK(std::string{to_string(decimal_errc::too_precise)} == "too_precise");
  CHECK(std::string{to_string(decimal_errc::out_of_range)} == "out_of_range");
}

TEST_CASE("values format as the shortest exact decimal", "[fixed_point]") {
  CHECK(format_fixed_raw(6'500'010'000'000) == "65000.1");
  CHECK(format_fixed_raw(200'000) == "0.002");
  CHECK(format_fixed_raw(-300'000'000) == "-3");
  CHECK(format_fixed_raw(0) == "0");
  CHECK(format_fixed_raw(1) == "0.00000001");
  CHECK(format_fixed_raw(-1) == "-0.00000001");
  CHECK(format_fixed_raw(12'345'678) == "0.12345678");
  CHECK(format_fixed_raw(1'000'000'000'000) == "10000");
  CHECK(format_fixed_raw(max_raw) == "92233720368.54775807");
  CHECK(format_fixed_raw(std::numeric_limits<int64_t>::min())
        == "-92233720368.54775808");
  CHECK(price::from_units(65000).to_string() == "65000");
  CHECK(quantity::from_raw(-50'000'000).to_string() == "-0.5");
}

TEST_CASE("random raw values survive format then parse exactly",
          "[fixed_point][property]") {
  std::mt19937_64 rng{20240601};
  std::uniform_int_distribution<int64_t> full{-max_raw, max_raw};
  std::uniform_int_distribution<int64_t> small{-10'000'000'000, 10'000'000'000};
  for (int i = 0; i < 100'000; ++i) {
    auto raw = (i % 2 == 0) ? full(rng) : small(rng);
    auto text = format_fixed_raw(raw);
    auto back = parse_fixed_raw(text);
    if (!back || *back != raw) {
      INFO("raw=" << raw << " text=" << text);
      REQUIRE(back.has_value());
      REQUIRE(*back == raw);
    }
  }
}

TEST_CASE("random decimal strings parse to their value and reformat stably",
          "[fixed_point][property]") {
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<int> count{0, 10};
  std::uniform_int_distribution<int> frac_count{0, 8};
  std::uniform_int_distribution<int> digit{0, 9};
  std::uniform_int_distribution<int> choice{0, 3};
  for (int i = 0; i < 20'000; ++i) {
    std::string text;
    bool negative = false;
    switch (choice(rng)) {
      case 0:
        text += '-';
        negative = true;
        break;
      case 1:
        text += '+';
        break;
      default:
        break;
    }
    int64_t whole = 0;
    int n_int = count(rng);
    for (int k = 0; k < n_int; ++k) {
      int d = digit(rng);
      text += static_cast<char>('0' + d);
      whole = whole * 10 + d;
    }
    int64_t frac = 0;
    int n_frac = frac_count(rng);
    if (n_int == 0 && n_frac == 0)
      n_frac = 1;
    if (n_frac > 0 || choice(rng) == 0)
      text += '.';
    for (int k = 0; k < 8; ++k) {
      int d = k < n_frac ? digit(rng) : 0;
      if (k < n_frac)
        text += static_cast<char>('0' + d);
      frac = frac * 10 + d;
    }
    int zeros = choice(rng) == 0 ? digit(rng) : 0;
    if (n_frac == 8)
      text.append(static_cast<size_t>(zeros), '0');
    auto expected = whole * fixed_scale + frac;
    if (negative)
      expected = -expected;
    INFO("text=" << text);
    auto first = parse_fixed_raw(text);
    REQUIRE(first.has_value());
    REQUIRE(*first == expected);
    auto formatted = format_fixed_raw(*first);
    auto second = parse_fixed_raw(formatted);
    REQUIRE(second.has_value());
    REQUIRE(*second == *first);
    REQUIRE(format_fixed_raw(*second) == formatted);
  }
}

TEST_CASE("floor_to and ceil_to round to the step in the right direction",
          "[fixed_point]") {
  auto tick = price::from_raw(10'000'000); // 0.1
  auto p = price::from_raw(6'500'017'000'000); // 65000.17
  CHECK(p.floor_to(tick).raw() == 6'500'010'000'000);
  CHECK(p.ceil_to(tick).raw() == 6'500'020'000'000);
  auto exact = price::from_raw(6'500'010'000'000);
  CHECK(exact.floor_to(tick) == exact);
  CHECK(exact.ceil_to(tick) == exact);
  auto neg = price::from_raw(-125'000'000); // -1.25
  CHECK(neg.floor_to(tick).raw() == -130'000'000);
  CHECK(neg.ceil_to(tick).raw() == -120'000'000);
  auto neg_exact = price::from_raw(-120'000'000);
  CHECK(neg_exact.floor_to(tick) == neg_exact);
  CHECK(neg_exact.ceil_to(tick) == neg_exact);
  auto tiny = price::from_raw(-1);
  CHECK(tiny.floor_to(tick).raw() == -10'000'000);
  CHECK(tiny.ceil_to(tick).raw() == 0);
  auto lot = quantity::from_raw(100'000); // 0.001
  CHECK(quantity::from_raw(2'999'999).floor_to(lot).raw() == 2'900'000);
  CHECK(quantity::from_raw(2'900'001).ceil_to(lot).raw() == 3'000'000);
  CHECK(quantity::zero().floor_to(lot).is_zero());
  CHECK(quantity::zero().ceil_to(lot).is_zero());
}

TEST_CASE("is_multiple_of tells whole multiples of a step, for either sign",
          "[fixed_point]") {
  auto tick = price::from_raw(10'000'000);
  CHECK(price::from_raw(6'500'010'000'000).is_multiple_of(tick));
  CHECK_FALSE(price::from_raw(6'500'017'000'000).is_multiple_of(tick));
  CHECK(price::from_raw(-120'000'000).is_multiple_of(tick));
  CHECK_FALSE(price::from_raw(-125'000'000).is_multiple_of(tick));
  CHECK(price::zero().is_multiple_of(tick));
}

TEST_CASE("price times quantity is exact and truncates toward zero",
          "[fixed_point]") {
  auto px = price::from_units(65000);
  auto qty = quantity::from_raw(200'000); // 0.002
  auto n = checked_mul(px, qty);
  REQUIRE(n);
  CHECK(n->raw() == 13'000'000'000); // 130
  CHECK(mul(px, qty).raw() == 13'000'000'000);
  // 0.00000003 x 0.5 = 0.000000015 -> 1e-8 either way toward zero.
  CHECK(checked_mul(price::from_raw(3), quantity::from_raw(50'000'000))->raw()
        == 1);
  CHECK(checked_mul(price::from_raw(3), quantity::from_raw(-50'000'000))->raw()
        == -1);
  CHECK(checked_mul(price::max(), quantity::from_units(1))->raw() == max_raw);
  CHECK(checked_mul(price::max(), quantity::from_raw(1))->raw()
        == max_raw / fixed_scale);
}

TEST_CASE("checked_mul reports overflow and mul saturates",
          "[fixed_point]") {
  auto big = price::from_units(92'233'720'368);
  CHECK_FALSE(checked_mul(big, quantity::from_units(2)));
  CHECK_FALSE(checked_mul(-big, quantity::from_units(2)));
  CHECK_FALSE(checked_mul(price::max(), quantity::max()));
  CHECK(checked_mul(price::from_units(1'000'000), quantity::from_units(92'233))
          ->raw()
        == 9'223'300'000'000'000'000);
  CHECK_FALSE(
    checked_mul(price::from_units(1'000'000), quantity::from_units(92'234)));
  auto one_m = price::from_units(1'000'000);
  CHECK(mul(one_m, quantity::from_units(1'000'000)) == notional::max());
  CHECK(mul(one_m, quantity::from_units(-1'000'000)) == -notional::max());
  CHECK(mul(price::max(), quantity::max()) == notional::max());
}

TEST_CASE("a notional times a fee rate gives the fee", "[fixed_point]") {
  auto n = mul(price::from_units(65000), quantity::from_raw(200'000));
  REQUIRE(n.raw() == 13'000'000'000);
  auto fee = mul(n, rate::from_raw(40'000)); // 0.0004
  CHECK(fee.raw() == 5'200'000);
  CHECK(fee.to_string() == "0.052");
  CHECK(mul(notional::from_units(-130), rate::from_raw(40'000)).raw()
        == -5'200'000);
  // 0.00000001 x 0.5 truncates to zero rather than rounding up.
  CHECK(mul(notional::from_raw(1), rate::from_raw(50'000'000)).raw() == 0);
  CHECK(mul(notional::max(), rate::from_units(2)) == notional::max());
  CHECK(mul(-notional::max(), rate::from_units(2)) == -notional::max());
}

TEST_CASE("div_floor never rounds the affordable quantity up",
          "[fixed_point]") {
  CHECK(div_floor(notional::from_units(130), price::from_units(65000)).raw()
        == 200'000);
  // 100 / 3 = 33.333333333... -> 33.33333333
  CHECK(div_floor(notional::from_units(100), price::from_units(3)).raw()
        == 3'333'333'333);
  // 2 / 3 = 0.6666666666... -> 0.66666666, not 0.66666667.
  CHECK(div_floor(notional::from_units(2), price::from_units(3)).raw()
        == 66'666'666);
  // 0.052 / 0.0004 is exactly 130; any float detour would risk 129.99999999.
  CHECK(div_floor(notional::from_raw(5'200'000), price::from_raw(40'000)).raw()
        == 13'000'000'000);
  // 0.3 / 0.1 is exactly 3.
  CHECK(div_floor(notional::from_raw(30'000'000), price::from_raw(10'000'000))
          .raw()
        == 300'000'000);
  // Negative notionals floor toward minus infinity.
  CHECK(div_floor(notional::from_units(-1), price::from_units(3)).raw()
        == -33'333'334);
  CHECK(div_floor(notional::from_units(-130), price::from_units(65000)).raw()
        == -200'000);
  CHECK(div_floor(notional::from_units(10), price::zero()).is_zero());
  CHECK(div_floor(notional::from_units(10), price::from_units(-1)).is_zero());
  CHECK(div_floor(notional::max(), price::from_raw(1)) == quantity::max());
}

TEST_CASE("div_floor returns the largest quantity whose cost fits",
          "[fixed_point][property]") {
  std::mt19937_64 rng{99};
  std::uniform_int_distribution<int64_t> nd{1, 1'000'000'000'000'000};
  std::uniform_int_distribution<int64_t> pd{1'000'000, 10'000'000'000'000};
  for (int i = 0; i < 20'000; ++i) {
    auto n = notional::from_raw(nd(rng));
    auto p = price::from_raw(pd(rng));
    auto q = div_floor(n, p);
    auto budget = static_cast<int128>(n.raw()) * fixed_scale;
    auto cost = static_cast<int128>(p.raw()) * q.raw();
    auto cost_next = static_cast<int128>(p.raw()) * (q.raw() + 1);
    INFO("n=" << n.raw() << " p=" << p.raw() << " q=" << q.raw());
    REQUIRE(cost <= budget);
    REQUIRE(cost_next > budget);
  }
}

TEST_CASE("div gives the price of a notional per quantity, truncated",
          "[fixed_point]") {
  CHECK(div(notional::from_units(130), quantity::from_raw(200'000)).raw()
        == 6'500'000'000'000);
  CHECK(div(notional::from_units(100), quantity::from_units(3)).raw()
        == 3'333'333'333);
  CHECK(div(notional::from_units(-100), quantity::from_units(3)).raw()
        == -3'333'333'333);
  CHECK(div(notional::from_units(100), quantity::from_units(-3)).raw()
        == -3'333'333'333);
  CHECK(div(notional::from_units(5), quantity::zero()).is_zero());
  CHECK(div(notional::max(), quantity::from_raw(1)) == price::max());
  CHECK(div(-notional::max(), quantity::from_raw(1)) == -price::max());
}

TEST_CASE("arithmetic and comparisons act on raw units", "[fixed_point]") {
  auto a = price::from_raw(150'000'000);
  auto b = price::from_raw(50'000'000);
  CHECK((a + b).raw() == 200'000'000);
  CHECK((a - b).raw() == 100'000'000);
  CHECK((-a).raw() == -150'000'000);
  CHECK(a.times(3).raw() == 450'000'000);
  CHECK(b < a);
  CHECK(a == price::from_raw(150'000'000));
  CHECK((-a).abs() == a);
  CHECK((-a).is_negative());
  CHECK(a.is_positive());
  CHECK(price{}.is_zero());
  auto c = a;
  c += b;
  CHECK(c.raw() == 200'000'000);
  c -= a;
  CHECK(c == b);
  CHECK(price::from_double(65000.1).raw() == 6'500'010'000'000);
  CHECK(price::from_double(-0.25).raw() == -25'000'000);
  CHECK(price::from_raw(6'500'010'000'000).to_double() == 65000.1);
}
