#include "venues/sim/wire.hpp"

#include <limits>
#include <utility>

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/none.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "venues/common/json.hpp"

namespace agora::sim {

const char* to_string(wire_errc x) noexcept {
  switch (x) {
    case wire_errc::malformed_json:
      return "malformed_json";
    case wire_errc::missing_field:
      return "missing_field";
    case wire_errc::wrong_type:
      return "wrong_type";
    case wire_errc::bad_decimal:
      return "bad_decimal";
    case wire_errc::unknown_event:
      return "unknown_event";
  }
  return "unknown";
}

caf::error make_error(wire_errc code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("wire"),
                    caf::make_message(std::move(detail))};
}

namespace {

// -- encoding -----------------------------------------------------------------

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_levels(writer& w, const char* key,
                  const std::vector<book_level>& levels) {
  w.Key(key);
  w.StartArray();
  for (const auto& lvl : levels) {
    w.StartArray();
    write_string(w, lvl.px.to_string());
    write_string(w, lvl.qty.to_string());
    w.EndArray();
  }
  w.EndArray();
}

std::string take(rapidjson::StringBuffer& buf) {
  return std::string{buf.GetString(), buf.GetSize()};
}

// -- decoding -----------------------------------------------------------------

constexpr unsigned parse_flags = rapidjson::kParseIterativeFlag
                                 | rapidjson::kParseValidateEncodingFlag;

std::string quoted(std::string_view key) {
  std::string s;
  s.reserve(key.size() + 2);
  s += '"';
  s += key;
  s += '"';
  return s;
}

caf::error missing(std::string_view key) {
  return make_error(wire_errc::missing_field, "missing " + quoted(key));
}

caf::error wrong_type(std::string_view key, const char* expected) {
  return make_error(wire_errc::wrong_type,
                    quoted(key) + " is not " + expected);
}

/// Parses `text` into `doc` and checks that the root is an object.
caf::error parse_object(std::string_view text, rapidjson::Document& doc) {
  doc.Parse<parse_flags>(text.empty() ? "" : text.data(), text.size());
  if (doc.HasParseError())
    return make_error(wire_errc::malformed_json,
                      "parse error at offset "
                        + std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject())
    return make_error(wire_errc::malformed_json, "top level is not an object");
  return caf::none;
}

caf::error read_u64(const rapidjson::Value& obj, std::string_view key,
                    uint64_t& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  if (!v->IsUint64())
    return wrong_type(key, "an unsigned integer");
  out = v->GetUint64();
  return caf::none;
}

/// Reads a millisecond timestamp into nanoseconds.
caf::error read_ms(const rapidjson::Value& obj, std::string_view key,
                   nanos& out) {
  uint64_t ms = 0;
  if (auto err = read_u64(obj, key, ms))
    return err;
  if (ms > static_cast<uint64_t>(std::numeric_limits<nanos>::max() / ns_per_ms))
    return wrong_type(key, "a millisecond time in range");
  out = static_cast<nanos>(ms) * ns_per_ms;
  return caf::none;
}

caf::error read_string(const rapidjson::Value& obj, std::string_view key,
                       std::string_view& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  if (!v->IsString())
    return wrong_type(key, "a string");
  out = std::string_view{v->GetString(), v->GetStringLength()};
  return caf::none;
}

caf::error read_bool(const rapidjson::Value& obj, std::string_view key,
                     bool& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  if (!v->IsBool())
    return wrong_type(key, "a boolean");
  out = v->GetBool();
  return caf::none;
}

/// Reads a non-negative decimal held in the JSON string `v`; `what` names it
/// in the error detail.
template <class Fixed>
caf::error read_decimal(const rapidjson::Value& v, std::string_view what,
                        Fixed& out) {
  if (!v.IsString())
    return wrong_type(what, "a decimal string");
  std::string_view text{v.GetString(), v.GetStringLength()};
  decimal_errc why = decimal_errc::empty;
  auto x = Fixed::parse(text, &why);
  if (!x)
    return make_error(wire_errc::bad_decimal,
                      quoted(what) + ": " + to_string(why));
  if (x->is_negative())
    return make_error(wire_errc::bad_decimal, quoted(what) + ": negative");
  out = *x;
  return caf::none;
}

template <class Fixed>
caf::error read_decimal_member(const rapidjson::Value& obj,
                               std::string_view key, Fixed& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  return read_decimal(*v, key, out);
}

/// Reads [["px","qty"],...] under `key`.
caf::error read_levels(const rapidjson::Value& obj, std::string_view key,
                       std::vector<book_level>& out) {
  auto arr = json::find(obj, key);
  if (arr == nullptr)
    return missing(key);
  if (!arr->IsArray())
    return wrong_type(key, "an array");
  out.clear();
  out.reserve(arr->Size());
  for (const auto& entry : arr->GetArray()) {
    if (!entry.IsArray() || entry.Size() != 2)
      return wrong_type(key, "an array of [price, quantity] pairs");
    book_level lvl;
    auto it = entry.Begin();
    if (auto err = read_decimal(*it, key, lvl.px))
      return err;
    if (auto err = read_decimal(*(it + 1), key, lvl.qty))
      return err;
    out.push_back(lvl);
  }
  return caf::none;
}

caf::expected<parsed_frame> parse_depth(const rapidjson::Value& obj,
                                        const venue_id& venue,
                                        nanos local_time) {
  book_delta x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  if (auto err = read_ms(obj, "E", x.venue_time))
    return err;
  if (auto err = read_string(obj, "s", sym))
    return err;
  if (auto err = read_u64(obj, "U", x.first_update_id))
    return err;
  if (auto err = read_u64(obj, "u", x.last_update_id))
    return err;
  if (json::find(obj, "pu") != nullptr)
    if (auto err = read_u64(obj, "pu", x.prev_last_update_id))
      return err;
  if (auto err = read_levels(obj, "b", x.bids))
    return err;
  if (auto err = read_levels(obj, "a", x.asks))
    return err;
  x.symbol = symbol_id{sym};
  return parsed_frame{std::move(x)};
}

caf::expected<parsed_frame> parse_trade(const rapidjson::Value& obj,
                                        const venue_id& venue,
                                        nanos local_time) {
  trade_tick x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  bool buyer_is_maker = false;
  if (auto err = read_ms(obj, "E", x.venue_time))
    return err;
  if (auto err = read_string(obj, "s", sym))
    return err;
  if (auto err = read_u64(obj, "t", x.id.value))
    return err;
  if (auto err = read_decimal_member(obj, "p", x.px))
    return err;
  if (auto err = read_decimal_member(obj, "q", x.qty))
    return err;
  if (auto err = read_bool(obj, "m", buyer_is_maker))
    return err;
  x.symbol = symbol_id{sym};
  x.aggressor = buyer_is_maker ? side::sell : side::buy;
  return parsed_frame{std::move(x)};
}

} // namespace

std::string encode_depth(const book_delta& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("e");
  w.String("depthUpdate");
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  w.Key("s");
  write_string(w, x.symbol.str());
  w.Key("U");
  w.Uint64(x.first_update_id);
  w.Key("u");
  w.Uint64(x.last_update_id);
  if (x.prev_last_update_id != 0) {
    w.Key("pu");
    w.Uint64(x.prev_last_update_id);
  }
  write_levels(w, "b", x.bids);
  write_levels(w, "a", x.asks);
  w.EndObject();
  return take(buf);
}

std::string encode_trade(const trade_tick& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("e");
  w.String("trade");
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  w.Key("s");
  write_string(w, x.symbol.str());
  w.Key("t");
  w.Uint64(x.id.value);
  w.Key("p");
  write_string(w, x.px.to_string());
  w.Key("q");
  write_string(w, x.qty.to_string());
  w.Key("m");
  w.Bool(x.aggressor == side::sell);
  w.EndObject();
  return take(buf);
}

std::string encode_snapshot(const book_snapshot& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("lastUpdateId");
  w.Uint64(x.last_update_id);
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  write_levels(w, "bids", x.bids);
  write_levels(w, "asks", x.asks);
  w.EndObject();
  return take(buf);
}

caf::expected<parsed_frame> parse_frame(std::string_view text,
                                        const venue_id& venue,
                                        nanos local_time) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  std::string_view event;
  if (auto err = read_string(doc, "e", event))
    return err;
  if (event == "depthUpdate")
    return parse_depth(doc, venue, local_time);
  if (event == "trade")
    return parse_trade(doc, venue, local_time);
  return make_error(wire_errc::unknown_event,
                    "unknown event " + quoted(event));
}

caf::expected<book_snapshot> parse_snapshot(std::string_view text,
                                            const venue_id& venue,
                                            const symbol_id& symbol,
                                            nanos local_time) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  book_snapshot x;
  x.venue = venue;
  x.symbol = symbol;
  x.local_time = local_time;
  if (auto err = read_u64(doc, "lastUpdateId", x.last_update_id))
    return err;
  if (json::find(doc, "E") != nullptr)
    if (auto err = read_ms(doc, "E", x.venue_time))
      return err;
  if (auto err = read_levels(doc, "bids", x.bids))
    return err;
  if (auto err = read_levels(doc, "asks", x.asks))
    return err;
  return x;
}

} // namespace agora::sim
