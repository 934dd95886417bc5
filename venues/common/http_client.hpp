#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace agora::net {

/// The outcome of one HTTP call.
struct http_result {
  bool ok = false;     ///< A complete response arrived (whatever its status).
  std::string error;   ///< Why not, when !ok: "connect 127.0.0.1:8787: Connection refused".
  unsigned status = 0; ///< The HTTP status when ok.
  std::string body;    ///< The response body when ok.
};

/// Largest response body http_call accepts.
inline constexpr size_t http_max_response_bytes = 16 * 1024 * 1024;

/// Makes one synchronous HTTP/1.1 request (Connection: close) to
/// `host`:`port` and waits at most `timeout` for the whole exchange
/// (resolve, connect, send, receive). A non-empty `bearer_token` is sent as
/// "Authorization: Bearer <token>"; a non-empty `body` as application/json.
/// Never throws; transport failures and timeouts give ok = false.
http_result http_call(const std::string& host, uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body,
                      const std::string& bearer_token, std::chrono::milliseconds timeout);

} // namespace agora::net
