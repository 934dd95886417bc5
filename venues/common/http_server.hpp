#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace agora::net {

/// One HTTP request as the handler sees it.
struct http_request {
  std::string method;        ///< "GET", "POST", ... as sent.
  std::string target;        ///< Path and query, e.g. "/orders?symbol=BTCUSDT".
  std::string body;
  std::string authorization; ///< The raw Authorization header ("Bearer <token>"), or "".
  std::string remote;        ///< Peer address and port, e.g. "127.0.0.1:53412".
};

/// The handler's answer.
struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// A small HTTP/1.1 server for the control API, on loopback only.
///
/// Threads: one I/O thread, owned here, accepts connections and calls the
/// handler on that thread, one request at a time (the handler may block for
/// a few seconds; other clients wait meanwhile).
///
/// Errors: one request per connection (the response says Connection:
/// close). A request body over 64 KiB gets 413, malformed HTTP gets 400, an
/// exception from the handler gets 500 with a JSON error; in every case the
/// server goes on serving. A client that has not sent its whole request
/// within `read_timeout` is disconnected.
class http_server {
public:
  using handler = std::function<http_response(const http_request&)>;

  /// Largest request body accepted.
  static constexpr size_t max_body_bytes = 64 * 1024;

  /// `address` must be a loopback literal ("127.0.0.1", "::1"); `port` 0
  /// binds an ephemeral port. Nothing happens before start().
  http_server(std::string address, uint16_t port, handler h,
              std::chrono::milliseconds read_timeout = std::chrono::seconds(5));

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Calls stop().
  ~http_server();

  /// Binds, listens and starts the I/O thread. Returns false and fills
  /// `error` (if not null) when the address is not a loopback literal, the
  /// bind fails, or the server was already started or stopped.
  bool start(std::string* error);

  /// The bound port (the ephemeral one if constructed with 0); 0 before start().
  uint16_t port() const noexcept;

  /// Closes the listener and every open connection, then joins the I/O
  /// thread (waiting for a handler call in progress). Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agora::net
