#pragma once

// fmt formatters so logs print values as decimals and ids as themselves:
// `order_submitted ... px=65000.1 qty=0.002`.

#include <fmt/format.h>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"

template <class Tag>
struct fmt::formatter<agora::fixed<Tag>> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const agora::fixed<Tag>& x, Ctx& ctx) const {
    auto s = x.to_string();
    return fmt::formatter<std::string_view>::format(s, ctx);
  }
};

template <class Tag>
struct fmt::formatter<agora::numeric_id<Tag>> : fmt::formatter<uint64_t> {
  template <class Ctx>
  auto format(const agora::numeric_id<Tag>& x, Ctx& ctx) const {
    return fmt::formatter<uint64_t>::format(x.value, ctx);
  }
};

template <class Tag>
struct fmt::formatter<agora::name_id<Tag>> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const agora::name_id<Tag>& x, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(x.value, ctx);
  }
};

#define AGORA_ENUM_FORMATTER(T)                                                \
  template <>                                                                  \
  struct fmt::formatter<T> : fmt::formatter<std::string_view> {                \
    template <class Ctx>                                                       \
    auto format(T x, Ctx& ctx) const {                                         \
      return fmt::formatter<std::string_view>::format(agora::to_string(x),     \
                                                      ctx);                    \
    }                                                                          \
  };

AGORA_ENUM_FORMATTER(agora::side)
AGORA_ENUM_FORMATTER(agora::order_type)
AGORA_ENUM_FORMATTER(agora::time_in_force)
AGORA_ENUM_FORMATTER(agora::order_status)
AGORA_ENUM_FORMATTER(agora::liquidity)
AGORA_ENUM_FORMATTER(agora::trading_state)
AGORA_ENUM_FORMATTER(agora::alert_level)
AGORA_ENUM_FORMATTER(agora::run_mode)
AGORA_ENUM_FORMATTER(agora::reject_reason)
AGORA_ENUM_FORMATTER(agora::stale_reason)
AGORA_ENUM_FORMATTER(agora::cancel_reason)
AGORA_ENUM_FORMATTER(agora::scope_kind)
AGORA_ENUM_FORMATTER(agora::two_leg_outcome)

#undef AGORA_ENUM_FORMATTER
