#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agora::net {

/// A parsed http, https, ws or wss URL.
///
/// `host` is stored without IPv6 brackets ("::1"); `target` always starts
/// with '/' and keeps the query ("/stream?streams=a/b"); a fragment is
/// dropped.
struct url {
  std::string scheme; ///< "http", "https", "ws" or "wss" (lower case).
  std::string host;   ///< Name or address literal, without brackets.
  uint16_t port = 0;  ///< Explicit port, or 443 (https/wss) / 80 (http/ws).
  std::string target; ///< Path and query, "/" when the URL has none.

  /// True for https and wss.
  bool tls() const noexcept { return scheme == "https" || scheme == "wss"; }

  /// The port the scheme implies: 443 for https/wss, 80 for http/ws.
  uint16_t default_port() const noexcept { return tls() ? 443 : 80; }

  /// "host:port", IPv6 in brackets ("[::1]:80"): for error messages.
  std::string host_port() const;

  /// The Host header value: host, plus ":port" when not the default port.
  std::string authority() const;
};

/// Parses "wss://127.0.0.1:9443/stream?streams=a/b", "https://testnet.binance.vision",
/// "ws://[::1]:80/x". Returns nullopt and fills `error` (if not null) for an
/// unknown scheme, an empty host, user info, a bad port (not 1..65535) or
/// characters that cannot appear in a request line. Never throws.
std::optional<url> parse_url(std::string_view text, std::string* error);

/// Decodes one application/x-www-form-urlencoded component ("%2F" -> "/",
/// "+" -> " "); nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

} // namespace agora::net
