#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Request signing for Binance SIGNED endpoints (HMAC-SHA256 keys). The
// signature covers the query string followed directly by the request body
// (no separator), as the text is sent on the wire, i.e. after URL encoding.

namespace agora::binance {

/// HMAC-SHA256 of `payload` keyed with `secret`, as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view secret, std::string_view payload);

/// Percent-encodes `text` per RFC 3986: the unreserved characters
/// A-Z a-z 0-9 - . _ ~ are kept, every other byte becomes %XX (uppercase hex).
std::string url_encode(std::string_view text);

/// Builds a query string "k1=v1&k2=v2" in insertion order; values are
/// URL-encoded, keys are taken as given (Binance parameter names are plain).
class query_builder {
public:
  /// Appends `key=url_encode(value)`.
  query_builder& add(std::string_view key, std::string_view value);

  /// Appends `key=value` with the integer in decimal.
  query_builder& add(std::string_view key, int64_t value);

  /// The query built so far ("" when empty).
  const std::string& str() const noexcept;

private:
  void separate();

  std::string query_;
};

/// Signs a request: returns "<query>&signature=<hex>" where the hex is
/// HMAC-SHA256(secret, query + body). With an empty query the result is
/// "signature=<hex>" (all parameters in the body).
std::string signed_query(std::string_view query, std::string_view body,
                         std::string_view secret);

} // namespace agora::binance
