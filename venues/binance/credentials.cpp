#include "venues/binance/credentials.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include <caf/error.hpp>
#include <caf/sec.hpp>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include "venues/common/json.hpp"

namespace agora::binance {

namespace {

caf::error fail(std::string msg) {
  return caf::make_error(caf::sec::runtime_error, std::move(msg));
}

/// The value of environment variable `name`, or nullptr (also for "").
const char* env(const std::string& name) {
  if (name.empty())
    return nullptr;
  return std::getenv(name.c_str());
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

constexpr std::streamsize max_file_size = 64 * 1024;

caf::expected<credentials> from_file(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    std::string why = std::strerror(errno);
    return fail("credentials file " + file + ": " + why);
  }
  if (!S_ISREG(st.st_mode))
    return fail("credentials file " + file + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    return fail("credentials file " + file + " is readable by others (mode "
                + octal_mode(st.st_mode) + "); chmod 600 " + file);
  if (st.st_size > max_file_size)
    return fail("credentials file " + file + " is too large");
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return fail("credentials file " + file + ": cannot open");
  std::string text{std::istreambuf_iterator<char>{in},
                   std::istreambuf_iterator<char>{}};
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject())
    return fail("credentials file " + file
                + " is not a JSON object {\"api_key\":..,\"secret\":..}");
  credentials out;
  for (auto [key, dst] : {std::pair{"api_key", &out.api_key},
                          std::pair{"secret", &out.secret}}) {
    auto v = json::get_string(doc, key);
    if (!v || v->empty())
      return fail("credentials file " + file + ": \"" + key
                  + "\" is missing or not a non-empty string");
    dst->assign(*v);
  }
  return out;
}

} // namespace

caf::expected<credentials> load_credentials(const std::string& key_env,
                                            const std::string& secret_env,
                                            const std::string& file) {
  auto key = env(key_env);
  auto secret = env(secret_env);
  if (key != nullptr || secret != nullptr) {
    if (key == nullptr || *key == '\0')
      return fail("environment variable " + key_env
                  + " is not set or empty (while " + secret_env + " is set)");
    if (secret == nullptr || *secret == '\0')
      return fail("environment variable " + secret_env
                  + " is not set or empty (while " + key_env + " is set)");
    return credentials{key, secret};
  }
  if (file.empty())
    return fail("no Binance credentials: set " + key_env + " and "
                + secret_env + ", or give a credentials file");
  return from_file(file);
}

std::string redact(std::string_view secret) {
  std::string out;
  if (secret.size() >= 16)
    out.assign(secret.substr(0, 4));
  out += "\u2026(";
  out += std::to_string(secret.size());
  out += " chars)";
  return out;
}

} // namespace agora::binance
