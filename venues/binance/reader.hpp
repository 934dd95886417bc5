#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <rapidjson/document.h>

#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/binance/codec.hpp"

// Checked reads of Binance JSON shared by the codec and the order parsers.
// Every function returns a `codec_errc` error naming the member on failure
// and caf::none on success; none throws and none touches an absent member.

namespace agora::binance::detail {

/// Whether a decimal may be negative (positions, PnL, funding rates) or not
/// (prices, sizes).
enum class sign : uint8_t { non_negative = 1, any = 2 };

/// Parses `text` into `doc` (iterative parser, UTF-8 validated).
caf::error parse_document(std::string_view text, rapidjson::Document& doc);

/// Parses `text` and checks that the top level is an object.
caf::error parse_object(std::string_view text, rapidjson::Document& doc);

/// A document whose values and parse stack both come from caller-given
/// buffers (a stack frame's): the hot path's, one per frame, no heap use for
/// frames that fit. Its values are ordinary `rapidjson::Value`s.
using pooled_document = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                                                   rapidjson::MemoryPoolAllocator<>>;

/// As above, into a pooled document.
caf::error parse_object(std::string_view text, pooled_document& doc);

/// "missing \"key\"".
caf::error missing(std::string_view key);

/// "\"key\" is not <expected>".
caf::error wrong_type(std::string_view key, const char* expected);

/// Unwraps {"stream":..,"data":{..}} and {"subscriptionId":..,"event":{..}};
/// anything else is returned as is.
const rapidjson::Value& unwrap(const rapidjson::Value& root);

caf::error read_u64(const rapidjson::Value& obj, std::string_view key,
                    uint64_t& out);

caf::error read_i64(const rapidjson::Value& obj, std::string_view key,
                    int64_t& out);

/// Reads a millisecond time into nanoseconds. Accepts a JSON integer or a
/// string of digits (spot listenKeyExpired sends "E" as a string).
caf::error read_ms(const rapidjson::Value& obj, std::string_view key,
                   nanos& out);

caf::error read_string(const rapidjson::Value& obj, std::string_view key,
                       std::string_view& out);

/// Like read_string, but a JSON null (or an absent member) gives "".
caf::error read_optional_string(const rapidjson::Value& obj,
                                std::string_view key, std::string_view& out);

caf::error read_bool(const rapidjson::Value& obj, std::string_view key,
                     bool& out);

/// Reads "BUY" / "SELL".
caf::error read_side(const rapidjson::Value& obj, std::string_view key,
                     side& out);

/// Reads the decimal string `v`; `what` names it in the error detail.
template <class Fixed>
caf::error read_decimal(const rapidjson::Value& v, std::string_view what,
                        Fixed& out, sign s = sign::non_negative);

/// Reads the decimal string member `key`.
template <class Fixed>
caf::error read_decimal_member(const rapidjson::Value& obj,
                               std::string_view key, Fixed& out,
                               sign s = sign::non_negative);

/// Reads an optional decimal string member: absent, null or "" leave `out`
/// unchanged.
template <class Fixed>
caf::error read_optional_decimal(const rapidjson::Value& obj,
                                 std::string_view key, Fixed& out,
                                 sign s = sign::non_negative);

/// Reads [["px","qty"],...] under `key` (extra elements per level, as in old
/// payloads, are ignored).
caf::error read_levels(const rapidjson::Value& obj, std::string_view key,
                       std::vector<book_level>& out);

extern template caf::error read_decimal<price>(const rapidjson::Value&,
                                               std::string_view, price&, sign);
extern template caf::error read_decimal<quantity>(const rapidjson::Value&,
                                                  std::string_view, quantity&,
                                                  sign);
extern template caf::error read_decimal<notional>(const rapidjson::Value&,
                                                  std::string_view, notional&,
                                                  sign);
extern template caf::error read_decimal<rate>(const rapidjson::Value&,
                                              std::string_view, rate&, sign);
extern template caf::error
read_decimal_member<price>(const rapidjson::Value&, std::string_view, price&,
                           sign);
extern template caf::error
read_decimal_member<quantity>(const rapidjson::Value&, std::string_view,
                              quantity&, sign);
extern template caf::error
read_decimal_member<notional>(const rapidjson::Value&, std::string_view,
                              notional&, sign);
extern template caf::error
read_decimal_member<rate>(const rapidjson::Value&, std::string_view, rate&,
                          sign);
extern template caf::error
read_optional_decimal<price>(const rapidjson::Value&, std::string_view, price&,
                             sign);
extern template caf::error
read_optional_decimal<quantity>(const rapidjson::Value&, std::string_view,
                                quantity&, sign);
extern template caf::error
read_optional_decimal<notional>(const rapidjson::Value&, std::string_view,
                                notional&, sign);
extern template caf::error
read_optional_decimal<rate>(const rapidjson::Value&, std::string_view, rate&,
                            sign);

} // namespace agora::binance::detail
