#include "venues/common/tls.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "venues/common/detail/tls_context.hpp"

namespace agora::net {

namespace {

/// The certificate's lifetime, counted from one hour before now.
constexpr long cert_backdate_seconds = 3600;
constexpr long cert_lifetime_seconds = 365L * 24 * 3600;

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct bn_free {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct ext_free {
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct file_close {
  void operator()(FILE* f) const noexcept { std::fclose(f); }
};

/// The oldest queued OpenSSL error as text (and clears the queue).
std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

bool fail(std::string* error, std::string message) {
  if (error != nullptr)
    *error = std::move(message);
  return false;
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ext_free> ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

/// Builds and signs the certificate for `key`; null on failure.
std::unique_ptr<X509, x509_free> make_certificate(EVP_PKEY* key) {
  std::unique_ptr<X509, x509_free> cert{X509_new()};
  if (!cert || X509_set_version(cert.get(), 2) != 1)
    return nullptr;
  std::unique_ptr<BIGNUM, bn_free> serial{BN_new()};
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
      || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
    return nullptr;
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -cert_backdate_seconds) == nullptr
      || X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                         cert_lifetime_seconds - cert_backdate_seconds)
           == nullptr)
    return nullptr;
  if (X509_set_pubkey(cert.get(), key) != 1)
    return nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0)
        != 1
      || X509_set_issuer_name(cert.get(), name) != 1)
    return nullptr;
  // No keyUsage: a self-signed leaf with keyUsage but without keyCertSign
  // is not accepted as its own trust anchor by OpenSSL.
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE")
      || !add_extension(cert.get(), NID_subject_key_identifier, "hash")
      || !add_extension(cert.get(), NID_ext_key_usage, "serverAuth")
      || !add_extension(cert.get(), NID_subject_alt_name,
                        "DNS:localhost,IP:127.0.0.1,IP:::1"))
    return nullptr;
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0)
    return nullptr;
  return cert;
}

} // namespace

bool generate_self_signed(const std::string& cert_path, const std::string& key_path,
                          std::string* error) {
  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, pkey_free> key{EVP_EC_gen("P-256")};
  if (!key)
    return fail(error, "generate EC P-256 key: " + openssl_error());
  auto cert = make_certificate(key.get());
  if (!cert)
    return fail(error, "build self-signed certificate: " + openssl_error());

  // The key: never readable by others, not even for a moment.
  if (::unlink(key_path.c_str()) != 0 && errno != ENOENT)
    return fail(error, "remove old key file \"" + key_path + "\": " + std::strerror(errno));
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(error, "create key file \"" + key_path + "\": " + std::strerror(errno));
  if (::fchmod(fd, 0600) != 0) {
    auto why = std::string{std::strerror(errno)};
    ::close(fd);
    return fail(error, "chmod key file \"" + key_path + "\": " + why);
  }
  std::unique_ptr<FILE, file_close> key_file{::fdopen(fd, "w")};
  if (!key_file) {
    auto why = std::string{std::strerror(errno)};
    ::close(fd);
    return fail(error, "open key file \"" + key_path + "\": " + why);
  }
  if (PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(error, "write key file \"" + key_path + "\": " + openssl_error());
  if (std::fclose(key_file.release()) != 0)
    return fail(error, "write key file \"" + key_path + "\": " + std::strerror(errno));

  std::unique_ptr<FILE, file_close> cert_file{std::fopen(cert_path.c_str(), "w")};
  if (!cert_file)
    return fail(error, "create certificate file \"" + cert_path + "\": " + std::strerror(errno));
  if (PEM_write_X509(cert_file.get(), cert.get()) != 1)
    return fail(error, "write certificate file \"" + cert_path + "\": " + openssl_error());
  if (std::fclose(cert_file.release()) != 0)
    return fail(error, "write certificate file \"" + cert_path + "\": " + std::strerror(errno));
  return true;
}

namespace detail {

namespace {

namespace asio = boost::asio;

template <class T>
std::shared_ptr<T> fail_null(std::string* error, std::string message) {
  if (error != nullptr)
    *error = std::move(message);
  return nullptr;
}

constexpr auto common_options = ssl::context::default_workarounds | ssl::context::no_sslv2
                                | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                                | ssl::context::no_tlsv1_1;

} // namespace

std::shared_ptr<ssl::context> make_client_context(const tls_client_options& options,
                                                  std::string* error) {
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return fail_null<ssl::context>(error, std::string{"tls client context: "} + e.what());
  }
  boost::system::error_code ec;
  ctx->set_options(common_options, ec);
  if (ec)
    return fail_null<ssl::context>(error, "tls client context: " + ec.message());
  if (!options.verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (options.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec)
      return fail_null<ssl::context>(error, "tls default verify paths: " + ec.message());
  } else {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec)
      return fail_null<ssl::context>(error, "tls ca_file \"" + options.ca_file
                                              + "\": " + ec.message());
  }
  return ctx;
}

std::shared_ptr<ssl::context> make_server_context(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  std::string* error) {
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return fail_null<ssl::context>(error, std::string{"tls server context: "} + e.what());
  }
  boost::system::error_code ec;
  ctx->set_options(common_options, ec);
  if (ec)
    return fail_null<ssl::context>(error, "tls server context: " + ec.message());
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    return fail_null<ssl::context>(error, "tls cert_file \"" + cert_file + "\": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec)
    return fail_null<ssl::context>(error, "tls key_file \"" + key_file + "\": " + ec.message());
  return ctx;
}

bool prepare_client_ssl(SSL* ssl, const std::string& host, bool verify, std::string* error) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  bool literal = !ec;
  // SNI carries host names only (RFC 6066 forbids address literals).
  if (!literal && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
    return fail(error, "tls: cannot set SNI to \"" + host + "\": " + openssl_error());
  if (!verify)
    return true;
  if (literal) {
    auto text = address.to_string();
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), text.c_str()) != 1)
      return fail(error, "tls: cannot check address \"" + host + "\": " + openssl_error());
  } else if (SSL_set1_host(ssl, host.c_str()) != 1) {
    return fail(error, "tls: cannot check host name \"" + host + "\": " + openssl_error());
  }
  return true;
}

std::string error_text(const boost::system::error_code& ec, std::chrono::milliseconds timeout,
                       SSL* ssl) {
  if (ec == boost::beast::error::timeout)
    return "timed out after " + std::to_string(timeout.count()) + " ms";
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    std::string text = reason != nullptr ? reason : ec.message();
    if (ssl != nullptr) {
      auto verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK)
        text += std::string{" ("} + X509_verify_cert_error_string(verify) + ")";
    }
    return text;
  }
  return ec.message();
}

std::string format_endpoint(const tcp::endpoint& ep) {
  auto addr = ep.address();
  auto text = addr.to_string();
  if (addr.is_v6())
    text = "[" + text + "]";
  return text + ":" + std::to_string(ep.port());
}

tcp::resolver::results_type literal_endpoints(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return {};
  return tcp::resolver::results_type::create(tcp::endpoint{address, port}, host,
                                             std::to_string(port));
}

} // namespace detail

} // namespace agora::net
