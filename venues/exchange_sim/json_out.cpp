#include "venues/exchange_sim/json_out.hpp"

#include <algorithm>

namespace agora::xsim {

std::string format_decimals(int64_t raw, int decimals) {
  decimals = std::clamp(decimals, 0, fixed_decimals);
  bool negative = raw < 0;
  // Work in unsigned to also cover INT64_MIN.
  uint64_t mag = negative ? uint64_t{0} - static_cast<uint64_t>(raw)
                          : static_cast<uint64_t>(raw);
  uint64_t whole = mag / static_cast<uint64_t>(fixed_scale);
  uint64_t frac = mag % static_cast<uint64_t>(fixed_scale);
  for (int i = decimals; i < fixed_decimals; ++i)
    frac /= 10;
  std::string out;
  if (negative && (whole != 0 || frac != 0))
    out += '-';
  out += std::to_string(whole);
  if (decimals > 0) {
    std::string digits = std::to_string(frac);
    out += '.';
    out.append(static_cast<size_t>(decimals) - digits.size(), '0');
    out += digits;
  }
  return out;
}

int decimals_of(int64_t step_raw) noexcept {
  if (step_raw <= 0)
    return fixed_decimals;
  int d = fixed_decimals;
  while (d > 0 && step_raw % 10 == 0) {
    step_raw /= 10;
    --d;
  }
  return d;
}

json_out::json_out() : w_(buf_) {
}

json_out& json_out::begin_object() {
  w_.StartObject();
  return *this;
}

json_out& json_out::end_object() {
  w_.EndObject();
  return *this;
}

json_out& json_out::begin_array() {
  w_.StartArray();
  return *this;
}

json_out& json_out::end_array() {
  w_.EndArray();
  return *this;
}

json_out& json_out::key(std::string_view k) {
  w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  return *this;
}

json_out& json_out::str(std::string_view v) {
  w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  return *this;
}

json_out& json_out::i64(int64_t v) {
  w_.Int64(v);
  return *this;
}

json_out& json_out::u64(uint64_t v) {
  w_.Uint64(v);
  return *this;
}

json_out& json_out::boolean(bool v) {
  w_.Bool(v);
  return *this;
}

json_out& json_out::null() {
  w_.Null();
  return *this;
}

json_out& json_out::dec(int64_t raw, int decimals) {
  return str(format_decimals(raw, decimals));
}

json_out& json_out::raw(std::string_view json) {
  w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

std::string json_out::take() const {
  return std::string{buf_.GetString(), buf_.GetSize()};
}

} // namespace agora::xsim
