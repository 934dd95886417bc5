#include "venues/binance/signing.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace agora::binance {

namespace {

constexpr char hex_lower[] = "0123456789abcdef";
constexpr char hex_upper[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
         || c == '~';
}

} // namespace

std::string hmac_sha256_hex(std::string_view secret, std::string_view payload) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  static constexpr unsigned char empty = 0;
  auto key = secret.empty() ? &empty
                            : reinterpret_cast<const unsigned char*>(secret.data());
  auto data = payload.empty()
                ? &empty
                : reinterpret_cast<const unsigned char*>(payload.data());
  HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), data,
       payload.size(), digest.data(), &len);
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex_lower[digest[i] >> 4];
    out += hex_lower[digest[i] & 0x0F];
  }
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex_upper[c >> 4];
      out += hex_upper[c & 0x0F];
    }
  }
  return out;
}

void query_builder::separate() {
  if (!query_.empty())
    query_ += '&';
}

query_builder& query_builder::add(std::string_view key, std::string_view value) {
  separate();
  query_ += key;
  query_ += '=';
  query_ += url_encode(value);
  return *this;
}

query_builder& query_builder::add(std::string_view key, int64_t value) {
  separate();
  query_ += key;
  query_ += '=';
  query_ += std::to_string(value);
  return *this;
}

const std::string& query_builder::str() const noexcept {
  return query_;
}

std::string signed_query(std::string_view query, std::string_view body,
                         std::string_view secret) {
  std::string total;
  total.reserve(query.size() + body.size());
  total += query;
  total += body;
  std::string out{query};
  if (!out.empty())
    out += '&';
  out += "signature=";
  out += hmac_sha256_hex(secret, total);
  return out;
}

} // namespace agora::binance
