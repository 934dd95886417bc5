#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "messages/system.hpp"

namespace agora {

/// A control API request target split into its path and its query
/// parameters: "/v1/signals?limit=20&blocked=1" is the path "/v1/signals"
/// with {"blocked": "1", "limit": "20"}.
struct api_target {
  std::string path;
  /// Percent-decoded ('+' is a space); a key without '=' maps to "".
  std::map<std::string, std::string> params;
};

/// Splits `target` at the first '?' and decodes the query. Never throws:
/// a malformed percent escape, an empty key or a key given twice gives
/// nullopt with `error` filled.
std::optional<api_target> parse_target(std::string_view target,
                                       std::string* error);

/// Nullopt when every parameter of `t` is one of `allowed`; otherwise the
/// error text naming the first unexpected one.
std::optional<std::string>
unexpected_param(const api_target& t,
                 std::initializer_list<std::string_view> allowed);

/// The `limit` parameter: `fallback` when absent, the decimal integer when it
/// lies in [1, max]; otherwise nullopt with `error` filled.
std::optional<uint64_t> query_limit(const api_target& t, uint64_t fallback,
                                    uint64_t max, std::string* error);

/// A boolean parameter: false when absent; "1" or "true" -> true, "0" or
/// "false" -> false; anything else gives nullopt with `error` filled.
std::optional<bool> query_flag(const api_target& t, const std::string& key,
                               std::string* error);

/// The trading scope a halt or resume body names: global when `kind` is
/// empty or "global"; else "venue", "strategy" or "symbol" with a non-empty
/// `name` ("venue/SYMBOL" for a symbol). Never throws: anything else gives
/// nullopt with `error` filled.
std::optional<trading_scope> parse_trading_scope(std::string_view kind,
                                                 std::string_view name,
                                                 std::string* error);

/// Parses a limit as the CLI and the API accept it: decimal digits only, in
/// [1, max]. Never throws.
std::optional<uint64_t> parse_limit(std::string_view text, uint64_t max);

} // namespace agora
