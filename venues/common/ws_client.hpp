#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "venues/common/tls.hpp"
#include "venues/common/url.hpp"

namespace agora::net {

/// Where and how a ws_client connects.
struct ws_options {
  url where;                ///< ws:// or wss:// (target = path and query of the upgrade).
  tls_client_options tls;   ///< For wss:// only.
  /// Resolve + TCP connect + TLS handshake + WebSocket handshake, together.
  std::chrono::milliseconds connect_timeout{5000};
  /// We send a ping this often once open; 0 = never.
  std::chrono::milliseconds ping_interval{15000};
  /// Nothing at all (data, ping, pong) received for this long -> the
  /// connection is dropped with reason "heartbeat timeout after N ms";
  /// 0 = never.
  std::chrono::milliseconds heartbeat_timeout{30000};
  /// A larger incoming message ends the connection ("message too big ...").
  size_t max_message_bytes = 4 << 20;
  /// Extra handshake headers (e.g. an API key).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// One WebSocket client connection (ws:// or wss://) with its own I/O thread.
///
/// Threads: start() launches the I/O thread; every callback runs on it, in
/// order (the owner turns them into actor messages and must not block).
/// send(), close(), is_open() and the counters may be called from any
/// thread. The object must not be destroyed from inside its own callback.
///
/// Lifecycle: start() -> on_open -> on_message* -> on_closed, where on_open
/// is skipped when the connection never opened, and on_closed runs exactly
/// once after start(), whatever ends the connection: connect failure
/// ("connect 127.0.0.1:9443: Connection refused", "tls handshake
/// 127.0.0.1:9443: certificate verify failed (self-signed certificate)"),
/// the server's close ("server closed (1000)" or "server closed (1008:
/// reason)"), a transport error ("read 127.0.0.1:9443: connection dropped
/// without a close frame (End of file)"), "heartbeat timeout after 30000 ms",
/// "message too big (limit 4194304 bytes)", or close() ("closed by
/// client"). A connection is never reopened: reconnecting is a new
/// ws_client (the owner's restart policy decides when).
///
/// Server pings are answered with pongs automatically; reading continues
/// while writes are pending.
class ws_client {
public:
  struct callbacks {
    std::function<void()> on_open;                             ///< Handshake done.
    std::function<void(std::string&& payload)> on_message;    ///< Text or binary, in order.
    std::function<void(const std::string& reason)> on_closed; ///< Exactly once after start().
  };

  /// How long close() waits for the server's close frame before dropping
  /// the socket.
  static constexpr std::chrono::milliseconds close_timeout{1000};

  /// Nothing happens before start(). A bad `opts` (not ws/wss, unreadable
  /// ca_file) is reported through on_closed after start().
  ws_client(ws_options opts, callbacks cb);

  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// close(), then joins the I/O thread (at most about close_timeout); no
  /// callback runs after the destructor returns.
  ~ws_client();

  /// Starts the I/O thread and connects asynchronously. Call once; later
  /// calls do nothing.
  void start();

  /// Queues a text message; messages are written in order, one write in
  /// flight. Messages sent before on_open are written after it. Ignored
  /// once the connection is closed or closing. Thread-safe.
  void send(std::string text);

  /// Sends a close frame (waiting at most close_timeout for the server's),
  /// then ends the connection with on_closed("closed by client"); while
  /// still connecting, aborts the attempt. Thread-safe and idempotent.
  void close();

  /// True between on_open and the start of the close.
  bool is_open() const noexcept;

  /// Messages handed to on_message so far.
  uint64_t messages_received() const noexcept;

  /// Payload bytes handed to on_message so far.
  uint64_t bytes_received() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agora::net
