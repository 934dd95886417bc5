#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace agora::binance {

/// An API key and its HMAC secret. Never logged: use redact() to show one.
struct credentials {
  std::string api_key;
  std::string secret;
};

/// Loads credentials. When `key_env` or `secret_env` names a variable that is
/// set, both must be set and non-empty, and they are used. Otherwise `file` is
/// read: it must be a regular file with mode 0600 or stricter (no group or
/// other bits) holding {"api_key":"..","secret":".."}. Errors
/// (caf::sec::runtime_error with a message) never contain the key or secret.
caf::expected<credentials> load_credentials(const std::string& key_env,
                                            const std::string& secret_env,
                                            const std::string& file);

/// Shows a secret safely: "abcd…(64 chars)" (the first 4 characters only,
/// and none at all for values shorter than 16 characters).
std::string redact(std::string_view secret);

} // namespace agora::binance
