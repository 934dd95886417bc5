#pragma once

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <caf/error.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

#include "messages/fixed_point.hpp"
#include "venues/binance/codec.hpp"

// Helpers shared by the Binance codec tests: golden files and exact values.

namespace agora::binance::test {

/// The text of tests/data/binance/<name>; throws (failing the test) if the
/// file is missing.
inline std::string golden(const std::string& name) {
  auto path = std::string{AGORA_SOURCE_DIR} + "/tests/data/binance/" + name;
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw std::runtime_error("missing golden file " + path);
  return std::string{std::istreambuf_iterator<char>{in},
                     std::istreambuf_iterator<char>{}};
}

inline price px(const char* s) {
  return *price::parse(s);
}

inline quantity qty(const char* s) {
  return *quantity::parse(s);
}

inline notional amount(const char* s) {
  return *notional::parse(s);
}

inline rate rt(const char* s) {
  return *rate::parse(s);
}

/// The codec_errc of a failed parse (0 if it did not fail or has another
/// category).
template <class T>
uint8_t code_of(const caf::expected<T>& x) {
  if (x || x.error().category() != caf::atom("binance"))
    return 0;
  return x.error().code();
}

inline uint8_t code(codec_errc x) {
  return static_cast<uint8_t>(x);
}

} // namespace agora::binance::test
