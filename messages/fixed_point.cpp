#include "messages/fixed_point.hpp"

#include <cstdlib>

namespace agora {

namespace {

// 128-bit intermediates (GCC/Clang extension; spelled once here).
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

} // namespace

const char* to_string(decimal_errc x) noexcept {
  switch (x) {
    case decimal_errc::empty:
      return "empty";
    case decimal_errc::bad_character:
      return "bad_character";
    case decimal_errc::too_precise:
      return "too_precise";
    case decimal_errc::out_of_range:
      return "out_of_range";
  }
  return "unknown";
}

std::optional<int64_t> parse_fixed_raw(std::string_view s,
                                       decimal_errc* why) noexcept {
  auto fail = [why](decimal_errc e) -> std::optional<int64_t> {
    if (why)
      *why = e;
    return std::nullopt;
  };
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  // Accumulate magnitude as unsigned 128-bit to detect overflow exactly.
  uint128 mag = 0;
  constexpr uint128 limit = static_cast<uint128>(fixed_max_raw);
  size_t int_digits = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    char c = s[i];
    if (c < '0' || c > '9')
      return fail(decimal_errc::bad_character);
    mag = mag * 10 + static_cast<unsigned>(c - '0');
    if (mag * fixed_scale > limit)
      return fail(decimal_errc::out_of_range);
    ++int_digits;
  }
  mag *= fixed_scale;
  size_t frac_digits = 0;
  if (i < s.size()) {
    ++i; // skip '.'
    uint64_t unit = fixed_scale / 10; // 64-bit: a 128-bit division is a library call
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c < '0' || c > '9')
        return fail(decimal_errc::bad_character);
      ++frac_digits;
      if (unit == 0) {
        if (c != '0')
          return fail(decimal_errc::too_precise);
        continue;
      }
      mag += static_cast<uint128>(unit * static_cast<unsigned>(c - '0'));
      unit /= 10;
    }
    if (frac_digits == 0 && int_digits == 0)
      return fail(decimal_errc::empty);
  }
  if (int_digits == 0 && frac_digits == 0)
    return fail(decimal_errc::empty);
  if (mag > limit)
    return fail(decimal_errc::out_of_range);
  auto v = static_cast<int64_t>(mag);
  return negative ? -v : v;
}

std::string format_fixed_raw(int64_t raw) {
  bool negative = raw < 0;
  // -INT64_MIN is not representable; INT64_MIN never comes out of parse.
  auto mag = negative ? static_cast<uint64_t>(-(raw + 1)) + 1u
                      : static_cast<uint64_t>(raw);
  auto whole = mag / static_cast<uint64_t>(fixed_scale);
  auto frac = mag % static_cast<uint64_t>(fixed_scale);
  std::string out;
  if (negative)
    out += '-';
  out += std::to_string(whole);
  if (frac != 0) {
    char buf[fixed_decimals + 1];
    for (int k = fixed_decimals - 1; k >= 0; --k) {
      buf[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int len = fixed_decimals;
    while (len > 0 && buf[len - 1] == '0')
      --len;
    out += '.';
    out.append(buf, static_cast<size_t>(len));
  }
  return out;
}

std::optional<notional> checked_mul(price p, quantity q) noexcept {
  int128 r = static_cast<int128>(p.raw()) * q.raw() / fixed_scale;
  if (r > fixed_max_raw || r < -fixed_max_raw)
    return std::nullopt;
  return notional::from_raw(static_cast<int64_t>(r));
}

notional mul(price p, quantity q) noexcept {
  int128 r = static_cast<int128>(p.raw()) * q.raw() / fixed_scale;
  if (r > fixed_max_raw)
    return notional::max();
  if (r < -fixed_max_raw)
    return -notional::max();
  return notional::from_raw(static_cast<int64_t>(r));
}

notional mul(notional n, rate r) noexcept {
  int128 x = static_cast<int128>(n.raw()) * r.raw() / fixed_scale;
  if (x > fixed_max_raw)
    return notional::max();
  if (x < -fixed_max_raw)
    return -notional::max();
  return notional::from_raw(static_cast<int64_t>(x));
}

quantity div_floor(notional n, price p) noexcept {
  if (p.raw() <= 0)
    return quantity{};
  int128 x = static_cast<int128>(n.raw()) * fixed_scale;
  int128 q = x / p.raw();
  if (x % p.raw() != 0 && x < 0)
    --q;
  if (q > fixed_max_raw)
    return quantity::max();
  if (q < -fixed_max_raw)
    return -quantity::max();
  return quantity::from_raw(static_cast<int64_t>(q));
}

price div(notional n, quantity q) noexcept {
  if (q.raw() == 0)
    return price{};
  int128 x = static_cast<int128>(n.raw()) * fixed_scale / q.raw();
  if (x > fixed_max_raw)
    return price::max();
  if (x < -fixed_max_raw)
    return -price::max();
  return price::from_raw(static_cast<int64_t>(x));
}

} // namespace agora
