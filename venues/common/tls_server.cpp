#include "venues/common/tls_server.hpp"

#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "venues/common/detail/tls_context.hpp"

namespace agora::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

/// How long an accept error (e.g. out of file descriptors) pauses accepting.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

/// How long a server-initiated close waits for the client's close frame,
/// and a TLS shutdown for the client's close_notify.
constexpr auto close_timeout = std::chrono::milliseconds(1000);

/// Largest request header block accepted.
constexpr uint32_t max_header_bytes = 16 * 1024;

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

server_response json_error(unsigned status, std::string_view message) {
  server_response r;
  r.status = status;
  r.body = "{\"error\":\"" + json_escape(message) + "\"}";
  return r;
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

/// Something stop() must end: an HTTP connection or a WebSocket.
class closable {
public:
  virtual ~closable() = default;
  virtual void shut() = 0;
};

/// A WebSocket session as its handle sees it (I/O thread only).
class ws_session_base : public closable {
public:
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
  virtual void drop() = 0;
};

} // namespace

struct ws_connection::impl {
  impl(uint64_t i, std::string t, asio::io_context::executor_type e,
       std::weak_ptr<ws_session_base> s)
    : id(i), target(std::move(t)), exec(std::move(e)), session(std::move(s)) {
  }

  /// Runs `f` on the session from the I/O thread, unless retired.
  template <class F>
  void post(F f) {
    std::lock_guard<std::mutex> guard{mtx};
    if (!live)
      return;
    asio::post(exec, [w = session, f = std::move(f)]() mutable {
      if (auto s = w.lock())
        f(*s);
    });
  }

  /// No more posts: the session is over (or the server is stopping).
  void retire() {
    std::lock_guard<std::mutex> guard{mtx};
    live = false;
    open = false;
  }

  const uint64_t id;
  const std::string target;
  asio::io_context::executor_type exec;
  std::weak_ptr<ws_session_base> session;
  std::atomic<bool> open{false};
  std::mutex mtx; // Guards live against the server's teardown.
  bool live = true;
};

namespace {

/// The server state every session reaches (I/O thread only, except the
/// atomics).
struct server_core {
  server_core(tls_server_options o, tls_server::handlers handlers)
    : opts(std::move(o)), h(std::move(handlers)) {
  }

  /// Remembers `s` so that stop() can end it.
  void track(const std::shared_ptr<closable>& s) {
    std::erase_if(live, [](const auto& w) { return w.expired(); });
    live.push_back(s);
  }

  tls_server_options opts;
  tls_server::handlers h;
  std::shared_ptr<ssl::context> ctx; // Null for plain TCP; outlives every stream.
  asio::io_context io{1};
  std::vector<std::weak_ptr<closable>> live;
  std::atomic<size_t> ws_open{0};
  uint64_t next_ws_id = 1;
  bool stopping = false;
};

template <class Stream>
constexpr bool is_secure = !std::is_same_v<Stream, beast::tcp_stream>;

/// One accepted WebSocket.
template <class Stream>
class ws_session final : public ws_session_base,
                         public std::enable_shared_from_this<ws_session<Stream>> {
public:
  ws_session(server_core& core, Stream&& stream, std::string remote)
    : core_(core), ws_(std::move(stream)), close_timer_(core.io), remote_(std::move(remote)) {
  }

  void accept(http::request<http::string_body> req) {
    target_ = std::string{req.target()};
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(
      websocket::stream_base::timeout{core_.opts.read_timeout, core_.opts.read_timeout, true});
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "agora"); }));
    ws_.read_message_max(core_.opts.max_body_bytes);
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->core_.stopping) {
        beast::get_lowest_layer(self->ws_).close();
        return;
      }
      self->on_open();
    });
  }

  void send(std::string text) override {
    if (finished_ || closing_)
      return;
    queue_.push_back(std::move(text));
    write_next();
  }

  void close() override {
    if (finished_ || closing_)
      return;
    closing_ = true;
    conn_->open = false;
    close_timer_.expires_after(close_timeout);
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->finish();
    });
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code) { self->finish(); });
  }

  void drop() override { finish(); }

  void shut() override { finish(); }

private:
  void on_open() {
    auto d = std::make_unique<ws_connection::impl>(
      core_.next_ws_id++, target_, core_.io.get_executor(),
      std::static_pointer_cast<ws_session_base>(this->shared_from_this()));
    conn_ = d.get();
    handle_ = std::make_shared<ws_connection>(std::move(d));
    conn_->open = true;
    core_.ws_open.fetch_add(1);
    core_.track(this->shared_from_this());
    opened_ = true;
    if (core_.h.on_ws_open) {
      try {
        core_.h.on_ws_open(handle_);
      } catch (...) {
        return finish(); // A handler that cannot take the connection ends it.
      }
    }
    if (!finished_)
      read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (finished_)
      return;
    if (ec) {
      if (!closing_)
        finish(); // Client close, error, timeout; a close in progress finishes itself.
      return;
    }
    auto payload = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (core_.h.on_ws_message) {
      try {
        core_.h.on_ws_message(handle_, std::move(payload));
      } catch (...) {
        return finish();
      }
    }
    if (!finished_ && !closing_)
      read_next();
  }

  void write_next() {
    if (writing_ || queue_.empty() || finished_ || closing_)
      return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) {
                      self->writing_ = false;
                      if (self->finished_ || self->closing_)
                        return;
                      if (ec)
                        return self->finish();
                      self->queue_.pop_front();
                      self->write_next();
                    });
  }

  /// Ends the session: no more posts from the handle, socket closed,
  /// on_ws_close once.
  void finish() {
    if (finished_ || !opened_)
      return;
    finished_ = true;
    conn_->retire();
    core_.ws_open.fetch_sub(1);
    close_timer_.cancel();
    beast::get_lowest_layer(ws_).close();
    // A write still in flight reads the front message until its handler
    // runs (with an error, now the socket is closed): keep that one.
    if (writing_)
      queue_.erase(std::next(queue_.begin()), queue_.end());
    else
      queue_.clear();
    if (core_.h.on_ws_close) {
      try {
        core_.h.on_ws_close(handle_);
      } catch (...) {
        // The connection is gone either way.
      }
    }
  }

  server_core& core_;
  websocket::stream<Stream> ws_;
  asio::steady_timer close_timer_;
  std::string remote_;
  std::string target_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::shared_ptr<ws_connection> handle_;
  ws_connection::impl* conn_ = nullptr; // Owned by handle_.
  bool opened_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool writing_ = false;
};

/// One accepted TCP connection serving HTTP requests until it closes or
/// turns into a WebSocket.
template <class Stream>
class http_session final : public closable,
                           public std::enable_shared_from_this<http_session<Stream>> {
public:
  template <class... StreamArgs>
  http_session(server_core& core, StreamArgs&&... stream_args)
    : core_(core), stream_(std::forward<StreamArgs>(stream_args)...) {
  }

  void start() {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec)
      remote_ = detail::format_endpoint(ep);
    if constexpr (is_secure<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(core_.opts.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code hec) {
                                if (hec)
                                  return self->shut();
                                self->read_next();
                              });
    } else {
      read_next();
    }
  }

  void shut() override {
    if (upgraded_)
      return;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

private:
  void read_next() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(core_.opts.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(core_.opts.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (core_.stopping)
      return shut();
    if (ec == http::error::body_limit)
      return respond(json_error(413, "request body larger than "
                                       + std::to_string(core_.opts.max_body_bytes) + " bytes"),
                     false);
    if (ec && is_http_parse_error(ec) && ec != http::error::end_of_stream
        && ec != http::error::partial_message)
      return respond(json_error(400, "bad request: " + ec.message()), false);
    if (ec)
      return shut(); // The client left, timed out, or the server is stopping.

    auto& req = parser_->get();
    server_request in;
    in.method = std::string{req.method_string()};
    in.target = std::string{req.target()};
    for (const auto& field : req)
      in.headers.push_back({std::string{field.name_string()}, std::string{field.value()}});
    in.body = req.body();
    in.remote = remote_;
    bool keep_alive = req.keep_alive();

    if (websocket::is_upgrade(req)) {
      bool accepted = false;
      if (core_.h.accept_ws) {
        try {
          accepted = core_.h.accept_ws(in);
        } catch (...) {
          accepted = false;
        }
      }
      if (!accepted)
        return respond(json_error(404, "no websocket at " + in.target), keep_alive);
      upgraded_ = true;
      auto ws = std::make_shared<ws_session<Stream>>(core_, std::move(stream_), remote_);
      ws->accept(parser_->release());
      return;
    }

    if (!core_.h.on_http)
      return respond(json_error(404, "no route for " + in.target), keep_alive);
    server_response out;
    try {
      out = core_.h.on_http(in);
    } catch (const std::exception& e) {
      out = json_error(500, std::string{"internal error: "} + e.what());
    } catch (...) {
      out = json_error(500, "internal error");
    }
    respond(std::move(out), keep_alive);
  }

  void respond(server_response r, bool keep_alive) {
    keep_alive = keep_alive && !r.close && !core_.stopping;
    response_ = {};
    response_.result(r.status);
    response_.version(11);
    response_.set(http::field::server, "agora");
    response_.set(http::field::content_type, r.content_type);
    for (const auto& h : r.headers)
      response_.insert(h.name, h.value);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(core_.opts.read_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec || self->core_.stopping)
                          return self->shut();
                        if (keep_alive)
                          return self->read_next();
                        self->goodbye();
                      });
  }

  /// Ends the connection after a response that said Connection: close.
  void goodbye() {
    if constexpr (is_secure<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(close_timeout);
      stream_.async_shutdown(
        [self = this->shared_from_this()](beast::error_code) { self->shut(); });
    } else {
      shut();
    }
  }

  server_core& core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::string remote_;
  bool upgraded_ = false; ///< stream_ was moved into a ws_session.
};

} // namespace

ws_connection::ws_connection(std::unique_ptr<impl> d) noexcept : impl_(std::move(d)) {
}

ws_connection::~ws_connection() = default;

uint64_t ws_connection::id() const noexcept {
  return impl_->id;
}

const std::string& ws_connection::target() const noexcept {
  return impl_->target;
}

void ws_connection::send(std::string text) {
  if (!impl_->open)
    return;
  impl_->post([t = std::move(text)](ws_session_base& s) mutable { s.send(std::move(t)); });
}

void ws_connection::close() {
  impl_->post([](ws_session_base& s) { s.close(); });
}

void ws_connection::drop() {
  impl_->post([](ws_session_base& s) { s.drop(); });
}

bool ws_connection::is_open() const noexcept {
  return impl_->open.load();
}

struct tls_server::impl {
  enum class state { idle, running, stopped };

  impl(tls_server_options o, handlers h) : core(std::move(o), std::move(h)) {}

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open() || core.stopping)
        return;
      if (ec) {
        retry_timer.expires_after(accept_retry_delay);
        retry_timer.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec)
            accept();
        });
        return;
      }
      beast::error_code ignored; // Latency over coalescing: no Nagle delay.
      socket.set_option(tcp::no_delay(true), ignored);
      if (core.ctx) {
        auto s = std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
          core, std::move(socket), *core.ctx);
        core.track(s);
        s->start();
      } else {
        auto s = std::make_shared<http_session<beast::tcp_stream>>(core, std::move(socket));
        core.track(s);
        s->start();
      }
      accept();
    });
  }

  /// Runs on the I/O thread: closes everything and ends run().
  void shut_down() {
    core.stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    retry_timer.cancel();
    auto all = std::move(core.live);
    core.live.clear();
    for (auto& weak : all)
      if (auto s = weak.lock())
        s->shut();
    core.io.stop();
  }

  void run() {
    for (;;) {
      try {
        core.io.run();
        return;
      } catch (...) {
        // A completion handler threw past the session's guards; the
        // affected connection is gone, keep serving the others.
      }
    }
  }

  server_core core; // Holds the io_context: declared first, destroyed last.
  tcp::acceptor acceptor{core.io};
  asio::steady_timer retry_timer{core.io};
  std::thread thread;
  std::atomic<uint16_t> bound_port{0};
  std::mutex mtx; // Guards st and the thread handle.
  state st = state::idle;
};

tls_server::tls_server(tls_server_options opts, handlers h)
  : impl_(std::make_unique<impl>(std::move(opts), std::move(h))) {
}

tls_server::~tls_server() {
  stop();
}

bool tls_server::start(std::string* error) {
  auto fail = [error](std::string msg) {
    if (error != nullptr)
      *error = std::move(msg);
    return false;
  };
  auto& d = *impl_;
  const auto& o = d.core.opts;
  std::lock_guard<std::mutex> guard{d.mtx};
  if (d.st != impl::state::idle)
    return fail(d.st == impl::state::running ? "tls server already started"
                                             : "tls server stopped");
  beast::error_code ec;
  auto addr = asio::ip::make_address(o.address, ec);
  if (ec || !addr.is_loopback())
    return fail("tls server address must be a loopback literal, got \"" + o.address + "\"");
  if (o.cert_file.empty() != o.key_file.empty())
    return fail("tls server needs both cert_file and key_file (or neither for plain TCP)");
  if (!o.cert_file.empty()) {
    std::string why;
    d.core.ctx = detail::make_server_context(o.cert_file, o.key_file, &why);
    if (!d.core.ctx)
      return fail(why);
  }
  tcp::endpoint ep{addr, o.port};
  auto where = detail::format_endpoint(ep);
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

uint16_t tls_server::port() const noexcept {
  return impl_->bound_port.load();
}

void tls_server::stop() {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.mtx};
  if (d.st == impl::state::running)
    asio::post(d.core.io, [&d] { d.shut_down(); });
  d.st = impl::state::stopped;
  if (d.thread.joinable() && d.thread.get_id() != std::this_thread::get_id())
    d.thread.join();
}

size_t tls_server::ws_connections() const noexcept {
  return impl_->core.ws_open.load();
}

} // namespace agora::net
