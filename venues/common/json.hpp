#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <rapidjson/document.h>

// Checked access to RapidJSON values. RapidJSON's `operator[]` on a missing
// member and its `GetXxx()` on a value of another type are undefined
// behaviour (or an assert); every read of venue JSON goes through these
// helpers instead, which answer "absent" for a missing key, a value of the
// wrong type, or a container that is not an object.

namespace agora::json {

/// Returns the member `key` of `obj`, or null if `obj` is not an object or
/// has no such member (the first one wins if the key repeats).
inline const rapidjson::Value* find(const rapidjson::Value& obj,
                                    std::string_view key) noexcept {
  if (!obj.IsObject())
    return nullptr;
  const char* data = key.empty() ? "" : key.data();
  rapidjson::Value name(
    rapidjson::StringRef(data, static_cast<rapidjson::SizeType>(key.size())));
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd())
    return nullptr;
  return &it->value;
}

/// The string member `key`, viewing into `obj`'s storage (valid as long as
/// the document lives).
inline std::optional<std::string_view> get_string(const rapidjson::Value& obj,
                                                  std::string_view key) noexcept {
  auto v = find(obj, key);
  if (v == nullptr || !v->IsString())
    return std::nullopt;
  return std::string_view{v->GetString(), v->GetStringLength()};
}

/// The unsigned integer member `key` (a JSON integer in [0, 2^64)).
inline std::optional<uint64_t> get_u64(const rapidjson::Value& obj,
                                       std::string_view key) noexcept {
  auto v = find(obj, key);
  if (v == nullptr || !v->IsUint64())
    return std::nullopt;
  return v->GetUint64();
}

/// The signed integer member `key` (a JSON integer in int64 range).
inline std::optional<int64_t> get_i64(const rapidjson::Value& obj,
                                      std::string_view key) noexcept {
  auto v = find(obj, key);
  if (v == nullptr || !v->IsInt64())
    return std::nullopt;
  return v->GetInt64();
}

/// The boolean member `key`.
inline std::optional<bool> get_bool(const rapidjson::Value& obj,
                                    std::string_view key) noexcept {
  auto v = find(obj, key);
  if (v == nullptr || !v->IsBool())
    return std::nullopt;
  return v->GetBool();
}

/// The numeric member `key` as double (any JSON number). For analytics and
/// config only; venue prices and sizes use `get_decimal`.
inline std::optional<double> get_double(const rapidjson::Value& obj,
                                        std::string_view key) noexcept {
  auto v = find(obj, key);
  if (v == nullptr || !v->IsNumber())
    return std::nullopt;
  return v->GetDouble();
}

/// The array member `key`, or null.
inline const rapidjson::Value* get_array(const rapidjson::Value& obj,
                                         std::string_view key) noexcept {
  auto v = find(obj, key);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

/// The object member `key`, or null.
inline const rapidjson::Value* get_object(const rapidjson::Value& obj,
                                          std::string_view key) noexcept {
  auto v = find(obj, key);
  return v != nullptr && v->IsObject() ? v : nullptr;
}

/// The member `key` holding a decimal in a JSON string, venue style
/// ("65000.10"), parsed exactly with `Fixed::parse` (never through double).
/// A JSON number is refused: venues quote decimals as strings so that no
/// binary floating point touches them.
template <class Fixed>
std::optional<Fixed> get_decimal(const rapidjson::Value& obj,
                                 std::string_view key) noexcept {
  auto s = get_string(obj, key);
  if (!s)
    return std::nullopt;
  return Fixed::parse(*s);
}

} // namespace agora::json
