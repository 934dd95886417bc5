#include "venues/common/ws_client.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "venues/common/detail/tls_context.hpp"

namespace agora::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr const char* user_agent = "agora/0.1";

/// What the public object reads from any thread.
struct shared_state {
  std::atomic<bool> open{false};
  std::atomic<bool> finished{false};
  std::atomic<uint64_t> messages{0};
  std::atomic<uint64_t> bytes{0};
};

/// The connection, driven only from the I/O thread.
class session_base {
public:
  virtual ~session_base() = default;
  virtual void connect() = 0;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
  /// Ends the connection at once with `reason`.
  virtual void abort(std::string reason) = 0;
};

/// One connection over `Stream` (beast::tcp_stream or its ssl_stream).
/// Handlers capture `this`: the owner keeps the session alive until the
/// I/O thread has been joined.
template <class Stream>
class session final : public session_base {
public:
  static constexpr bool secure = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  session(asio::io_context& io, const ws_options& opts, const ws_client::callbacks& cb,
          shared_state& st, StreamArgs&&... stream_args)
    : io_(io), opts_(opts), cb_(cb), st_(st), where_(opts.where.host_port()),
      resolver_(io), ws_(std::forward<StreamArgs>(stream_args)...),
      buffer_(std::max<size_t>(opts.max_message_bytes, 1)), connect_timer_(io),
      ping_timer_(io), heartbeat_timer_(io), close_timer_(io) {
  }

  void connect() override {
    if (finished_)
      return;
    connect_timer_.expires_after(opts_.connect_timeout);
    connect_timer_.async_wait([this](beast::error_code ec) {
      if (ec || finished_ || opened_)
        return;
      finish(std::string{phase_} + " " + where_ + ": timed out after "
             + std::to_string(opts_.connect_timeout.count()) + " ms");
    });
    auto endpoints = detail::literal_endpoints(opts_.where.host, opts_.where.port);
    if (!endpoints.empty()) {
      on_resolved(endpoints);
      return;
    }
    phase_ = "resolve";
    resolver_.async_resolve(opts_.where.host, std::to_string(opts_.where.port),
                            [this](beast::error_code ec, tcp::resolver::results_type r) {
                              if (finished_)
                                return;
                              if (ec)
                                return finish("resolve " + where_ + ": " + ec.message());
                              on_resolved(r);
                            });
  }

  void send(std::string text) override {
    if (finished_ || closing_)
      return;
    queue_.push_back(std::move(text));
    write_next();
  }

  void close() override {
    if (finished_)
      return;
    if (!opened_)
      return finish("closed by client");
    if (closing_)
      return;
    closing_ = true;
    st_.open = false;
    ping_timer_.cancel();
    heartbeat_timer_.cancel();
    close_timer_.expires_after(ws_client::close_timeout);
    close_timer_.async_wait([this](beast::error_code ec) {
      if (!ec && !finished_)
        finish("closed by client");
    });
    ws_.async_close(websocket::close_code::normal, [this](beast::error_code) {
      if (!finished_)
        finish("closed by client");
    });
  }

  void abort(std::string reason) override { finish(std::move(reason)); }

private:
  void on_resolved(const tcp::resolver::results_type& endpoints) {
    phase_ = "connect";
    beast::get_lowest_layer(ws_).async_connect(
      endpoints, [this](beast::error_code ec, const tcp::endpoint&) {
        if (finished_)
          return;
        if (ec)
          return finish("connect " + where_ + ": " + ec.message());
        beast::error_code ignored; // Latency over coalescing: no Nagle delay.
        beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
        if constexpr (secure)
          tls_handshake();
        else
          ws_handshake();
      });
  }

  void tls_handshake() requires secure {
    phase_ = "tls handshake";
    std::string error;
    SSL* handle = ws_.next_layer().native_handle();
    if (!detail::prepare_client_ssl(handle, opts_.where.host, opts_.tls.verify, &error))
      return finish("tls handshake " + where_ + ": " + error);
    ws_.next_layer().async_handshake(ssl::stream_base::client, [this](beast::error_code ec) {
      if (finished_)
        return;
      if (ec)
        return finish("tls handshake " + where_ + ": "
                      + detail::error_text(ec, opts_.connect_timeout,
                                           ws_.next_layer().native_handle()));
      ws_handshake();
    });
  }

  void ws_handshake() {
    phase_ = "websocket handshake";
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                   websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, user_agent);
      for (const auto& [name, value] : opts_.headers)
        req.set(name, value);
    }));
    // The limit lives in the buffer: Beast's own read_message_max reports
    // a TLS teardown error instead of message_too_big when the server's
    // close frame races our close_notify.
    ws_.read_message_max(0);
    ws_.control_callback(
      [this](websocket::frame_type, beast::string_view) { last_rx_ = steady::now(); });
    ws_.async_handshake(response_, opts_.where.authority(), opts_.where.target,
                        [this](beast::error_code ec) {
                          if (finished_)
                            return;
                          if (ec == websocket::error::upgrade_declined)
                            return finish("websocket handshake " + where_
                                          + ": rejected with HTTP "
                                          + std::to_string(response_.result_int()));
                          if (ec)
                            return finish("websocket handshake " + where_ + ": "
                                          + detail::error_text(ec, opts_.connect_timeout));
                          on_open();
                        });
  }

  void on_open() {
    opened_ = true;
    connect_timer_.cancel();
    last_rx_ = steady::now();
    st_.open = true;
    if (cb_.on_open) {
      try {
        cb_.on_open();
      } catch (const std::exception& e) {
        return finish(std::string{"on_open threw: "} + e.what());
      } catch (...) {
        return finish("on_open threw");
      }
    }
    read_next();
    arm_heartbeat();
    arm_ping();
    write_next();
  }

  void read_next() {
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) { on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (finished_)
      return;
    if (ec) {
      if (closing_)
        return; // Our close is in progress; it (or its timer) finishes.
      if (ec == websocket::error::closed) {
        auto reason = ws_.reason();
        auto text = "server closed (" + std::to_string(reason.code);
        if (!reason.reason.empty())
          text += ": " + std::string{reason.reason.data(), reason.reason.size()};
        return finish(text + ")");
      }
      if (ec == websocket::error::buffer_overflow)
        return finish("message too big (limit " + std::to_string(opts_.max_message_bytes)
                      + " bytes)");
      if (ec == asio::error::eof || ec == ssl::error::stream_truncated
          || ec == asio::error::connection_reset)
        return finish("read " + where_ + ": connection dropped without a close frame ("
                      + ec.message() + ")");
      return finish("read " + where_ + ": " + detail::error_text(ec, opts_.heartbeat_timeout));
    }
    last_rx_ = steady::now();
    auto payload = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    st_.messages.fetch_add(1, std::memory_order_relaxed);
    st_.bytes.fetch_add(payload.size(), std::memory_order_relaxed);
    if (cb_.on_message) {
      try {
        cb_.on_message(std::move(payload));
      } catch (const std::exception& e) {
        return finish(std::string{"on_message threw: "} + e.what());
      } catch (...) {
        return finish("on_message threw");
      }
    }
    if (!finished_ && !closing_)
      read_next();
  }

  void write_next() {
    if (writing_ || queue_.empty() || !opened_ || closing_ || finished_)
      return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [this](beast::error_code ec, size_t) {
      writing_ = false;
      if (finished_ || closing_)
        return;
      if (ec)
        return finish("write " + where_ + ": " + detail::error_text(ec, opts_.connect_timeout));
      queue_.pop_front();
      write_next();
    });
  }

  void arm_heartbeat() {
    if (opts_.heartbeat_timeout.count() <= 0)
      return;
    heartbeat_timer_.expires_at(last_rx_ + opts_.heartbeat_timeout);
    heartbeat_timer_.async_wait([this](beast::error_code ec) {
      if (ec || finished_ || closing_)
        return;
      if (steady::now() - last_rx_ >= opts_.heartbeat_timeout)
        return finish("heartbeat timeout after " + std::to_string(opts_.heartbeat_timeout.count())
                      + " ms");
      arm_heartbeat();
    });
  }

  void arm_ping() {
    if (opts_.ping_interval.count() <= 0)
      return;
    ping_timer_.expires_after(opts_.ping_interval);
    ping_timer_.async_wait([this](beast::error_code ec) {
      if (ec || finished_ || closing_)
        return;
      if (!pinging_) {
        pinging_ = true;
        ws_.async_ping({}, [this](beast::error_code) { pinging_ = false; });
      }
      arm_ping();
    });
  }

  /// Ends the connection: cancels everything, reports once, stops the loop.
  void finish(std::string reason) {
    if (finished_)
      return;
    finished_ = true;
    st_.finished = true;
    st_.open = false;
    connect_timer_.cancel();
    ping_timer_.cancel();
    heartbeat_timer_.cancel();
    close_timer_.cancel();
    resolver_.cancel();
    beast::get_lowest_layer(ws_).close();
    queue_.clear();
    if (cb_.on_closed) {
      try {
        cb_.on_closed(reason);
      } catch (...) {
        // Nothing is left to tell; the connection is over either way.
      }
    }
    io_.stop();
  }

  asio::io_context& io_;
  const ws_options& opts_;
  const ws_client::callbacks& cb_;
  shared_state& st_;
  std::string where_;
  tcp::resolver resolver_;
  websocket::stream<Stream> ws_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  asio::steady_timer connect_timer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer close_timer_;
  steady::time_point last_rx_{};
  const char* phase_ = "connect";
  bool opened_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool writing_ = false;
  bool pinging_ = false;
};

} // namespace

struct ws_client::impl {
  impl(ws_options o, callbacks c) : opts(std::move(o)), cb(std::move(c)) {
    if (opts.where.scheme == "wss") {
      ctx = detail::make_client_context(opts.tls, &setup_error);
      if (ctx)
        s = std::make_unique<session<beast::ssl_stream<beast::tcp_stream>>>(io, opts, cb, st,
                                                                             io, *ctx);
    } else if (opts.where.scheme == "ws") {
      s = std::make_unique<session<beast::tcp_stream>>(io, opts, cb, st, io);
    } else {
      setup_error = "ws_client needs a ws:// or wss:// url, got scheme \"" + opts.where.scheme
                    + "\"";
    }
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        s->abort(std::string{"internal error: "} + e.what());
      } catch (...) {
        s->abort("internal error");
      }
    }
  }

  ws_options opts;
  callbacks cb;
  shared_state st;
  std::string setup_error;
  std::shared_ptr<ssl::context> ctx; // Outlives the session's stream.
  asio::io_context io{1};            // Outlives the session's I/O objects.
  std::unique_ptr<session_base> s;
  std::mutex mtx; // Guards started and the thread handle.
  bool started = false;
  std::thread thread;
};

ws_client::ws_client(ws_options opts, callbacks cb)
  : impl_(std::make_unique<impl>(std::move(opts), std::move(cb))) {
}

ws_client::~ws_client() {
  close();
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id())
    impl_->thread.join();
  impl_->s.reset(); // Before the io_context, while no thread runs it.
}

void ws_client::start() {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.mtx};
  if (d.started)
    return;
  d.started = true;
  if (!d.s) {
    d.st.finished = true;
    d.thread = std::thread([&d] {
      if (!d.cb.on_closed)
        return;
      try {
        d.cb.on_closed(d.setup_error);
      } catch (...) {
        // As in finish(): nothing is left to tell.
      }
    });
    return;
  }
  asio::post(d.io, [&d] { d.s->connect(); });
  d.thread = std::thread([&d] { d.run(); });
}

void ws_client::send(std::string text) {
  auto& d = *impl_;
  if (!d.s || d.st.finished)
    return;
  asio::post(d.io, [&d, t = std::move(text)]() mutable { d.s->send(std::move(t)); });
}

void ws_client::close() {
  auto& d = *impl_;
  if (!d.s || d.st.finished)
    return;
  asio::post(d.io, [&d] { d.s->close(); });
}

bool ws_client::is_open() const noexcept {
  return impl_->st.open.load();
}

uint64_t ws_client::messages_received() const noexcept {
  return impl_->st.messages.load();
}

uint64_t ws_client::bytes_received() const noexcept {
  return impl_->st.bytes.load();
}

} // namespace agora::net
