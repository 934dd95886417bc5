#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/journal/intent_log.hpp"
#include "messages/orders.hpp"

// What a gateway writes to its intent log: the order about to leave
// (kind `order`) or the fill about to be acted on (kind `fill`), each the
// message itself in CAF's binary layout (the fields in their inspect order,
// fixed-width integers little-endian, strings length-prefixed). A change of
// either message's fields takes a new kind number, so an old log is still
// read correctly or refused, never misread.

namespace agora::journal {

using intent = std::variant<submit_order, order_filled>;

/// The record's kind and payload for `x`.
intent_kind kind_of(const intent& x) noexcept;
/// Appends `x`'s payload to `out` (cleared first).
void encode_intent(const intent& x, std::vector<char>& out);
/// The intent in a record, or nothing with `error` set (an unknown kind, a
/// payload that does not decode to exactly one message).
std::optional<intent> decode_intent(const intent_record& r, std::string* error);

} // namespace agora::journal
