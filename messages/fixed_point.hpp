#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace agora {

/// Number of decimal places of every fixed-point value (1e-8, the finest step
/// any supported venue quotes: Binance uses at most 8 decimals).
inline constexpr int fixed_decimals = 8;

/// Raw units per 1.0.
inline constexpr int64_t fixed_scale = 100'000'000;

/// Largest magnitude a fixed-point value can hold: about 9.22e10 (92 billion),
/// enough for any price, quantity or account notional we trade.
inline constexpr int64_t fixed_max_raw = std::numeric_limits<int64_t>::max();

static_assert(fixed_scale == 100'000'000, "scale is part of the wire and journal format");
static_assert(fixed_max_raw / fixed_scale >= 90'000'000'000LL,
              "range must cover 9e10 units");

/// Why a decimal string did not parse.
enum class decimal_errc : uint8_t {
  empty = 1,      ///< No digits.
  bad_character,  ///< Something other than [+-]digits[.digits].
  too_precise,    ///< Non-zero digits beyond the 8th decimal.
  out_of_range,   ///< Magnitude beyond fixed_max_raw.
};

/// Returns a short, stable name for `x`.
const char* to_string(decimal_errc x) noexcept;

/// Parses decimal text such as "65000.10", "-0.002" or "1e-8"-free plain
/// notation into raw units of 1e-8. Never throws, never goes through double.
/// Trailing zeros beyond 8 decimals are accepted; other digits there are an
/// error, not silently rounded.
std::optional<int64_t> parse_fixed_raw(std::string_view text,
                                       decimal_errc* why = nullptr) noexcept;

/// Formats raw units as the shortest exact decimal ("65000.1", "0.002", "-3").
std::string format_fixed_raw(int64_t raw);

/// A fixed-point decimal with 8 decimals; `Tag` makes price, quantity,
/// notional and rate distinct types that cannot be mixed by accident.
template <class Tag>
class fixed {
public:
  constexpr fixed() noexcept = default;

  static constexpr fixed from_raw(int64_t raw) noexcept {
    fixed x;
    x.raw_ = raw;
    return x;
  }

  /// Whole units, e.g. `price::from_units(65000)`. Precondition: in range.
  static constexpr fixed from_units(int64_t units) noexcept {
    return from_raw(units * fixed_scale);
  }

  /// Parses decimal text; `std::nullopt` on any malformed or out-of-range input.
  static std::optional<fixed> parse(std::string_view text,
                                    decimal_errc* why = nullptr) noexcept {
    if (auto raw = parse_fixed_raw(text, why))
      return from_raw(*raw);
    return std::nullopt;
  }

  /// Converts from double for tests, analytics and the sim market's random
  /// walk only (which floors the result to its tick or lot); rounds to the
  /// nearest 1e-8. Never used on venue data or order fields.
  static fixed from_double(double x) noexcept {
    return from_raw(static_cast<int64_t>(x * static_cast<double>(fixed_scale)
                                         + (x < 0 ? -0.5 : 0.5)));
  }

  constexpr int64_t raw() const noexcept { return raw_; }

  /// Lossy conversion for derived analytics (z-scores, yields, imbalance).
  constexpr double to_double() const noexcept {
    return static_cast<double>(raw_) / static_cast<double>(fixed_scale);
  }

  std::string to_string() const { return format_fixed_raw(raw_); }

  constexpr bool is_zero() const noexcept { return raw_ == 0; }
  constexpr bool is_positive() const noexcept { return raw_ > 0; }
  constexpr bool is_negative() const noexcept { return raw_ < 0; }

  constexpr fixed abs() const noexcept { return from_raw(raw_ < 0 ? -raw_ : raw_); }

  /// Largest multiple of `step` not above this value. `step` must be > 0.
  constexpr fixed floor_to(fixed step) const noexcept {
    int64_t r = raw_ / step.raw_ * step.raw_;
    if (r > raw_)
      r -= step.raw_;
    return from_raw(r);
  }

  /// Smallest multiple of `step` not below this value. `step` must be > 0.
  constexpr fixed ceil_to(fixed step) const noexcept {
    int64_t r = raw_ / step.raw_ * step.raw_;
    if (r < raw_)
      r += step.raw_;
    return from_raw(r);
  }

  /// True if this value is a whole multiple of `step` (> 0).
  constexpr bool is_multiple_of(fixed step) const noexcept {
    return raw_ % step.raw_ == 0;
  }

  constexpr fixed operator-() const noexcept { return from_raw(-raw_); }
  constexpr fixed operator+(fixed y) const noexcept { return from_raw(raw_ + y.raw_); }
  constexpr fixed operator-(fixed y) const noexcept { return from_raw(raw_ - y.raw_); }
  constexpr fixed& operator+=(fixed y) noexcept { raw_ += y.raw_; return *this; }
  constexpr fixed& operator-=(fixed y) noexcept { raw_ -= y.raw_; return *this; }

  /// Multiplies by a whole number (e.g. a count of ticks).
  constexpr fixed times(int64_t n) const noexcept { return from_raw(raw_ * n); }

  friend constexpr auto operator<=>(fixed, fixed) noexcept = default;
  friend constexpr bool operator==(fixed, fixed) noexcept = default;

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, fixed& x) {
    return f(x.raw_);
  }

  static constexpr fixed max() noexcept { return from_raw(fixed_max_raw); }
  static constexpr fixed zero() noexcept { return from_raw(0); }

private:
  int64_t raw_ = 0;
};

struct price_tag {};
struct quantity_tag {};
struct notional_tag {};
struct rate_tag {};

/// A price in quote currency per unit of base.
using price = fixed<price_tag>;
/// An amount of base asset; negative only for signed positions.
using quantity = fixed<quantity_tag>;
/// An amount of quote currency (price x quantity, fees, PnL).
using notional = fixed<notional_tag>;
/// A dimensionless rate, e.g. a fee of 0.0002 (2 bps).
using rate = fixed<rate_tag>;

static_assert(sizeof(price) == 8 && sizeof(quantity) == 8);
static_assert(std::is_trivially_copyable_v<price>);

/// price x quantity through a 128-bit intermediate, truncated toward zero to
/// 1e-8 of quote. `std::nullopt` on overflow.
std::optional<notional> checked_mul(price p, quantity q) noexcept;

/// price x quantity; saturates at +/- notional::max() on overflow (analytics,
/// risk aggregates). Order paths use checked_mul.
notional mul(price p, quantity q) noexcept;

/// notional x rate (fees), through 128 bits, truncated toward zero.
notional mul(notional n, rate r) noexcept;

/// Largest quantity q with p x q <= n (floored); zero if p <= 0.
quantity div_floor(notional n, price p) noexcept;

/// notional / quantity as a price (e.g. an average entry price), truncated.
price div(notional n, quantity q) noexcept;

} // namespace agora
