#include "venues/binance/reader.hpp"

#include <limits>

#include <caf/none.hpp>

#include "venues/common/json.hpp"

namespace agora::binance::detail {

namespace {

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

constexpr uint64_t max_ms
  = static_cast<uint64_t>(std::numeric_limits<nanos>::max() / ns_per_ms);

} // namespace

namespace {

/// Whether every byte is 7-bit: such text is valid UTF-8 as it stands.
bool ascii(std::string_view text) noexcept {
  unsigned char any = 0;
  for (char c : text) // vectorised by the compiler
    any |= static_cast<unsigned char>(c);
  return any < 0x80;
}

template <class Document>
caf::error parse_into(std::string_view text, Document& doc) {
  // Venues send ASCII: the parser's per-character UTF-8 check (a fifth of
  // its time on a book ticker) is needed only for text that is not.
  if (ascii(text))
    doc.template Parse<rapidjson::kParseIterativeFlag>(text.empty() ? "" : text.data(),
                                                       text.size());
  else
    doc.template Parse<parse_flags>(text.data(), text.size());
  if (doc.HasParseError())
    return make_error(codec_errc::malformed_json,
                      "parse error at offset " + std::to_string(doc.GetErrorOffset()));
  return caf::none;
}

template <class Document>
caf::error parse_object_into(std::string_view text, Document& doc) {
  if (auto err = parse_into(text, doc))
    return err;
  if (!doc.IsObject())
    return make_error(codec_errc::malformed_json,
                      "top level is not an object");
  return caf::none;
}

} // namespace

caf::error parse_document(std::string_view text, rapidjson::Document& doc) {
  return parse_into(text, doc);
}

caf::error parse_object(std::string_view text, rapidjson::Document& doc) {
  return parse_object_into(text, doc);
}

caf::error parse_object(std::string_view text, pooled_document& doc) {
  return parse_object_into(text, doc);
}

caf::error missing(std::string_view key) {
  return make_error(codec_errc::missing_field, "missing " + quoted(key));
}

caf::error wrong_type(std::string_view key, const char* expected) {
  return make_error(codec_errc::wrong_type,
                    quoted(key) + " is not " + expected);
}

const rapidjson::Value& unwrap(const rapidjson::Value& root) {
  if (!root.IsObject())
    return root;
  if (json::find(root, "stream") != nullptr)
    if (auto data = json::get_object(root, "data"))
      return *data;
  if (json::find(root, "subscriptionId") != nullptr)
    if (auto event = json::get_object(root, "event"))
      return *event;
  return root;
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

caf::error read_i64(const rapidjson::Value& obj, std::string_view key,
                    int64_t& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  if (!v->IsInt64())
    return wrong_type(key, "an integer");
  out = v->GetInt64();
  return caf::none;
}

caf::error read_ms(const rapidjson::Value& obj, std::string_view key,
                   nanos& out) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  uint64_t ms = 0;
  if (v->IsUint64()) {
    ms = v->GetUint64();
  } else if (v->IsString()) {
    std::string_view s{v->GetString(), v->GetStringLength()};
    if (s.empty() || s.size() > 19)
      return wrong_type(key, "a millisecond time");
    for (char c : s) {
      if (c < '0' || c > '9')
        return wrong_type(key, "a millisecond time");
      ms = ms * 10 + static_cast<uint64_t>(c - '0');
    }
  } else {
    return wrong_type(key, "a millisecond time");
  }
  if (ms > max_ms)
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

caf::error read_optional_string(const rapidjson::Value& obj,
                                std::string_view key, std::string_view& out) {
  auto v = json::find(obj, key);
  if (v == nullptr || v->IsNull()) {
    out = std::string_view{};
    return caf::none;
  }
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

caf::error read_side(const rapidjson::Value& obj, std::string_view key,
                     side& out) {
  std::string_view s;
  if (auto err = read_string(obj, key, s))
    return err;
  if (s == "BUY")
    out = side::buy;
  else if (s == "SELL")
    out = side::sell;
  else
    return wrong_type(key, "BUY or SELL");
  return caf::none;
}

template <class Fixed>
caf::error read_decimal(const rapidjson::Value& v, std::string_view what,
                        Fixed& out, sign s) {
  if (!v.IsString())
    return wrong_type(what, "a decimal string");
  std::string_view text{v.GetString(), v.GetStringLength()};
  decimal_errc why = decimal_errc::empty;
  auto x = Fixed::parse(text, &why);
  if (!x)
    return make_error(codec_errc::bad_decimal,
                      quoted(what) + ": " + to_string(why));
  if (s == sign::non_negative && x->is_negative())
    return make_error(codec_errc::bad_decimal, quoted(what) + ": negative");
  out = *x;
  return caf::none;
}

template <class Fixed>
caf::error read_decimal_member(const rapidjson::Value& obj,
                               std::string_view key, Fixed& out, sign s) {
  auto v = json::find(obj, key);
  if (v == nullptr)
    return missing(key);
  return read_decimal(*v, key, out, s);
}

template <class Fixed>
caf::error read_optional_decimal(const rapidjson::Value& obj,
                                 std::string_view key, Fixed& out, sign s) {
  auto v = json::find(obj, key);
  if (v == nullptr || v->IsNull()
      || (v->IsString() && v->GetStringLength() == 0))
    return caf::none;
  return read_decimal(*v, key, out, s);
}

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
    if (!entry.IsArray() || entry.Size() < 2)
      return wrong_type(key, "an array of [price, quantity] pairs");
    book_level lvl;
    if (auto err = read_decimal(entry[0], key, lvl.px))
      return err;
    if (auto err = read_decimal(entry[1], key, lvl.qty))
      return err;
    out.push_back(lvl);
  }
  return caf::none;
}

template caf::error read_decimal<price>(const rapidjson::Value&,
                                        std::string_view, price&, sign);
template caf::error read_decimal<quantity>(const rapidjson::Value&,
                                           std::string_view, quantity&, sign);
template caf::error read_decimal<notional>(const rapidjson::Value&,
                                           std::string_view, notional&, sign);
template caf::error read_decimal<rate>(const rapidjson::Value&,
                                       std::string_view, rate&, sign);
template caf::error read_decimal_member<price>(const rapidjson::Value&,
                                               std::string_view, price&, sign);
template caf::error read_decimal_member<quantity>(const rapidjson::Value&,
                                                  std::string_view, quantity&,
                                                  sign);
template caf::error read_decimal_member<notional>(const rapidjson::Value&,
                                                  std::string_view, notional&,
                                                  sign);
template caf::error read_decimal_member<rate>(const rapidjson::Value&,
                                              std::string_view, rate&, sign);
template caf::error read_optional_decimal<price>(const rapidjson::Value&,
                                                 std::string_view, price&,
                                                 sign);
template caf::error read_optional_decimal<quantity>(const rapidjson::Value&,
                                                    std::string_view,
                                                    quantity&, sign);
template caf::error read_optional_decimal<notional>(const rapidjson::Value&,
                                                    std::string_view,
                                                    notional&, sign);
template caf::error read_optional_decimal<rate>(const rapidjson::Value&,
                                                std::string_view, rate&, sign);

} // namespace agora::binance::detail
