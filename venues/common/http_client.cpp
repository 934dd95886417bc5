#include "venues/common/http_client.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
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

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
         || std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

/// Printable ASCII without spaces: safe in a request line or header value.
bool is_visible(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

/// Why a request cannot be sent as given, or nullopt.
std::optional<std::string> invalid_argument(const std::string& host, const std::string& method,
                                            const std::string& target,
                                            const std::string& bearer_token) {
  if (host.empty() || !is_visible(host))
    return "invalid host \"" + host + "\"";
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_token_char))
    return "invalid method \"" + method + "\"";
  if (target.empty() || target.front() != '/' || !is_visible(target))
    return "invalid target \"" + target + "\"";
  if (!is_visible(bearer_token))
    return "invalid bearer token (it must be printable ASCII without spaces)";
  return std::nullopt;
}

/// One request over one connection; every step runs on `io` in the
/// caller's thread, bounded by the stream's deadline.
class exchange {
public:
  /// `timeout` is the caller's, for messages; the stream stops at `deadline`.
  exchange(asio::io_context& io, std::string where, std::chrono::milliseconds timeout,
           std::chrono::steady_clock::time_point deadline)
    : stream_(io), where_(std::move(where)), timeout_(timeout), deadline_(deadline) {
    parser_.body_limit(http_max_response_bytes);
  }

  void run(const tcp::resolver::results_type& endpoints,
           http::request<http::string_body> request) {
    request_ = std::move(request);
    stream_.expires_at(deadline_);
    stream_.async_connect(endpoints, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec)
        return fail("connect", ec);
      http::async_write(stream_, request_, [this](beast::error_code ec, size_t) {
        if (ec)
          return fail("send to", ec);
        http::async_read(stream_, buffer_, parser_, [this](beast::error_code ec, size_t) {
          if (ec)
            return fail("receive from", ec);
          result_.ok = true;
          result_.status = parser_.get().result_int();
          result_.body = std::move(parser_.get().body());
          beast::error_code ignored;
          stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
          stream_.close();
        });
      });
    });
  }

  http_result& result() { return result_; }

private:
  void fail(std::string_view step, const beast::error_code& ec) {
    result_.ok = false;
    result_.error = std::string{step} + " " + where_ + ": "
                    + (ec == beast::error::timeout
                         ? "timed out after " + std::to_string(timeout_.count()) + " ms"
                         : ec.message());
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::string where_;
  std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  http_result result_;
};

} // namespace

http_result http_call(const std::string& host, uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body,
                      const std::string& bearer_token, std::chrono::milliseconds timeout) {
  http_result result;
  if (auto why = invalid_argument(host, method, target, bearer_token)) {
    result.error = std::move(*why);
    return result;
  }
  auto where = host + ":" + std::to_string(port);
  try {
    asio::io_context io{1};
    auto deadline = std::chrono::steady_clock::now() + timeout;

    tcp::resolver resolver{io};
    tcp::resolver::results_type endpoints;
    beast::error_code ec;
    auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
      endpoints = tcp::resolver::results_type::create(tcp::endpoint{literal, port}, host,
                                                      std::to_string(port));
    } else {
      bool resolved = false;
      resolver.async_resolve(host, std::to_string(port),
                             [&](beast::error_code rec, tcp::resolver::results_type r) {
                               resolved = true;
                               ec = rec;
                               endpoints = std::move(r);
                             });
      io.run_for(timeout);
      if (!resolved) {
        result.error = "resolve " + where + ": timed out after "
                       + std::to_string(timeout.count()) + " ms";
        return result;
      }
      if (ec) {
        result.error = "resolve " + where + ": " + ec.message();
        return result;
      }
      io.restart();
    }

    http::request<http::string_body> req;
    req.version(11);
    auto verb = http::string_to_verb(method);
    if (verb != http::verb::unknown)
      req.method(verb);
    else
      req.method_string(method);
    req.target(target);
    req.set(http::field::host, where);
    req.set(http::field::user_agent, "agora");
    if (!bearer_token.empty())
      req.set(http::field::authorization, "Bearer " + bearer_token);
    if (!body.empty())
      req.set(http::field::content_type, "application/json");
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();

    exchange x{io, where, timeout, deadline};
    x.run(endpoints, std::move(req));
    io.run();
    return std::move(x.result());
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = "http call to " + where + ": " + e.what();
    return result;
  }
}

} // namespace agora::net
