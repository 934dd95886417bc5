#pragma once

// Internal to venues/common: shared by tls.cpp, ws_client.cpp,
// https_client.cpp and tls_server.cpp. It includes Boost.Asio and OpenSSL,
// so no public header may include it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "venues/common/tls.hpp"

namespace agora::net::detail {

namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

/// A client context: TLS 1.2 or later; with `verify`, peer verification
/// against `ca_file` or the default paths. Null and `error` on failure.
std::shared_ptr<ssl::context> make_client_context(const tls_client_options& options,
                                                  std::string* error);

/// A server context from a PEM certificate chain and private key (TLS 1.2
/// or later). Null and `error` on failure.
std::shared_ptr<ssl::context> make_server_context(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  std::string* error);

/// Prepares one client connection: SNI for host names, and with `verify`
/// the host name (SSL_set1_host) or IP address check. False and `error` on
/// failure.
bool prepare_client_ssl(SSL* ssl, const std::string& host, bool verify, std::string* error);

/// A readable reason for a failed operation: "timed out after 5000 ms" for
/// Beast's timeout, OpenSSL's reason plus the certificate verify result
/// ("certificate verify failed (self-signed certificate)") for TLS errors
/// when `ssl` is given, else the error's message.
std::string error_text(const boost::system::error_code& ec, std::chrono::milliseconds timeout,
                       SSL* ssl = nullptr);

/// "127.0.0.1:53412", IPv6 in brackets.
std::string format_endpoint(const tcp::endpoint& ep);

/// Endpoints for an address literal (no resolver needed), or empty when
/// `host` is a name.
tcp::resolver::results_type literal_endpoints(const std::string& host, uint16_t port);

} // namespace agora::net::detail
