#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "venues/common/http_header.hpp"
#include "venues/common/tls.hpp"
#include "venues/common/url.hpp"

namespace agora::net {

/// One request to send through https_client.
struct https_request {
  std::string method; ///< "GET", "POST", "DELETE", ...
  std::string target; ///< Path and query ("/api/v3/order?symbol=BTCUSDT&...").
  std::vector<http_header> headers; ///< Extra headers (e.g. X-MBX-APIKEY).
  std::string body;
  /// Sent as Content-Type only when `body` is not empty.
  std::string content_type = "application/x-www-form-urlencoded";
};

/// How far a request got: what an order-entry caller needs to decide
/// between retrying and reconciling.
enum class send_outcome : uint8_t {
  complete = 1, ///< A whole response arrived (any status).
  not_sent,     ///< Failed before any byte of the request was written: safe to retry.
  unknown,      ///< Failed after (part of) the request was written: the server may have acted.
};

/// The result of one request. `error` is empty when outcome is complete.
struct https_response {
  send_outcome outcome = send_outcome::not_sent;
  std::string error;  ///< "connect 127.0.0.1:9443: Connection refused", "client stopped", ...
  unsigned status = 0; ///< HTTP status when complete.
  std::vector<http_header> headers; ///< Response headers, in order, when complete.
  std::string body;
  /// From async() (or call()) to completion: queueing, connecting, the exchange.
  std::chrono::nanoseconds elapsed{0};

  /// The first header named `name` (case-insensitive); points into `headers`.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    return find_header(headers, name);
  }
};

/// Where and how an https_client connects.
struct https_options {
  /// https:// or http:// (plain, for tests). A path other than "/" is
  /// prefixed to every request target ("https://h/fapi" + "/v1/order").
  url base;
  tls_client_options tls;
  size_t max_connections = 4; ///< Open connections at most (busy + idle); at least 1.
  std::chrono::milliseconds connect_timeout{5000}; ///< Resolve + TCP connect + TLS handshake.
  std::chrono::milliseconds request_timeout{10000}; ///< Write + read of one request.
  std::chrono::milliseconds idle_timeout{50000}; ///< An unused keep-alive connection is closed after this.
  size_t max_response_bytes = 16 << 20; ///< A larger body fails the request (outcome unknown).
  std::string user_agent = "agora/0.1";
};

/// An asynchronous HTTP/1.1 client over TLS (or plain TCP) with a pool of
/// keep-alive connections and its own I/O thread.
///
/// Every request goes to `base`. Sent headers: Host (host[:port], port
/// only when not the scheme's default), User-Agent, Connection:
/// keep-alive, Content-Type (only with a body), Content-Length, then the
/// request's own headers.
///
/// Threads: the constructor starts the I/O thread; callbacks run on it
/// (they must be quick and must not call call()). async() and call() may be
/// used from any other thread. The client must not be destroyed from inside
/// its own callback.
///
/// Pooling: requests wait in FIFO order when max_connections are busy; an
/// idle keep-alive connection is reused when its peer has not closed it
/// (checked just before the write). A reused connection found dead before
/// any byte of the request was written is dropped and the request retried
/// once on a fresh connection; a failure after bytes were written is never
/// retried (outcome unknown).
///
/// Errors: a request completes exactly once; timeouts, refused connections,
/// TLS verify failures ("tls handshake h:443: certificate verify failed
/// (self-signed certificate)") and malformed responses are reported in
/// `error` with the outcome; nothing throws.
class https_client {
public:
  using callback = std::function<void(https_response&&)>;

  /// Starts the I/O thread. A bad `opts` (scheme not http/https, unreadable
  /// ca_file) makes every request complete not_sent with the reason.
  explicit https_client(https_options opts);

  https_client(const https_client&) = delete;
  https_client& operator=(const https_client&) = delete;

  /// stop().
  ~https_client();

  /// Queues `req`; `cb` runs on the I/O thread exactly once. After stop(),
  /// `cb` runs at once on the calling thread with not_sent "client stopped".
  /// Thread-safe.
  void async(https_request req, callback cb);

  /// Blocking async() for threads other than the I/O thread (tests, CLI).
  /// From the I/O thread it returns not_sent at once instead of deadlocking.
  https_response call(https_request req);

  /// Completes queued and in-flight requests with error "client stopped"
  /// (not_sent when nothing was written, else unknown), closes every
  /// connection and joins the I/O thread. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agora::net
