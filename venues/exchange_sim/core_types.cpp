#include "venues/exchange_sim/core_types.hpp"

#include <cctype>

namespace agora::xsim {

namespace {

bool iequals(std::string_view x, std::string_view y) noexcept {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(x[i]))
        != std::tolower(static_cast<unsigned char>(y[i])))
      return false;
  return true;
}

} // namespace

std::optional<std::string_view>
rest_reply::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return std::string_view{value};
  return std::nullopt;
}

const char* to_string(fault f) noexcept {
  switch (f) {
    case fault::rate_limit_429:
      return "rate_limit_429";
    case fault::ban_418:
      return "ban_418";
    case fault::unknown_503:
      return "unknown_503";
    case fault::seq_gap:
      return "seq_gap";
    case fault::malformed:
      return "malformed";
    case fault::stall:
      return "stall";
  }
  return "unknown";
}

std::optional<fault> parse_fault(std::string_view text) noexcept {
  if (text == "rate_limit_429" || text == "429")
    return fault::rate_limit_429;
  if (text == "ban_418" || text == "418")
    return fault::ban_418;
  if (text == "unknown_503" || text == "503")
    return fault::unknown_503;
  if (text == "seq_gap" || text == "gap")
    return fault::seq_gap;
  if (text == "malformed")
    return fault::malformed;
  if (text == "stall")
    return fault::stall;
  return std::nullopt;
}

std::string wrap_combined(std::string_view stream, std::string_view payload) {
  std::string out;
  out.reserve(stream.size() + payload.size() + 24);
  out += R"({"stream":")";
  out += stream; // Stream names are plain ASCII without quotes.
  out += R"(","data":)";
  out += payload;
  out += '}';
  return out;
}

} // namespace agora::xsim
