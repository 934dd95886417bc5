#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "messages/fixed_point.hpp"

namespace agora::xsim {

/// Formats raw 1e-8 units with exactly `decimals` decimals (0..8), truncating
/// finer digits: (6500010000000, 8) -> "65000.10000000", (..., 2) ->
/// "65000.10", (..., 0) -> "65000".
std::string format_decimals(int64_t raw, int decimals);

/// The number of decimals a step such as a tick or a lot needs:
/// 0.01 -> 2, 0.001 -> 3, 1 -> 0, 0.5 -> 1.
int decimals_of(int64_t step_raw) noexcept;

/// A small front end over a RapidJSON writer: member helpers that write a
/// key and a value in one call, decimals as JSON strings (as Binance does).
class json_out {
public:
  json_out();

  json_out& begin_object();
  json_out& end_object();
  json_out& begin_array();
  json_out& end_array();

  /// Writes a member key (inside an object).
  json_out& key(std::string_view k);

  /// Values (inside an array or after `key`).
  json_out& str(std::string_view v);
  json_out& i64(int64_t v);
  json_out& u64(uint64_t v);
  json_out& boolean(bool v);
  json_out& null();
  /// A decimal as a JSON string with exactly `decimals` decimals.
  json_out& dec(int64_t raw, int decimals);
  /// Inserts already-serialised JSON (an object, array or scalar) verbatim.
  json_out& raw(std::string_view json);

  /// Key-value shorthands.
  json_out& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
  json_out& kv(std::string_view k, const char* v) { return key(k).str(v); }
  json_out& kv(std::string_view k, const std::string& v) { return key(k).str(v); }
  json_out& kv_i64(std::string_view k, int64_t v) { return key(k).i64(v); }
  json_out& kv_u64(std::string_view k, uint64_t v) { return key(k).u64(v); }
  json_out& kv_bool(std::string_view k, bool v) { return key(k).boolean(v); }
  json_out& kv_dec(std::string_view k, int64_t raw, int decimals) {
    return key(k).dec(raw, decimals);
  }

  /// The text written so far.
  std::string take() const;

private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

} // namespace agora::xsim
