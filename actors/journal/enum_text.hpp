#pragma once

#include <optional>
#include <string_view>

#include "messages/enums.hpp"

// Private to agora_journal: enums are stored as their `to_string` text and
// read back here.

namespace agora::journal::detail {

/// The enumerator of `E` (values 1..`Last`) whose `to_string` is `text`.
template <class E, E Last>
std::optional<E> enum_from_text(std::string_view text) noexcept {
  for (int i = 1; i <= static_cast<int>(Last); ++i)
    if (to_string(static_cast<E>(i)) == text)
      return static_cast<E>(i);
  return std::nullopt;
}

inline std::optional<side> side_from_text(std::string_view t) noexcept {
  return enum_from_text<side, side::sell>(t);
}

inline std::optional<order_type> order_type_from_text(std::string_view t) noexcept {
  return enum_from_text<order_type, order_type::market>(t);
}

inline std::optional<time_in_force> tif_from_text(std::string_view t) noexcept {
  return enum_from_text<time_in_force, time_in_force::post_only>(t);
}

inline std::optional<order_status> status_from_text(std::string_view t) noexcept {
  return enum_from_text<order_status, order_status::expired>(t);
}

inline std::optional<liquidity> liquidity_from_text(std::string_view t) noexcept {
  return enum_from_text<liquidity, liquidity::taker>(t);
}

} // namespace agora::journal::detail
