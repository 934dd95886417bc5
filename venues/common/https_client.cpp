#include "venues/common/https_client.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include <poll.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "venues/common/detail/tls_context.hpp"

namespace agora::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

/// Largest response header block accepted.
constexpr uint32_t max_header_bytes = 64 * 1024;

constexpr const char* stopped_reason = "client stopped";

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
         || std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

/// Printable ASCII without spaces: safe in a request line.
bool is_visible(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

/// No CR, LF or NUL: a header value that cannot inject another header.
bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view{"\r\n\0", 3}) == std::string_view::npos;
}

/// One request from async() to its callback.
struct pending {
  http::request<http::string_body> wire;
  https_client::callback cb;
  steady::time_point started;
  std::string invalid;     ///< Why it cannot be sent, or "".
  bool head = false;       ///< A HEAD request: the response has no body.
  bool retried = false;    ///< Already retried after a stale keep-alive connection.
  bool fresh_only = false; ///< Must go on a new connection.
};

using pending_ptr = std::shared_ptr<pending>;

class connection;

/// What a connection reports to the pool (I/O thread only).
class pool_events {
public:
  virtual ~pool_events() = default;
  /// The request completed; `reusable` says whether the connection can
  /// serve another.
  virtual void finished(connection& c, pending_ptr p, https_response&& r, bool reusable) = 0;
  /// The connection was reused and found dead before anything was written.
  virtual void stale(connection& c, pending_ptr p, std::string error) = 0;
};

/// One pooled connection, plain or TLS.
class connection : public std::enable_shared_from_this<connection> {
public:
  explicit connection(asio::io_context& io) : idle_timer(io) {}
  virtual ~connection() = default;

  /// Connects if needed, then writes `p` and reads its response.
  virtual void run(pending_ptr p) = 0;
  /// True when the idle peer has closed or sent something unsolicited.
  virtual bool peer_closed() = 0;
  /// Closes the socket; completes the request in flight (if any) with
  /// `reason`.
  virtual void shut(const std::string& reason) = 0;

  bool busy = false;
  asio::steady_timer idle_timer;
};

template <class Stream>
class connection_on final : public connection {
public:
  static constexpr bool secure = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  connection_on(asio::io_context& io, const https_options& opts, pool_events& pool,
                StreamArgs&&... stream_args)
    : connection(io), opts_(opts), pool_(pool), where_(opts.base.host_port()), resolver_(io),
      stream_(std::forward<StreamArgs>(stream_args)...) {
  }

  void run(pending_ptr p) override {
    current_ = std::move(p);
    write_started_ = false;
    if (connected_)
      write();
    else
      connect();
  }

  bool peer_closed() override {
    pollfd fd{};
    fd.fd = beast::get_lowest_layer(stream_).socket().native_handle();
    fd.events = POLLIN | POLLRDHUP;
    return buffer_.size() != 0 || ::poll(&fd, 1, 0) != 0;
  }

  void shut(const std::string& reason) override {
    resolver_.cancel();
    beast::get_lowest_layer(stream_).close();
    connected_ = false;
    if (current_)
      complete(write_started_ ? send_outcome::unknown : send_outcome::not_sent, reason);
  }

private:
  void connect() {
    auto self = shared_from_this();
    beast::get_lowest_layer(stream_).expires_after(opts_.connect_timeout);
    auto endpoints = detail::literal_endpoints(opts_.base.host, opts_.base.port);
    if (!endpoints.empty()) {
      on_resolved(endpoints);
      return;
    }
    resolver_.async_resolve(opts_.base.host, std::to_string(opts_.base.port),
                            [this, self](beast::error_code ec, tcp::resolver::results_type r) {
                              if (!current_)
                                return;
                              if (ec)
                                return fail_connect("resolve", ec);
                              on_resolved(r);
                            });
  }

  void on_resolved(const tcp::resolver::results_type& endpoints) {
    beast::get_lowest_layer(stream_).async_connect(
      endpoints, [this, self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
        if (!current_)
          return;
        if (ec)
          return fail_connect("connect", ec);
        beast::error_code ignored; // Latency over coalescing: no Nagle delay.
        beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ignored);
        if constexpr (secure)
          tls_handshake();
        else
          on_connected();
      });
  }

  void tls_handshake() requires secure {
    std::string error;
    if (!detail::prepare_client_ssl(stream_.native_handle(), opts_.base.host, opts_.tls.verify,
                                    &error))
      return fail_connect_text("tls handshake " + where_ + ": " + error);
    stream_.async_handshake(ssl::stream_base::client,
                            [this, self = shared_from_this()](beast::error_code ec) {
                              if (!current_)
                                return;
                              if (ec)
                                return fail_connect_text(
                                  "tls handshake " + where_ + ": "
                                  + detail::error_text(ec, opts_.connect_timeout,
                                                       stream_.native_handle()));
                              on_connected();
                            });
  }

  void on_connected() {
    connected_ = true;
    reused_ = false;
    write();
  }

  void fail_connect(const char* step, const beast::error_code& ec) {
    fail_connect_text(std::string{step} + " " + where_ + ": "
                      + detail::error_text(ec, opts_.connect_timeout));
  }

  void fail_connect_text(std::string error) {
    beast::get_lowest_layer(stream_).close();
    connected_ = false;
    complete(send_outcome::not_sent, std::move(error));
  }

  void write() {
    write_started_ = true;
    beast::get_lowest_layer(stream_).expires_after(opts_.request_timeout);
    http::async_write(stream_, current_->wire,
                      [this, self = shared_from_this()](beast::error_code ec, size_t n) {
                        if (!current_)
                          return;
                        if (ec) {
                          auto error = "send to " + where_ + ": "
                                       + detail::error_text(ec, opts_.request_timeout);
                          beast::get_lowest_layer(stream_).close();
                          connected_ = false;
                          if (n == 0 && reused_) {
                            auto p = std::move(current_);
                            current_.reset();
                            pool_.stale(*this, std::move(p), std::move(error));
                            return;
                          }
                          return complete(n == 0 ? send_outcome::not_sent : send_outcome::unknown,
                                          std::move(error));
                        }
                        read();
                      });
  }

  void read() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(opts_.max_response_bytes);
    if (current_->head)
      parser_->skip(true);
    http::async_read(stream_, buffer_, *parser_,
                     [this, self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!current_)
                         return;
                       if (ec == http::error::body_limit)
                         return fail_read("response body larger than "
                                          + std::to_string(opts_.max_response_bytes) + " bytes");
                       if (ec)
                         return fail_read(detail::error_text(ec, opts_.request_timeout));
                       auto& msg = parser_->get();
                       https_response r;
                       r.outcome = send_outcome::complete;
                       r.status = msg.result_int();
                       for (const auto& field : msg)
                         r.headers.push_back(
                           {std::string{field.name_string()}, std::string{field.value()}});
                       r.body = std::move(msg.body());
                       bool reusable = msg.keep_alive() && buffer_.size() == 0;
                       parser_.reset();
                       beast::get_lowest_layer(stream_).expires_never();
                       if (!reusable) {
                         beast::get_lowest_layer(stream_).close();
                         connected_ = false;
                       }
                       reused_ = reusable;
                       finish(std::move(r), reusable);
                     });
  }

  void fail_read(std::string why) {
    beast::get_lowest_layer(stream_).close();
    connected_ = false;
    complete(send_outcome::unknown, "receive from " + where_ + ": " + why);
  }

  void complete(send_outcome outcome, std::string error) {
    https_response r;
    r.outcome = outcome;
    r.error = std::move(error);
    finish(std::move(r), false);
  }

  void finish(https_response&& r, bool reusable) {
    auto p = std::move(current_);
    current_.reset();
    if (p)
      pool_.finished(*this, std::move(p), std::move(r), reusable);
  }

  const https_options& opts_;
  pool_events& pool_;
  std::string where_;
  tcp::resolver resolver_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  pending_ptr current_;
  bool connected_ = false;
  bool reused_ = false;        ///< The connection served a request before this one.
  bool write_started_ = false; ///< Bytes of the current request may have left.
};

} // namespace

struct https_client::impl final : pool_events {
  enum class state { running, stopped };

  explicit impl(https_options o) : opts(std::move(o)) {
    opts.max_connections = std::max<size_t>(opts.max_connections, 1);
    if (opts.base.scheme == "https") {
      ctx = detail::make_client_context(opts.tls, &setup_error);
    } else if (opts.base.scheme != "http") {
      setup_error = "https_client needs an http:// or https:// url, got scheme \""
                    + opts.base.scheme + "\"";
    }
    if (opts.base.target != "/") {
      prefix = opts.base.target;
      while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    }
  }

  /// Builds the wire request on the caller's thread.
  pending_ptr prepare(https_request req, callback cb) const {
    auto p = std::make_shared<pending>();
    p->started = steady::now();
    p->cb = std::move(cb);
    auto fail = [&](std::string why) {
      p->invalid = std::move(why);
      return p;
    };
    if (!setup_error.empty())
      return fail(setup_error);
    if (!is_token(req.method))
      return fail("invalid method \"" + req.method + "\"");
    if (req.target.empty() || req.target.front() != '/' || !is_visible(req.target))
      return fail("invalid target \"" + req.target + "\"");
    for (const auto& h : req.headers)
      if (!is_token(h.name) || !is_field_value(h.value))
        return fail("invalid header \"" + h.name + "\"");
    if (!req.body.empty() && !is_field_value(req.content_type))
      return fail("invalid content type");
    auto& w = p->wire;
    w.version(11);
    auto verb = http::string_to_verb(req.method);
    if (verb != http::verb::unknown)
      w.method(verb);
    else
      w.method_string(req.method);
    p->head = verb == http::verb::head;
    w.target(prefix + req.target);
    w.set(http::field::host, opts.base.authority());
    w.set(http::field::user_agent, opts.user_agent);
    w.set(http::field::connection, "keep-alive");
    if (!req.body.empty())
      w.set(http::field::content_type, req.content_type);
    for (const auto& h : req.headers)
      w.insert(h.name, h.value);
    w.body() = std::move(req.body);
    w.prepare_payload();
    return p;
  }

  // I/O thread from here on.

  void enqueue(pending_ptr p) {
    if (!p->invalid.empty()) {
      https_response r;
      r.outcome = send_outcome::not_sent;
      r.error = p->invalid;
      deliver(*p, std::move(r));
      return;
    }
    queue.push_back(std::move(p));
    dispatch();
  }

  std::shared_ptr<connection> make_connection() {
    if (ctx)
      return std::make_shared<connection_on<beast::ssl_stream<beast::tcp_stream>>>(io, opts, *this,
                                                                                    io, *ctx);
    return std::make_shared<connection_on<beast::tcp_stream>>(io, opts, *this, io);
  }

  /// Drops the idle connection at `it`; returns the next position.
  std::vector<std::shared_ptr<connection>>::iterator
  drop(std::vector<std::shared_ptr<connection>>::iterator it) {
    (*it)->idle_timer.cancel();
    (*it)->shut(stopped_reason);
    return conns.erase(it);
  }

  void dispatch() {
    while (!queue.empty() && st_io == state::running) {
      auto& next = queue.front();
      std::shared_ptr<connection> chosen;
      for (auto it = conns.begin(); it != conns.end() && !chosen;) {
        if ((*it)->busy) {
          ++it;
        } else if ((*it)->peer_closed() || next->fresh_only) {
          it = drop(it); // Dead, or the retry wants a fresh connection.
        } else {
          chosen = *it;
        }
      }
      if (!chosen) {
        if (conns.size() >= opts.max_connections)
          return; // Every connection is busy: wait in FIFO order.
        chosen = make_connection();
        conns.push_back(chosen);
      }
      auto p = std::move(queue.front());
      queue.pop_front();
      chosen->busy = true;
      chosen->idle_timer.cancel();
      chosen->run(std::move(p));
    }
  }

  void finished(connection& c, pending_ptr p, https_response&& r, bool reusable) override {
    c.busy = false;
    if (reusable && st_io == state::running) {
      auto weak = std::weak_ptr<connection>{c.shared_from_this()};
      c.idle_timer.expires_after(opts.idle_timeout);
      c.idle_timer.async_wait([this, weak](beast::error_code ec) {
        auto conn = weak.lock();
        if (ec || !conn || conn->busy)
          return;
        auto it = std::find(conns.begin(), conns.end(), conn);
        if (it != conns.end())
          drop(it);
      });
    } else {
      forget(c);
    }
    deliver(*p, std::move(r));
    dispatch();
  }

  void stale(connection& c, pending_ptr p, std::string error) override {
    c.busy = false;
    forget(c);
    if (p->retried || st_io != state::running) {
      https_response r;
      r.outcome = send_outcome::not_sent;
      r.error = std::move(error);
      deliver(*p, std::move(r));
    } else {
      p->retried = true;
      p->fresh_only = true;
      queue.push_front(std::move(p));
    }
    dispatch();
  }

  void forget(connection& c) {
    c.idle_timer.cancel();
    std::erase_if(conns, [&c](const auto& x) { return x.get() == &c; });
  }

  void deliver(pending& p, https_response&& r) {
    r.elapsed = steady::now() - p.started;
    if (!p.cb)
      return;
    try {
      p.cb(std::move(r));
    } catch (...) {
      // The request is complete; a throwing callback must not stop the pool.
    }
  }

  /// Fails everything with "client stopped" and ends run().
  void shut_down() {
    st_io = state::stopped;
    while (!queue.empty()) {
      auto p = std::move(queue.front());
      queue.pop_front();
      https_response r;
      r.outcome = send_outcome::not_sent;
      r.error = stopped_reason;
      deliver(*p, std::move(r));
    }
    auto all = std::move(conns);
    conns.clear();
    for (auto& c : all) {
      c->idle_timer.cancel();
      c->shut(stopped_reason); // Completes its request, if any, through finished().
    }
    work.reset();
    io.stop();
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
        // A completion handler threw past the guards; the pool state is
        // still consistent (requests complete by timeout), keep serving.
      }
    }
  }

  https_options opts;
  std::string prefix;
  std::string setup_error;
  std::shared_ptr<ssl::context> ctx; // Outlives the connections' streams.
  asio::io_context io{1};            // Outlives the connections.
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::deque<pending_ptr> queue;                 // I/O thread only.
  std::vector<std::shared_ptr<connection>> conns; // I/O thread only.
  state st_io = state::running;                  // I/O thread only.
  std::mutex mtx; // Guards st (posting vs stopping).
  state st = state::running;
  std::mutex join_mtx; // Serialises joining.
  std::thread thread;
  std::thread::id io_thread; // Set once in the constructor.
};

https_client::https_client(https_options opts)
  : impl_(std::make_unique<impl>(std::move(opts))) {
  auto& d = *impl_;
  d.thread = std::thread([&d] { d.run(); });
  d.io_thread = d.thread.get_id();
}

https_client::~https_client() {
  stop();
}

void https_client::async(https_request req, callback cb) {
  auto& d = *impl_;
  auto p = d.prepare(std::move(req), std::move(cb));
  {
    std::lock_guard<std::mutex> guard{d.mtx};
    if (d.st == impl::state::running) {
      asio::post(d.io, [&d, p] { d.enqueue(p); });
      return;
    }
  }
  https_response r;
  r.outcome = send_outcome::not_sent;
  r.error = stopped_reason;
  d.deliver(*p, std::move(r));
}

https_response https_client::call(https_request req) {
  auto& d = *impl_;
  if (std::this_thread::get_id() == d.io_thread) {
    https_response r;
    r.outcome = send_outcome::not_sent;
    r.error = "https_client::call() from the client's own I/O thread";
    return r;
  }
  std::promise<https_response> done;
  auto result = done.get_future();
  async(std::move(req), [&done](https_response&& r) { done.set_value(std::move(r)); });
  return result.get();
}

void https_client::stop() {
  auto& d = *impl_;
  {
    std::lock_guard<std::mutex> guard{d.mtx};
    if (d.st == impl::state::running)
      asio::post(d.io, [&d] { d.shut_down(); });
    d.st = impl::state::stopped;
  }
  std::lock_guard<std::mutex> guard{d.join_mtx};
  if (d.thread.joinable() && d.io_thread != std::this_thread::get_id())
    d.thread.join();
}

} // namespace agora::net
