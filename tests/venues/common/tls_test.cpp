#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net_test_support.hpp"
#include "venues/common/tls.hpp"

using namespace agora::net;
using agora::net::test::temp_dir;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777u;
}

struct x509_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};

std::unique_ptr<X509, x509_free> read_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  std::unique_ptr<X509, x509_free> cert{PEM_read_X509(f, nullptr, nullptr, nullptr)};
  std::fclose(f);
  return cert;
}

std::unique_ptr<EVP_PKEY, pkey_free> read_key(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  std::unique_ptr<EVP_PKEY, pkey_free> key{PEM_read_PrivateKey(f, nullptr, nullptr, nullptr)};
  std::fclose(f);
  return key;
}

} // namespace

TEST_CASE("generate_self_signed writes PEM files and a key only its owner can read",
          "[tls]") {
  temp_dir dir;
  auto cert_path = dir.file("cert.pem");
  auto key_path = dir.file("key.pem");
  {
    // A pre-existing, world-readable key file must not keep its mode.
    std::ofstream old{key_path};
    old << "old";
  }
  REQUIRE(::chmod(key_path.c_str(), 0644) == 0);

  std::string error;
  REQUIRE(generate_self_signed(cert_path, key_path, &error));
  CHECK(error.empty());
  CHECK(slurp(cert_path).rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  CHECK(slurp(key_path).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(mode_of(key_path) == 0600u);

  auto cert = read_cert(cert_path);
  auto key = read_key(key_path);
  REQUIRE(cert);
  REQUIRE(key);
  CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
  CHECK(EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC);
  CHECK(X509_check_host(cert.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(cert.get(), "::1", 0) == 1);
  CHECK(X509_check_host(cert.get(), "example.com", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(cert.get(), "127.0.0.2", 0) == 0);

  // Valid now, from an hour ago, for 365 days.
  int days = 0;
  int seconds = 0;
  REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                         X509_get0_notAfter(cert.get()))
          == 1);
  CHECK(days == 365);
  CHECK(seconds == 0);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(cert.get())) > 0);

  // Two certificates never share a serial.
  auto second_cert = dir.file("cert2.pem");
  REQUIRE(generate_self_signed(second_cert, dir.file("key2.pem"), &error));
  auto other = read_cert(second_cert);
  REQUIRE(other);
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()),
                         X509_get0_serialNumber(other.get()))
        != 0);
}

TEST_CASE("generate_self_signed reports a path it cannot write", "[tls]") {
  temp_dir dir;
  std::string error;
  auto key_path = dir.file("missing/key.pem");
  CHECK_FALSE(generate_self_signed(dir.file("cert.pem"), key_path, &error));
  CHECK(error.find("create key file \"" + key_path + "\"") == 0);

  auto cert_path = dir.file("missing/cert.pem");
  CHECK_FALSE(generate_self_signed(cert_path, dir.file("key.pem"), &error));
  CHECK(error.find("create certificate file \"" + cert_path + "\"") == 0);
}
