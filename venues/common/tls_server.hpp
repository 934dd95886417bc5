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

namespace agora::net {

/// One HTTP request (or WebSocket upgrade request) as a handler sees it.
struct server_request {
  std::string method;               ///< "GET", "POST", ... as sent.
  std::string target;               ///< Path and query.
  std::vector<http_header> headers; ///< As received, in order.
  std::string body;
  std::string remote; ///< Peer address and port, "127.0.0.1:53412".

  /// The first header named `name` (case-insensitive); points into `headers`.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    return find_header(headers, name);
  }
};

/// A handler's answer to one HTTP request.
struct server_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<http_header> headers; ///< Extra headers.
  std::string body;
  bool close = false; ///< Close the connection after this response.
};

/// Handle to one accepted WebSocket; shared by the server and the owner.
///
/// Thread-safe: every call may come from any thread; the work is posted to
/// the server's I/O thread. Once the connection has closed (or the server
/// stopped) every call is a no-op, so a handle may safely outlive its
/// server.
class ws_connection {
public:
  struct impl; ///< Defined by tls_server.cpp.

  /// Only tls_server creates connections.
  explicit ws_connection(std::unique_ptr<impl> d) noexcept;
  ws_connection(const ws_connection&) = delete;
  ws_connection& operator=(const ws_connection&) = delete;
  ~ws_connection();

  /// Unique per server, from 1.
  uint64_t id() const noexcept;

  /// The request target of the upgrade ("/ws/btcusdt@depth").
  const std::string& target() const noexcept;

  /// Queues a text message; written in order. Ignored once closed.
  void send(std::string text);

  /// Sends a close frame (normal closure), waits at most one second for
  /// the client's, then shuts the connection down.
  void close();

  /// Abrupt end: closes the TCP socket without a close frame (fault injection).
  void drop();

  /// True from on_ws_open until the connection starts closing.
  bool is_open() const noexcept;

private:
  std::unique_ptr<impl> impl_;
};

/// Where a tls_server listens and how.
struct tls_server_options {
  std::string address = "127.0.0.1"; ///< A loopback literal ("127.0.0.1", "::1").
  uint16_t port = 0;                  ///< 0 = ephemeral (see port()).
  /// PEM files (see generate_self_signed). Both empty -> plain TCP (tests);
  /// exactly one empty is an error.
  std::string cert_file;
  std::string key_file;
  /// Bounds the TLS handshake, each HTTP request (and the idle time between
  /// keep-alive requests) and the WebSocket handshake. An open WebSocket
  /// with nothing received for half of it gets a ping, and is closed when
  /// nothing at all (not even the pong) arrives for the whole of it.
  std::chrono::milliseconds read_timeout{30000};
  /// Largest HTTP request body (413 beyond) and WebSocket message (the
  /// connection is closed with 1009 beyond).
  size_t max_body_bytes = 1 << 20;
};

/// An HTTPS + WSS server (or plain HTTP + WS) on loopback, with its own I/O
/// thread: the wire side of `agora exchange-sim` and of the socket tests.
///
/// Threads: every handler runs on the server's single I/O thread, one at a
/// time; handlers must be quick (the owner locks its own state).
///
/// HTTP: keep-alive, many requests per connection. Malformed requests get
/// 400 and the connection is closed; a body over max_body_bytes gets 413;
/// an exception from on_http gets 500 with a JSON error. An upgrade request
/// goes to accept_ws: false (or no accept_ws handler) answers 404.
///
/// WebSocket: on_ws_open, then on_ws_message per message in order, then
/// on_ws_close exactly once per opened connection (client close, error,
/// close(), drop(), or stop()). Pings are answered automatically.
class tls_server {
public:
  struct handlers {
    std::function<server_response(const server_request&)> on_http;
    std::function<bool(const server_request&)> accept_ws;
    std::function<void(const std::shared_ptr<ws_connection>&)> on_ws_open;
    std::function<void(const std::shared_ptr<ws_connection>&, std::string&&)> on_ws_message;
    std::function<void(const std::shared_ptr<ws_connection>&)> on_ws_close;
  };

  /// Nothing happens before start().
  tls_server(tls_server_options opts, handlers h);

  tls_server(const tls_server&) = delete;
  tls_server& operator=(const tls_server&) = delete;

  /// stop().
  ~tls_server();

  /// Loads the certificate, binds, listens and starts the I/O thread.
  /// Returns false and fills `error` (if not null) when the address is not a
  /// loopback literal, the certificate or key cannot be loaded, the bind
  /// fails, or the server was already started or stopped.
  bool start(std::string* error);

  /// The bound port (the ephemeral one if opts.port was 0); 0 before start().
  uint16_t port() const noexcept;

  /// Closes the listener and every connection (on_ws_close runs for each
  /// open WebSocket), then joins the I/O thread. Idempotent.
  void stop();

  /// WebSocket connections currently open.
  size_t ws_connections() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agora::net
