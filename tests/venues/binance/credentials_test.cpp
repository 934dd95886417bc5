#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "venues/binance/credentials.hpp"

using namespace agora::binance;

namespace {

constexpr const char* key
  = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr const char* secret
  = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// Unique names per process so parallel test runs do not collide.
std::string unique(const std::string& base) {
  return base + std::to_string(::getpid());
}

/// A credentials file in the build tree with `mode`; removed on scope exit.
struct temp_file {
  std::string path;

  temp_file(const std::string& text, mode_t mode)
    : path(std::string{AGORA_BINARY_DIR} + "/"
           + unique("binance_credentials_test_") + ".json") {
    std::remove(path.c_str());
    std::ofstream out{path};
    out << text;
    out.close();
    ::chmod(path.c_str(), mode);
  }

  ~temp_file() {
    std::remove(path.c_str());
  }
};

std::string message_of(const caf::error& err) {
  REQUIRE(err.context().match_elements<std::string>());
  return err.context().get_as<std::string>(0);
}

const std::string json_file = std::string{"{\"api_key\":\""} + key
                              + "\",\"secret\":\"" + secret + "\"}";

} // namespace

TEST_CASE("credentials come from the environment when set") {
  auto k = unique("AGORA_TEST_BINANCE_KEY_");
  auto s = unique("AGORA_TEST_BINANCE_SECRET_");
  ::setenv(k.c_str(), key, 1);
  ::setenv(s.c_str(), secret, 1);
  auto c = load_credentials(k, s, "/nonexistent/file.json");
  ::unsetenv(k.c_str());
  ::unsetenv(s.c_str());
  REQUIRE(c);
  CHECK(c->api_key == key);
  CHECK(c->secret == secret);
}

TEST_CASE("half-set environment credentials are refused without the secret") {
  auto k = unique("AGORA_TEST_BINANCE_KEY_");
  auto s = unique("AGORA_TEST_BINANCE_SECRET_");
  ::setenv(s.c_str(), secret, 1);
  auto c = load_credentials(k, s, "");
  ::unsetenv(s.c_str());
  REQUIRE_FALSE(c);
  CHECK(c.error().category() == caf::atom("system"));
  CHECK(c.error().code() == static_cast<uint8_t>(caf::sec::runtime_error));
  auto msg = message_of(c.error());
  CHECK(msg.find(k) != std::string::npos);
  CHECK(msg.find(secret) == std::string::npos);
}

TEST_CASE("a credentials file with mode 0600 is read") {
  temp_file f{json_file, 0600};
  auto c = load_credentials(unique("AGORA_UNSET_A_"), unique("AGORA_UNSET_B_"),
                            f.path);
  REQUIRE(c);
  CHECK(c->api_key == key);
  CHECK(c->secret == secret);
  temp_file g{json_file, 0400};
  CHECK(load_credentials("", "", g.path));
}

TEST_CASE("a credentials file readable by others is refused") {
  temp_file f{json_file, 0644};
  auto c = load_credentials("", "", f.path);
  REQUIRE_FALSE(c);
  auto msg = message_of(c.error());
  CHECK(msg
        == "credentials file " + f.path
             + " is readable by others (mode 0644); chmod 600 " + f.path);
  temp_file g{json_file, 0640};
  CHECK_FALSE(load_credentials("", "", g.path));
}

TEST_CASE("credential errors never contain the key or the secret") {
  std::string bad = std::string{"{\"api_key\":\""} + key + "\",\"secret\":\"" + secret
                    + "\",}";
  temp_file broken{bad, 0600};
  temp_file no_secret{std::string{"{\"api_key\":\""} + key + "\"}", 0600};
  temp_file empty_secret{std::string{"{\"api_key\":\""} + key + "\",\"secret\":\"\"}",
                         0600};
  temp_file open{json_file, 0666};
  for (auto* f : {&broken, &no_secret, &empty_secret, &open}) {
    auto c = load_credentials("", "", f->path);
    REQUIRE_FALSE(c);
    auto msg = message_of(c.error());
    INFO(msg);
    CHECK(msg.find(key) == std::string::npos);
    CHECK(msg.find(secret) == std::string::npos);
    CHECK(msg.find(std::string{secret}.substr(0, 12)) == std::string::npos);
  }
}

TEST_CASE("missing credentials are explained") {
  auto none = load_credentials("AGORA_UNSET_KEY_VAR", "AGORA_UNSET_SECRET_VAR", "");
  REQUIRE_FALSE(none);
  CHECK(message_of(none.error())
        == "no Binance credentials: set AGORA_UNSET_KEY_VAR and "
           "AGORA_UNSET_SECRET_VAR, or give a credentials file");
  auto absent = load_credentials("", "", "/nonexistent/agora/creds.json");
  REQUIRE_FALSE(absent);
  CHECK(message_of(absent.error())
        == "credentials file /nonexistent/agora/creds.json: No such file or "
           "directory");
  auto dir = load_credentials("", "", AGORA_BINARY_DIR);
  REQUIRE_FALSE(dir);
  CHECK(message_of(dir.error()).find("is not a regular file")
        != std::string::npos);
}

TEST_CASE("redact shows the first four characters and the length") {
  CHECK(redact(secret) == "NhqP\u2026(64 chars)");
  CHECK(redact("short") == "\u2026(5 chars)");
  CHECK(redact("") == "\u2026(0 chars)");
}
