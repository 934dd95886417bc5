#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "net_test_support.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/tls_server.hpp"

using namespace agora::net;
using namespace agora::net::test;
using namespace std::chrono_literals;

namespace {

/// A TLS server (self-signed, in a temp dir) whose HTTP handler records
/// every request and answers through `answer`.
struct tls_fixture {
  explicit tls_fixture(std::function<server_response(const server_request&)> answer,
                       std::string address = "127.0.0.1")
    : answer_(std::move(answer)) {
    tls_server_options o;
    o.address = std::move(address);
    o.cert_file = certs.cert();
    o.key_file = certs.key();
    tls_server::handlers h;
    h.on_http = [this](const server_request& req) {
      std::lock_guard<std::mutex> guard{mtx};
      seen.push_back(req);
      return answer_(req);
    };
    server = std::make_unique<tls_server>(o, std::move(h));
    std::string error;
    REQUIRE(server->start(&error));
    REQUIRE(error.empty());
  }

  /// Options for a client of this server that trusts its certificate.
  https_options client_options(const std::string& host = "127.0.0.1") const {
    https_options o;
    o.base = *parse_url("https://" + host + ":" + std::to_string(server->port()), nullptr);
    o.tls.ca_file = certs.cert();
    o.connect_timeout = 3s;
    o.request_timeout = 3s;
    return o;
  }

  std::vector<server_request> requests() {
    std::lock_guard<std::mutex> guard{mtx};
    return seen;
  }

  cert_dir certs;
  std::function<server_response(const server_request&)> answer_;
  std::mutex mtx;
  std::vector<server_request> seen;
  std::unique_ptr<tls_server> server;
};

server_response text(unsigned status, std::string body) {
  server_response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

https_request get(std::string target) {
  https_request r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

/// Options for a plain-HTTP client of a raw listener.
https_options plain_options(uint16_t port) {
  https_options o;
  o.base = *parse_url("http://127.0.0.1:" + std::to_string(port), nullptr);
  o.connect_timeout = 2s;
  o.request_timeout = 2s;
  return o;
}

const std::string ok_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

} // namespace

TEST_CASE("https client and tls server round-trip GET and POST with headers both ways",
          "[https]") {
  tls_fixture fx{[](const server_request& req) {
    auto r = text(req.method == "POST" ? 201 : 200,
                  req.method + " " + req.target + " [" + req.body + "]");
    r.headers.push_back({"X-Echo-Key", std::string{req.header("x-mbx-apikey").value_or("none")}});
    r.headers.push_back({"X-Used-Weight", "7"});
    return r;
  }};
  https_client client{fx.client_options()};

  auto g = get("/api/v3/time?x=1");
  g.headers.push_back({"X-MBX-APIKEY", "key-1"});
  auto r = client.call(g);
  REQUIRE(r.outcome == send_outcome::complete);
  CHECK(r.error.empty());
  CHECK(r.status == 200);
  CHECK(r.body == "GET /api/v3/time?x=1 []");
  CHECK(r.header("x-echo-key") == std::optional<std::string_view>{"key-1"});
  CHECK(r.header("X-USED-WEIGHT") == std::optional<std::string_view>{"7"});
  CHECK(r.header("Content-Type") == std::optional<std::string_view>{"text/plain"});
  CHECK_FALSE(r.header("x-missing"));
  CHECK(r.elapsed > 0ns);

  https_request p;
  p.method = "POST";
  p.target = "/api/v3/order";
  p.body = "symbol=BTCUSDT&side=BUY";
  auto q = client.call(p);
  REQUIRE(q.outcome == send_outcome::complete);
  CHECK(q.status == 201);
  CHECK(q.body == "POST /api/v3/order [symbol=BTCUSDT&side=BUY]");
  CHECK(q.header("x-echo-key") == std::optional<std::string_view>{"none"});

  auto seen = fx.requests();
  REQUIRE(seen.size() == 2);
  auto host = "127.0.0.1:" + std::to_string(fx.server->port());
  CHECK(seen[0].header("Host") == std::optional<std::string_view>{host});
  CHECK(seen[0].header("User-Agent") == std::optional<std::string_view>{"agora/0.1"});
  CHECK(seen[0].header("X-MBX-APIKEY") == std::optional<std::string_view>{"key-1"});
  CHECK_FALSE(seen[0].header("Content-Type"));
  CHECK(seen[1].header("Content-Type")
        == std::optional<std::string_view>{"application/x-www-form-urlencoded"});
  CHECK(seen[1].header("Content-Length") == std::optional<std::string_view>{"23"});
  CHECK(seen[1].body == "symbol=BTCUSDT&side=BUY");
  CHECK(seen[1].remote.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("ten sequential requests reuse one keep-alive TLS connection", "[https]") {
  tls_fixture fx{[](const server_request& req) { return text(200, req.remote); }};
  https_client client{fx.client_options()};
  std::set<std::string> remotes;
  for (int i = 0; i < 10; ++i) {
    auto r = client.call(get("/ping"));
    REQUIRE(r.outcome == send_outcome::complete);
    remotes.insert(r.body);
  }
  CHECK(remotes.size() == 1);
  CHECK(fx.requests().size() == 10);
}

TEST_CASE("eight parallel requests complete on at most max_connections connections",
          "[https]") {
  tls_fixture fx{[](const server_request& req) { return text(200, req.target + " " + req.remote); }};
  auto opts = fx.client_options();
  opts.max_connections = 4;
  https_client client{opts};

  waiter w;
  std::vector<https_response> done;
  for (int i = 0; i < 8; ++i)
    client.async(get("/r/" + std::to_string(i)), [&](https_response&& r) {
      std::lock_guard<std::mutex> guard{w.mtx};
      done.push_back(std::move(r));
      w.notify();
    });
  REQUIRE(w.wait_for(5s, [&] { return done.size() == 8; }));

  std::lock_guard<std::mutex> guard{w.mtx};
  std::set<std::string> targets;
  std::set<std::string> remotes;
  for (const auto& r : done) {
    REQUIRE(r.outcome == send_outcome::complete);
    CHECK(r.status == 200);
    auto space = r.body.find(' ');
    targets.insert(r.body.substr(0, space));
    remotes.insert(r.body.substr(space + 1));
  }
  CHECK(targets == std::set<std::string>{"/r/0", "/r/1", "/r/2", "/r/3", "/r/4", "/r/5",
                                         "/r/6", "/r/7"});
  CHECK(remotes.size() >= 1);
  CHECK(remotes.size() <= 4);
}

TEST_CASE("a base url path prefixes every request target", "[https]") {
  tls_fixture fx{[](const server_request& req) { return text(200, req.target); }};
  auto opts = fx.client_options();
  opts.base.target = "/fapi/";
  https_client client{opts};
  auto r = client.call(get("/v1/ping"));
  REQUIRE(r.outcome == send_outcome::complete);
  CHECK(r.body == "/fapi/v1/ping");
}

TEST_CASE("verification on without a ca_file rejects the self-signed server", "[https]") {
  tls_fixture fx{[](const server_request&) { return text(200, "secret"); }};
  auto opts = fx.client_options();
  opts.tls.ca_file.clear(); // System trust store: does not know our certificate.
  https_client client{opts};
  auto r = client.call(get("/"));
  CHECK(r.outcome == send_outcome::not_sent);
  CHECK(r.error.rfind("tls handshake 127.0.0.1:" + std::to_string(fx.server->port())
                        + ": certificate verify failed",
                      0)
        == 0);
  CHECK(r.body.empty());
  CHECK(fx.requests().empty());
}

TEST_CASE("verification checks the address the client dialled", "[https]") {
  // 127.0.0.2 is loopback but not in the certificate's subjectAltName.
  tls_fixture fx{[](const server_request&) { return text(200, "ok"); }, "127.0.0.2"};
  https_client mismatched{fx.client_options("127.0.0.2")};
  auto r = mismatched.call(get("/"));
  CHECK(r.outcome == send_outcome::not_sent);
  CHECK(r.error.find("certificate verify failed") != std::string::npos);
  CHECK(r.error.find("IP address mismatch") != std::string::npos);

  auto lax_opts = fx.client_options("127.0.0.2");
  lax_opts.tls.verify = false;
  https_client lax{lax_opts};
  auto ok = lax.call(get("/"));
  REQUIRE(ok.outcome == send_outcome::complete);
  CHECK(ok.body == "ok");
}

TEST_CASE("verification accepts the host name localhost from the certificate", "[https]") {
  tls_fixture fx{[](const server_request& req) {
    return text(200, std::string{req.header("host").value_or("")});
  }};
  https_client client{fx.client_options("localhost")};
  auto r = client.call(get("/"));
  REQUIRE(r.outcome == send_outcome::complete);
  CHECK(r.body == "localhost:" + std::to_string(fx.server->port()));
}

TEST_CASE("a refused connection is not_sent", "[https]") {
  raw_listener closed{{}, false}; // Bound, never listening: connections are refused.
  https_client client{plain_options(closed.port())};
  auto r = client.call(get("/"));
  CHECK(r.outcome == send_outcome::not_sent);
  CHECK(r.error == "connect 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused");
}

TEST_CASE("a server that reads the request and closes without answering gives unknown",
          "[https]") {
  raw_listener server{[](int fd, const std::atomic<bool>& stopping) {
    raw_listener::read_head(fd, stopping);
  }};
  https_client client{plain_options(server.port())};
  auto r = client.call(get("/api/v3/order"));
  CHECK(r.outcome == send_outcome::unknown);
  CHECK(r.error == "receive from 127.0.0.1:" + std::to_string(server.port()) + ": end of stream");
}

TEST_CASE("request_timeout bounds a request the server never answers", "[https]") {
  raw_listener server{[](int fd, const std::atomic<bool>& stopping) {
    raw_listener::read_head(fd, stopping);
    raw_listener::hold(fd, stopping);
  }};
  auto opts = plain_options(server.port());
  opts.request_timeout = 200ms;
  https_client client{opts};
  auto r = client.call(get("/"));
  CHECK(r.outcome == send_outcome::unknown);
  CHECK(r.error == "receive from 127.0.0.1:" + std::to_string(server.port())
                     + ": timed out after 200 ms");
  CHECK(r.elapsed >= 200ms);
  CHECK(r.elapsed < 2s);
}

TEST_CASE("a keep-alive connection the server has closed is not reused", "[https]") {
  waiter w;
  int answered = 0;
  raw_listener server{[&](int fd, const std::atomic<bool>& stopping) {
    raw_listener::read_head(fd, stopping);
    send_all(fd, ok_response); // Says keep-alive (HTTP/1.1 default)...
    ::shutdown(fd, SHUT_RDWR); // ...then hangs up while the client is idle.
    std::lock_guard<std::mutex> guard{w.mtx};
    ++answered;
    w.notify();
  }};
  https_client client{plain_options(server.port())};
  auto first = client.call(get("/1"));
  REQUIRE(first.outcome == send_outcome::complete);
  REQUIRE(w.wait_for(2s, [&] { return answered == 1; }));

  auto second = client.call(get("/2"));
  CHECK(second.outcome == send_outcome::complete);
  CHECK(second.body == "ok");
  CHECK(server.accepted() == 2);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout", "[https]") {
  waiter w;
  std::vector<std::chrono::steady_clock::duration> held;
  raw_listener server{[&](int fd, const std::atomic<bool>& stopping) {
    raw_listener::read_head(fd, stopping);
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    auto answered = std::chrono::steady_clock::now();
    raw_listener::hold(fd, stopping); // Until the client hangs up.
    std::lock_guard<std::mutex> guard{w.mtx};
    held.push_back(std::chrono::steady_clock::now() - answered);
    w.notify();
  }};
  auto o = plain_options(server.port());
  o.idle_timeout = 150ms;
  https_client client{o};
  REQUIRE(client.call(get("/")).outcome == send_outcome::complete);
  REQUIRE(w.wait_for(3s, [&] { return held.size() == 1; }));
  CHECK(held[0] >= 140ms);
  CHECK(held[0] < 2s);

  REQUIRE(client.call(get("/")).outcome == send_outcome::complete);
  CHECK(server.accepted() == 2);
}

TEST_CASE("stop completes in-flight and queued requests with client stopped", "[https]") {
  waiter w;
  bool request_read = false;
  raw_listener server{[&](int fd, const std::atomic<bool>& stopping) {
    raw_listener::read_head(fd, stopping);
    {
      std::lock_guard<std::mutex> guard{w.mtx};
      request_read = true;
      w.notify();
    }
    raw_listener::hold(fd, stopping);
  }};
  auto opts = plain_options(server.port());
  opts.max_connections = 1;
  https_client client{opts};

  std::vector<https_response> done;
  auto record = [&](https_response&& r) {
    std::lock_guard<std::mutex> guard{w.mtx};
    done.push_back(std::move(r));
  };
  client.async(get("/in-flight"), record);
  REQUIRE(w.wait_for(2s, [&] { return request_read; }));
  client.async(get("/queued-1"), record);
  client.async(get("/queued-2"), record);
  client.stop();

  std::lock_guard<std::mutex> guard{w.mtx};
  REQUIRE(done.size() == 3);
  int unknown = 0;
  int not_sent = 0;
  for (const auto& r : done) {
    CHECK(r.error == "client stopped");
    unknown += r.outcome == send_outcome::unknown;
    not_sent += r.outcome == send_outcome::not_sent;
  }
  CHECK(unknown == 1);
  CHECK(not_sent == 2);
}

TEST_CASE("requests after stop complete at once as not_sent", "[https]") {
  https_client client{plain_options(1)};
  client.stop();
  client.stop();
  int calls = 0;
  client.async(get("/"), [&](https_response&& r) {
    ++calls;
    CHECK(r.outcome == send_outcome::not_sent);
    CHECK(r.error == "client stopped");
  });
  CHECK(calls == 1);
  auto r = client.call(get("/"));
  CHECK(r.outcome == send_outcome::not_sent);
}

TEST_CASE("invalid requests and responses fail without reaching or trusting the server",
          "[https]") {
  tls_fixture fx{[](const server_request& req) { return text(200, std::string(req.target.size() * 100, 'x')); }};
  auto opts = fx.client_options();
  opts.max_response_bytes = 1000;
  https_client client{opts};

  auto injected = get("/");
  injected.headers.push_back({"X-Evil", "a\r\nX-Injected: 1"});
  auto r = client.call(injected);
  CHECK(r.outcome == send_outcome::not_sent);
  CHECK(r.error == "invalid header \"X-Evil\"");

  auto bad_target = client.call(get("no-slash"));
  CHECK(bad_target.outcome == send_outcome::not_sent);
  CHECK(bad_target.error == "invalid target \"no-slash\"");

  auto big = client.call(get("/0123456789")); // 11 * 100 bytes > 1000.
  CHECK(big.outcome == send_outcome::unknown);
  CHECK(big.error.find("response body larger than 1000 bytes") != std::string::npos);

  auto small = client.call(get("/0")); // 2 * 100 bytes.
  REQUIRE(small.outcome == send_outcome::complete);
  CHECK(small.body.size() == 200);
  CHECK(fx.requests().size() == 2);
}
