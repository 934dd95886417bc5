#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

#include "net_test_support.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/tls_server.hpp"

using namespace agora::net;
using namespace agora::net::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<tls_server> started(tls_server::handlers h, tls_server_options o = {}) {
  auto s = std::make_unique<tls_server>(std::move(o), std::move(h));
  std::string error;
  REQUIRE(s->start(&error));
  REQUIRE(error.empty());
  REQUIRE(s->port() != 0);
  return s;
}

https_options client_for(const tls_server& s) {
  https_options o;
  o.base = *parse_url("http://127.0.0.1:" + std::to_string(s.port()), nullptr);
  o.connect_timeout = 2s;
  o.request_timeout = 2s;
  return o;
}

https_request request(std::string method, std::string target, std::string body = {}) {
  https_request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

/// Connects a raw socket to 127.0.0.1:`port`; -1 on failure.
int raw_connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

} // namespace

TEST_CASE("tls server answers errors as JSON and keeps serving", "[tls_server]") {
  tls_server::handlers h;
  h.on_http = [](const server_request& req) -> server_response {
    if (req.target == "/throw")
      throw std::runtime_error("book \"locked\"");
    server_response r;
    r.body = R"({"ok":true})";
    return r;
  };
  tls_server_options o;
  o.max_body_bytes = 100;
  auto server = started(std::move(h), o);
  https_client client{client_for(*server)};

  auto thrown = client.call(request("GET", "/throw"));
  REQUIRE(thrown.outcome == send_outcome::complete);
  CHECK(thrown.status == 500);
  CHECK(thrown.body == R"({"error":"internal error: book \"locked\""})");
  CHECK(thrown.header("content-type") == std::optional<std::string_view>{"application/json"});

  auto big = client.call(request("POST", "/order", std::string(101, 'x')));
  REQUIRE(big.outcome == send_outcome::complete);
  CHECK(big.status == 413);
  CHECK(big.body == R"({"error":"request body larger than 100 bytes"})");

  auto fits = client.call(request("POST", "/order", std::string(100, 'x')));
  REQUIRE(fits.outcome == send_outcome::complete);
  CHECK(fits.status == 200);
  CHECK(fits.body == R"({"ok":true})");

  int fd = raw_connect(server->port());
  REQUIRE(fd >= 0);
  REQUIRE(send_all(fd, "\x01\x02 garbage\r\n\r\n"));
  std::atomic<bool> never{false};
  auto reply = raw_listener::read_head(fd, never);
  ::close(fd);
  CHECK(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);

  auto after = client.call(request("GET", "/status"));
  REQUIRE(after.outcome == send_outcome::complete);
  CHECK(after.status == 200);
}

TEST_CASE("tls server closes the connection when the response asks for it", "[tls_server]") {
  tls_server::handlers h;
  h.on_http = [](const server_request& req) {
    server_response r;
    r.content_type = "text/plain";
    r.body = req.remote;
    r.close = req.target == "/bye";
    r.headers.push_back({"X-Target", req.target});
    return r;
  };
  auto server = started(std::move(h));
  https_client client{client_for(*server)};

  auto first = client.call(request("GET", "/hello"));
  auto second = client.call(request("GET", "/bye"));
  auto third = client.call(request("GET", "/again"));
  REQUIRE(first.outcome == send_outcome::complete);
  REQUIRE(second.outcome == send_outcome::complete);
  REQUIRE(third.outcome == send_outcome::complete);
  CHECK(first.body == second.body); // Kept alive...
  CHECK(second.header("connection") == std::optional<std::string_view>{"close"});
  CHECK(second.header("x-target") == std::optional<std::string_view>{"/bye"});
  CHECK(third.body != second.body); // ...until the server said close.
}

TEST_CASE("tls server without handlers answers 404", "[tls_server]") {
  auto server = started({});
  https_client client{client_for(*server)};
  auto r = client.call(request("GET", "/anything"));
  REQUIRE(r.outcome == send_outcome::complete);
  CHECK(r.status == 404);
  CHECK(r.body == R"({"error":"no route for /anything"})");
}

TEST_CASE("tls server start rejects bad addresses, half TLS configs and bad files",
          "[tls_server]") {
  std::string error;
  tls_server_options wide;
  wide.address = "0.0.0.0";
  CHECK_FALSE(tls_server{wide, {}}.start(&error));
  CHECK(error == "tls server address must be a loopback literal, got \"0.0.0.0\"");

  tls_server_options half;
  half.cert_file = "/nonexistent/cert.pem";
  CHECK_FALSE(tls_server{half, {}}.start(&error));
  CHECK(error == "tls server needs both cert_file and key_file (or neither for plain TCP)");

  tls_server_options missing;
  missing.cert_file = "/nonexistent/cert.pem";
  missing.key_file = "/nonexistent/key.pem";
  CHECK_FALSE(tls_server{missing, {}}.start(&error));
  CHECK(error.rfind("tls cert_file \"/nonexistent/cert.pem\": ", 0) == 0);

  tls_server twice{{}, {}};
  REQUIRE(twice.start(&error));
  CHECK_FALSE(twice.start(&error));
  CHECK(error == "tls server already started");
  twice.stop();
  twice.stop();
  CHECK_FALSE(twice.start(&error));
  CHECK(error == "tls server stopped");
}
