#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net_test_support.hpp"
#include "venues/common/tls_server.hpp"
#include "venues/common/ws_client.hpp"

using namespace agora::net;
using namespace agora::net::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// A WebSocket server (TLS with a fresh self-signed certificate, or plain)
/// that records its connections and, when `echo` is set, echoes messages.
struct ws_fixture {
  explicit ws_fixture(bool tls = true, bool echo = true) {
    tls_server_options o;
    if (tls) {
      o.cert_file = certs.cert();
      o.key_file = certs.key();
    }
    tls_server::handlers h;
    h.accept_ws = [this](const server_request& req) {
      std::lock_guard<std::mutex> guard{w.mtx};
      upgrade_headers = req.headers;
      return req.target.rfind("/ws", 0) == 0;
    };
    h.on_ws_open = [this](const std::shared_ptr<ws_connection>& c) {
      std::lock_guard<std::mutex> guard{w.mtx};
      conns.push_back(c);
      w.notify();
    };
    h.on_ws_message = [this, echo](const std::shared_ptr<ws_connection>& c, std::string&& m) {
      if (echo)
        c->send(m);
      std::lock_guard<std::mutex> guard{w.mtx};
      received.push_back(std::move(m));
      w.notify();
    };
    h.on_ws_close = [this](const std::shared_ptr<ws_connection>&) {
      std::lock_guard<std::mutex> guard{w.mtx};
      ++server_closes;
      w.notify();
    };
    server = std::make_unique<tls_server>(o, std::move(h));
    std::string error;
    REQUIRE(server->start(&error));
    scheme = tls ? "wss" : "ws";
  }

  ws_options client_options(const std::string& target = "/ws/stream") const {
    ws_options o;
    o.where = *parse_url(scheme + "://127.0.0.1:" + std::to_string(server->port()) + target,
                         nullptr);
    o.tls.ca_file = certs.cert();
    o.connect_timeout = 3s;
    return o;
  }

  /// The first server-side connection, once open.
  std::shared_ptr<ws_connection> first_connection() {
    REQUIRE(w.wait_for(3s, [&] { return !conns.empty(); }));
    std::lock_guard<std::mutex> guard{w.mtx};
    return conns.front();
  }

  cert_dir certs;
  std::string scheme;
  waiter w;
  std::vector<std::shared_ptr<ws_connection>> conns;
  std::vector<std::string> received;
  std::vector<http_header> upgrade_headers;
  int server_closes = 0;
  std::unique_ptr<tls_server> server;
};

/// Records a ws_client's callbacks.
struct client_log {
  ws_client::callbacks callbacks() {
    ws_client::callbacks cb;
    cb.on_open = [this] {
      std::lock_guard<std::mutex> guard{w.mtx};
      ++opens;
      opened_at = steady::now();
      w.notify();
    };
    cb.on_message = [this](std::string&& m) {
      std::lock_guard<std::mutex> guard{w.mtx};
      messages.push_back(std::move(m));
      w.notify();
    };
    cb.on_closed = [this](const std::string& reason) {
      std::lock_guard<std::mutex> guard{w.mtx};
      ++closes;
      reasons.push_back(reason);
      closed_at = steady::now();
      w.notify();
    };
    return cb;
  }

  bool wait_open() {
    return w.wait_for(3s, [&] { return opens > 0 || closes > 0; }) && opens == 1;
  }
  bool wait_closed(std::chrono::milliseconds timeout = 3s) {
    return w.wait_for(timeout, [&] { return closes > 0; });
  }
  std::string reason() {
    std::lock_guard<std::mutex> guard{w.mtx};
    return reasons.empty() ? std::string{} : reasons.front();
  }

  waiter w;
  int opens = 0;
  int closes = 0;
  std::vector<std::string> messages;
  std::vector<std::string> reasons;
  steady::time_point opened_at;
  steady::time_point closed_at;
};

} // namespace

TEST_CASE("ws client and tls server echo a message over wss", "[ws]") {
  ws_fixture fx;
  client_log log;
  auto opts = fx.client_options("/ws/btcusdt@depth?x=1");
  opts.headers.push_back({"X-MBX-APIKEY", "key-1"});
  {
    ws_client client{opts, log.callbacks()};
    client.send("queued before open");
    client.start();
    REQUIRE(log.wait_open());
    CHECK(client.is_open());
    client.send("hello");
    REQUIRE(log.w.wait_for(3s, [&] { return log.messages.size() == 2; }));
    {
      std::lock_guard<std::mutex> guard{log.w.mtx};
      CHECK(log.messages == std::vector<std::string>{"queued before open", "hello"});
    }
    CHECK(client.messages_received() == 2);
    CHECK(client.bytes_received() == 23);
    CHECK(fx.server->ws_connections() == 1);
    auto conn = fx.first_connection();
    CHECK(conn->target() == "/ws/btcusdt@depth?x=1");
    CHECK(conn->id() == 1);
    CHECK(conn->is_open());
    std::lock_guard<std::mutex> guard{fx.w.mtx};
    CHECK(find_header(fx.upgrade_headers, "x-mbx-apikey") == std::optional<std::string_view>{"key-1"});
    CHECK(find_header(fx.upgrade_headers, "user-agent") == std::optional<std::string_view>{"agora/0.1"});
  }
  // The destructor closed the connection: exactly one on_closed, by us.
  CHECK(log.closes == 1);
  CHECK(log.reason() == "closed by client");
  REQUIRE(fx.w.wait_for(3s, [&] { return fx.server_closes == 1; }));
  CHECK(fx.server->ws_connections() == 0);
}

TEST_CASE("a thousand messages keep their order in both directions", "[ws]") {
  ws_fixture fx;
  client_log log;
  ws_client client{fx.client_options(), log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  for (int i = 0; i < 1000; ++i)
    client.send("m" + std::to_string(i));
  REQUIRE(log.w.wait_for(4s, [&] { return log.messages.size() == 1000; }));
  std::lock_guard<std::mutex> guard{log.w.mtx};
  std::lock_guard<std::mutex> server_guard{fx.w.mtx};
  REQUIRE(fx.received.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    CHECK(fx.received[static_cast<size_t>(i)] == "m" + std::to_string(i));
    CHECK(log.messages[static_cast<size_t>(i)] == "m" + std::to_string(i));
  }
}

TEST_CASE("a server close ends the client once with server closed (1000)", "[ws]") {
  ws_fixture fx;
  client_log log;
  ws_client client{fx.client_options(), log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  auto conn = fx.first_connection();
  conn->close();
  REQUIRE(log.wait_closed());
  CHECK(log.reason() == "server closed (1000)");
  CHECK_FALSE(client.is_open());
  REQUIRE(fx.w.wait_for(3s, [&] { return fx.server_closes == 1; }));
  CHECK_FALSE(conn->is_open());
  conn->send("ignored after close");
  client.send("ignored after close");
  client.close();
  std::lock_guard<std::mutex> guard{log.w.mtx};
  CHECK(log.closes == 1);
}

TEST_CASE("a dropped connection ends the client with a read error", "[ws]") {
  for (bool tls : {true, false}) {
    ws_fixture fx{tls};
    client_log log;
    ws_client client{fx.client_options(), log.callbacks()};
    client.start();
    REQUIRE(log.wait_open());
    fx.first_connection()->drop();
    REQUIRE(log.wait_closed());
    auto reason = log.reason();
    CAPTURE(tls, reason);
    CHECK(reason == "read 127.0.0.1:" + std::to_string(fx.server->port())
                      + ": connection dropped without a close frame ("
                      + (tls ? "stream truncated" : "End of file") + ")");
    REQUIRE(fx.w.wait_for(3s, [&] { return fx.server_closes == 1; }));
    CHECK(fx.server->ws_connections() == 0);
  }
}

TEST_CASE("the heartbeat timeout fires when the server stays silent", "[ws]") {
  ws_fixture fx{true, false};
  client_log log;
  auto opts = fx.client_options();
  opts.ping_interval = 0ms;
  opts.heartbeat_timeout = 300ms;
  ws_client client{opts, log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  REQUIRE(log.wait_closed());
  CHECK(log.reason() == "heartbeat timeout after 300 ms");
  auto quiet = log.closed_at - log.opened_at;
  CHECK(quiet >= 300ms);
  CHECK(quiet < 2s);
}

TEST_CASE("pings keep a quiet connection alive past the heartbeat timeout", "[ws]") {
  ws_fixture fx{true, false};
  client_log log;
  auto opts = fx.client_options();
  opts.ping_interval = 100ms;
  opts.heartbeat_timeout = 300ms;
  ws_client client{opts, log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  // The server's pongs count as traffic: three heartbeat periods pass quietly.
  CHECK_FALSE(log.wait_closed(900ms));
  CHECK(client.is_open());
}

TEST_CASE("client close sends a close frame and reports closed by client", "[ws]") {
  ws_fixture fx{false};
  client_log log;
  ws_client client{fx.client_options(), log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  auto conn = fx.first_connection();
  client.close();
  client.close();
  REQUIRE(log.wait_closed());
  CHECK(log.reason() == "closed by client");
  REQUIRE(fx.w.wait_for(3s, [&] { return fx.server_closes == 1; }));
  CHECK_FALSE(conn->is_open());
  CHECK(fx.server->ws_connections() == 0);
  std::lock_guard<std::mutex> guard{log.w.mtx};
  CHECK(log.closes == 1);
}

TEST_CASE("destroying a client mid-connect neither crashes nor calls back later", "[ws]") {
  // Accepts TCP, never answers the TLS handshake.
  waiter accepted;
  bool connected = false;
  raw_listener silent{[&](int fd, const std::atomic<bool>& stopping) {
    {
      std::lock_guard<std::mutex> guard{accepted.mtx};
      connected = true;
      accepted.notify();
    }
    raw_listener::hold(fd, stopping);
  }};
  client_log log;
  {
    ws_options opts;
    opts.where = *parse_url("wss://127.0.0.1:" + std::to_string(silent.port()) + "/ws", nullptr);
    ws_client client{opts, log.callbacks()};
    client.start();
    REQUIRE(accepted.wait_for(3s, [&] { return connected; }));
  }
  std::lock_guard<std::mutex> guard{log.w.mtx};
  CHECK(log.opens == 0);
  CHECK(log.closes == 1);
  CHECK(log.reasons == std::vector<std::string>{"closed by client"});
}

TEST_CASE("a client that is never started never calls back", "[ws]") {
  client_log log;
  {
    ws_options opts;
    opts.where = *parse_url("ws://127.0.0.1:1/ws", nullptr);
    ws_client client{opts, log.callbacks()};
    client.send("x");
    client.close();
  }
  CHECK(log.opens == 0);
  CHECK(log.closes == 0);
}

TEST_CASE("connect failures are reported once with their cause", "[ws]") {
  SECTION("certificate not trusted") {
    ws_fixture fx;
    client_log log;
    auto opts = fx.client_options();
    opts.tls.ca_file.clear();
    ws_client client{opts, log.callbacks()};
    client.start();
    REQUIRE(log.wait_closed());
    CHECK(log.reason().rfind("tls handshake 127.0.0.1:" + std::to_string(fx.server->port())
                               + ": certificate verify failed",
                             0)
          == 0);
    CHECK(log.opens == 0);
    CHECK(fx.server->ws_connections() == 0);
  }
  SECTION("connection refused") {
    raw_listener closed{{}, false};
    client_log log;
    ws_options opts;
    opts.where = *parse_url("ws://127.0.0.1:" + std::to_string(closed.port()) + "/ws", nullptr);
    ws_client client{opts, log.callbacks()};
    client.start();
    REQUIRE(log.wait_closed());
    CHECK(log.reason() == "connect 127.0.0.1:" + std::to_string(closed.port())
                            + ": Connection refused");
  }
  SECTION("upgrade refused by the server") {
    ws_fixture fx;
    client_log log;
    ws_client client{fx.client_options("/nope"), log.callbacks()};
    client.start();
    REQUIRE(log.wait_closed());
    CHECK(log.reason() == "websocket handshake 127.0.0.1:" + std::to_string(fx.server->port())
                            + ": rejected with HTTP 404");
  }
  SECTION("connect timeout") {
    raw_listener silent{[](int fd, const std::atomic<bool>& stopping) {
      raw_listener::hold(fd, stopping);
    }};
    client_log log;
    ws_options opts;
    opts.where = *parse_url("wss://127.0.0.1:" + std::to_string(silent.port()) + "/ws", nullptr);
    opts.connect_timeout = 200ms;
    ws_client client{opts, log.callbacks()};
    client.start();
    REQUIRE(log.wait_closed());
    CHECK(log.reason() == "tls handshake 127.0.0.1:" + std::to_string(silent.port())
                            + ": timed out after 200 ms");
  }
  SECTION("bad scheme") {
    client_log log;
    ws_options opts;
    opts.where = *parse_url("https://127.0.0.1/ws", nullptr);
    ws_client client{opts, log.callbacks()};
    client.start();
    REQUIRE(log.wait_closed());
    CHECK(log.reason() == "ws_client needs a ws:// or wss:// url, got scheme \"https\"");
  }
}

TEST_CASE("a message over max_message_bytes ends the connection", "[ws]") {
  ws_fixture fx;
  client_log log;
  auto opts = fx.client_options();
  opts.max_message_bytes = 100;
  ws_client client{opts, log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  auto conn = fx.first_connection();
  conn->send(std::string(100, 'a'));
  conn->send(std::string(101, 'b'));
  REQUIRE(log.wait_closed());
  CHECK(log.reason() == "message too big (limit 100 bytes)");
  std::lock_guard<std::mutex> guard{log.w.mtx};
  CHECK(log.messages == std::vector<std::string>{std::string(100, 'a')});
}

TEST_CASE("stopping the server ends its websockets and leaves handles harmless", "[ws]") {
  ws_fixture fx;
  client_log log;
  ws_client client{fx.client_options(), log.callbacks()};
  client.start();
  REQUIRE(log.wait_open());
  auto conn = fx.first_connection();
  fx.server->stop();
  CHECK(fx.server_closes == 1);
  CHECK(fx.server->ws_connections() == 0);
  CHECK_FALSE(conn->is_open());
  REQUIRE(log.wait_closed());
  fx.server.reset();
  conn->send("after the server is gone");
  conn->close();
  conn->drop();
  CHECK(conn->target() == "/ws/stream");
}
