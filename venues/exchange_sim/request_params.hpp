#pragma once

#include "venues/common/url.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agora::xsim {

using net::url_decode;

/// The parameters of one REST call: the query string and the body merged
/// (query first), URL-decoded, plus what a SIGNED request's signature covers.
class request_params {
public:
  /// Why the parameters are unusable.
  enum class problem : uint8_t {
    none = 1,
    duplicate,    ///< A name appears twice (Binance -1101).
    bad_encoding, ///< A broken %-escape (Binance -1100).
  };

  /// Splits and decodes `query` and `body` ("a=1&b=2"); never throws.
  request_params(std::string_view query, std::string_view body);

  /// `none` when every parameter parsed.
  problem error() const noexcept { return error_; }

  /// The parameter the error is about.
  const std::string& error_name() const noexcept { return error_name_; }

  /// The decoded value of `name`, if sent (possibly empty).
  std::optional<std::string_view> get(std::string_view name) const noexcept;

  /// True if `name` was sent with a non-empty value.
  bool has(std::string_view name) const noexcept;

  /// Every parameter in the order sent.
  const std::vector<std::pair<std::string, std::string>>& all() const noexcept {
    return params_;
  }

  /// What the HMAC signature covers: the raw query followed directly by the
  /// raw body (no separator), each without its "signature=..." pair.
  std::string signature_payload() const;

private:
  void add_all(std::string_view text);

  std::string query_;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> params_;
  problem error_ = problem::none;
  std::string error_name_;
};

/// Parses a non-negative decimal integer ("1700000000000"); nullopt on
/// anything else (signs, spaces, overflow).
std::optional<int64_t> parse_int(std::string_view text) noexcept;

} // namespace agora::xsim
