#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>

#include <cerrno>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "venues/common/http_client.hpp"
#include "venues/common/http_server.hpp"

using namespace agora::net;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

/// A plain TCP socket on 127.0.0.1 for sending bytes no HTTP client would.
class raw_socket {
public:
  raw_socket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) { REQUIRE(fd_ >= 0); }
  ~raw_socket() { ::close(fd_); }
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool connect(uint16_t port) {
    auto addr = loopback(port);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }

  /// Binds to an ephemeral port and optionally listens; returns the port.
  uint16_t bind_any(bool listen) {
    auto addr = loopback(0);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    if (listen)
      REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    return ntohs(addr.sin_port);
  }

  void send_all(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      sent += static_cast<size_t>(n);
    }
  }

  /// Reads until the peer closes or `timeout` passes between two reads.
  std::string read_all(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = n == 0 || errno == ECONNRESET;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }

  /// True if the last read_all ended because the peer closed (FIN, or RST
  /// when the server closed before accepting).
  bool peer_closed() const noexcept { return closed_; }

private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  int fd_;
  bool closed_ = false;
};

/// Records the last request and answers with a fixed response.
struct recorder {
  std::mutex mtx;
  http_request last;
  int calls = 0;

  http_server::handler handler(http_response answer) {
    return [this, answer](const http_request& req) {
      std::lock_guard<std::mutex> guard{mtx};
      last = req;
      ++calls;
      return answer;
    };
  }
};

http_response json(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::unique_ptr<http_server> started(http_server::handler h,
                                     std::chrono::milliseconds read_timeout = 5s) {
  auto s = std::make_unique<http_server>("127.0.0.1", 0, std::move(h), read_timeout);
  std::string error;
  REQUIRE(s->start(&error));
  REQUIRE(error.empty());
  REQUIRE(s->port() != 0);
  return s;
}

} // namespace

TEST_CASE("server hands method, target, body and bearer header to the handler",
          "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(200, R"({"ok":true})")));

  auto r = http_call("127.0.0.1", server->port(), "POST", "/halt?scope=all",
                     R"({"reason":"test"})", "s3cret", 2s);
  REQUIRE(r.ok);
  CHECK(r.error.empty());
  CHECK(r.status == 200);
  CHECK(r.body == R"({"ok":true})");
  {
    std::lock_guard<std::mutex> guard{rec.mtx};
    CHECK(rec.last.method == "POST");
    CHECK(rec.last.target == "/halt?scope=all");
    CHECK(rec.last.body == R"({"reason":"test"})");
    CHECK(rec.last.authorization == "Bearer s3cret");
    CHECK(rec.last.remote.rfind("127.0.0.1:", 0) == 0);
  }

  r = http_call("127.0.0.1", server->port(), "GET", "/status", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  std::lock_guard<std::mutex> guard{rec.mtx};
  CHECK(rec.calls == 2);
  CHECK(rec.last.method == "GET");
  CHECK(rec.last.target == "/status");
  CHECK(rec.last.body.empty());
  CHECK(rec.last.authorization.empty());
}

TEST_CASE("a 404 from the handler reaches the client with its body", "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(404, R"({"error":"no such route"})")));
  auto r = http_call("127.0.0.1", server->port(), "GET", "/nope", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 404);
  CHECK(r.body == R"({"error":"no such route"})");
}

TEST_CASE("a handler that throws gives a 500 with a JSON error", "[http]") {
  auto server = started([](const http_request&) -> http_response {
    throw std::runtime_error("journal \"locked\"");
  });
  auto r = http_call("127.0.0.1", server->port(), "GET", "/orders", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 500);
  CHECK(r.body == R"({"error":"internal error: journal \"locked\""})");

  // And the server is still there.
  r = http_call("127.0.0.1", server->port(), "GET", "/orders", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 500);
}

TEST_CASE("malformed request bytes get a 400 and the server goes on serving", "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(200, "{}")));

  raw_socket raw;
  REQUIRE(raw.connect(server->port()));
  raw.send_all("\x01\x02 garbage\r\n\r\n");
  auto reply = raw.read_all(2s);
  CHECK(reply.rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(reply.find("\"error\":\"bad request") != std::string::npos);
  CHECK(raw.peer_closed());

  auto r = http_call("127.0.0.1", server->port(), "GET", "/status", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  std::lock_guard<std::mutex> guard{rec.mtx};
  CHECK(rec.calls == 1);
}

TEST_CASE("a request body over 64 KiB gets a 413 without reaching the handler", "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(200, "{}")));
  raw_socket raw;
  REQUIRE(raw.connect(server->port()));
  std::string body(http_server::max_body_bytes + 1, 'x');
  raw.send_all("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size())
               + "\r\n\r\n" + body);
  auto reply = raw.read_all(2s);
  CHECK(reply.rfind("HTTP/1.1 413 ", 0) == 0);
  std::lock_guard<std::mutex> guard{rec.mtx};
  CHECK(rec.calls == 0);
}

TEST_CASE("a silent client neither blocks others nor outstays the read timeout", "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(200, "{}")), 300ms);

  raw_socket silent;
  REQUIRE(silent.connect(server->port()));
  auto t0 = steady::now();
  auto r = http_call("127.0.0.1", server->port(), "GET", "/status", "", "", 2s);
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  CHECK(steady::now() - t0 < 250ms); // Served before the silent one timed out.

  auto reply = silent.read_all(3s);
  CHECK(reply.empty());
  CHECK(silent.peer_closed());
  auto waited = steady::now() - t0;
  CHECK(waited >= 250ms);
  CHECK(waited < 2s);
}

TEST_CASE("the client fails quickly and clearly against a closed port", "[http]") {
  uint16_t port = 0;
  {
    raw_socket probe;
    port = probe.bind_any(false); // Bound, never listening, then closed.
  }
  auto t0 = steady::now();
  auto r = http_call("127.0.0.1", port, "GET", "/status", "", "", 2s);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "connect 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  CHECK(steady::now() - t0 < 500ms);
}

TEST_CASE("the client times out against a server that never answers", "[http]") {
  raw_socket mute;
  auto port = mute.bind_any(true); // The kernel accepts; nobody reads or writes.
  auto t0 = steady::now();
  auto r = http_call("127.0.0.1", port, "GET", "/status", "", "", 200ms);
  auto took = steady::now() - t0;
  CHECK_FALSE(r.ok);
  CHECK(r.error == "receive from 127.0.0.1:" + std::to_string(port) + ": timed out after 200 ms");
  CHECK(took >= 150ms);
  CHECK(took < 1s);
}

TEST_CASE("the client rejects requests it cannot send safely", "[http]") {
  auto r = http_call("127.0.0.1", 1, "GET", "/x", "", "tok\r\nX-Evil: 1", 1s);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "invalid bearer token (it must be printable ASCII without spaces)");
  r = http_call("127.0.0.1", 1, "GET", "no-slash", "", "", 1s);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "invalid target \"no-slash\"");
}

TEST_CASE("stop is fast, idempotent and closes open connections", "[http]") {
  recorder rec;
  auto server = started(rec.handler(json(200, "{}")));
  auto port = server->port();
  raw_socket idle;
  REQUIRE(idle.connect(port));

  auto t0 = steady::now();
  server->stop();
  server->stop();
  CHECK(steady::now() - t0 < 500ms);

  idle.read_all(2s);
  CHECK(idle.peer_closed());
  auto r = http_call("127.0.0.1", port, "GET", "/status", "", "", 1s);
  CHECK_FALSE(r.ok);

  std::string error;
  CHECK_FALSE(server->start(&error));
  CHECK(error == "http server stopped");
  server.reset(); // The destructor's stop() is a no-op now.
}

TEST_CASE("start refuses a non-loopback address and a second start", "[http]") {
  http_server any("0.0.0.0", 0, [](const http_request&) { return http_response{}; });
  std::string error;
  CHECK_FALSE(any.start(&error));
  CHECK(error == "http server address must be a loopback literal, got \"0.0.0.0\"");
  CHECK(any.port() == 0);

  recorder rec;
  auto server = started(rec.handler(json(200, "{}")));
  CHECK_FALSE(server->start(&error));
  CHECK(error == "http server already started");

  http_server clash("127.0.0.1", server->port(),
                    [](const http_request&) { return http_response{}; });
  CHECK_FALSE(clash.start(&error));
  CHECK(error == "listen on 127.0.0.1:" + std::to_string(server->port())
                   + ": Address already in use");
}
