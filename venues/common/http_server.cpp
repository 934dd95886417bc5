#include "venues/common/http_server.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace agora::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

/// How long an accept error (e.g. out of file descriptors) pauses accepting.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

/// Escapes `s` as the contents of a JSON string.
std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out;
}

http_response json_error(unsigned status, std::string_view message) {
  http_response res;
  res.status = status;
  res.body = "{\"error\":\"" + json_escape(message) + "\"}";
  return res;
}

std::string format_endpoint(const tcp::endpoint& ep) {
  auto addr = ep.address();
  auto text = addr.to_string();
  if (addr.is_v6())
    text = "[" + text + "]";
  return text + ":" + std::to_string(ep.port());
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

/// One connection: read one request, answer it, close.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, const http_server::handler& h,
          std::chrono::milliseconds read_timeout)
    : stream_(std::move(socket)), handler_(h), read_timeout_(read_timeout) {
    parser_.body_limit(http_server::max_body_bytes);
  }

  void start() {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec)
      remote_ = format_endpoint(ep);
    stream_.expires_after(read_timeout_);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->on_read(ec);
                     });
  }

  /// Closes the socket; pending operations complete with operation_aborted.
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      close(); // The client left before finishing a request: no one to answer.
      return;
    }
    if (ec == http::error::body_limit) {
      respond(json_error(413, "request body larger than "
                                + std::to_string(http_server::max_body_bytes) + " bytes"));
      return;
    }
    if (ec && is_http_parse_error(ec)) {
      respond(json_error(400, "bad request: " + ec.message()));
      return;
    }
    if (ec) {
      close(); // Timeout, reset, or stop(): nothing sensible to send.
      return;
    }
    const auto& req = parser_.get();
    http_request in;
    in.method = std::string{req.method_string()};
    in.target = std::string{req.target()};
    in.body = req.body();
    if (auto it = req.find(http::field::authorization); it != req.end())
      in.authorization = std::string{it->value()};
    in.remote = remote_;
    try {
      respond(handler_(in));
    } catch (const std::exception& e) {
      respond(json_error(500, std::string{"internal error: "} + e.what()));
    } catch (...) {
      respond(json_error(500, "internal error"));
    }
  }

  void respond(http_response r) {
    response_.result(r.status);
    response_.version(11);
    response_.set(http::field::server, "agora");
    response_.set(http::field::content_type, r.content_type);
    response_.keep_alive(false);
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    stream_.expires_after(read_timeout_);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, size_t) {
                        self->close();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> response_;
  const http_server::handler& handler_;
  std::chrono::milliseconds read_timeout_;
  std::string remote_;
};

} // namespace

struct http_server::impl {
  enum class state { idle, running, stopped };

  impl(std::string addr, uint16_t p, handler h, std::chrono::milliseconds timeout)
    : address(std::move(addr)), requested_port(p), on_request(std::move(h)),
      read_timeout(timeout) {
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open())
        return;
      if (ec) {
        retry_timer.expires_after(accept_retry_delay);
        retry_timer.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec)
            accept();
        });
        return;
      }
      std::erase_if(sessions, [](const auto& s) { return s.expired(); });
      auto s = std::make_shared<session>(std::move(socket), on_request, read_timeout);
      sessions.push_back(s);
      s->start();
      accept();
    });
  }

  /// Runs on the I/O thread: closes everything and ends run().
  void shut_down() {
    beast::error_code ec;
    acceptor.close(ec);
    retry_timer.cancel();
    for (auto& weak : sessions)
      if (auto s = weak.lock())
        s->close();
    sessions.clear();
    io.stop();
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
        // A completion handler threw past the session's guards; the
        // affected connection is gone, keep serving the others.
      }
    }
  }

  std::string address;
  uint16_t requested_port;
  handler on_request;
  std::chrono::milliseconds read_timeout;

  // Declared before the I/O objects so that it outlives them.
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer retry_timer{io};
  std::vector<std::weak_ptr<session>> sessions; // I/O thread only.
  std::thread thread;
  std::atomic<uint16_t> bound_port{0};
  std::mutex mtx; // Guards st and the thread handle.
  state st = state::idle;
};

http_server::http_server(std::string address, uint16_t port, handler h,
                         std::chrono::milliseconds read_timeout)
  : impl_(std::make_unique<impl>(std::move(address), port, std::move(h), read_timeout)) {
}

http_server::~http_server() {
  stop();
}

bool http_server::start(std::string* error) {
  auto fail = [error](std::string msg) {
    if (error != nullptr)
      *error = std::move(msg);
    return false;
  };
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.mtx};
  if (d.st != impl::state::idle)
    return fail(d.st == impl::state::running ? "http server already started"
                                             : "http server stopped");
  beast::error_code ec;
  auto addr = asio::ip::make_address(d.address, ec);
  if (ec || !addr.is_loopback())
    return fail("http server address must be a loopback literal, got \"" + d.address + "\"");
  tcp::endpoint ep{addr, d.requested_port};
  auto where = format_endpoint(ep);
  d.acceptor.open(ep.protocol(), ec);
  if (!ec)
    d.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    d.acceptor.bind(ep, ec);
  if (!ec)
    d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec)
    bound = d.acceptor.local_endpoint(ec);
  if (ec) {
    beast::error_code ignored;
    d.acceptor.close(ignored);
    return fail("listen on " + where + ": " + ec.message());
  }
  d.bound_port = bound.port();
  d.accept();
  d.thread = std::thread([&d] { d.run(); });
  d.st = impl::state::running;
  return true;
}

uint16_t http_server::port() const noexcept {
  return impl_->bound_port.load();
}

void http_server::stop() {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.mtx};
  if (d.st == impl::state::running)
    asio::post(d.io, [&d] { d.shut_down(); });
  d.st = impl::state::stopped;
  if (d.thread.joinable() && d.thread.get_id() != std::this_thread::get_id())
    d.thread.join();
}

} // namespace agora::net
