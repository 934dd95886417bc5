#include "venues/exchange_sim/request_params.hpp"

#include <limits>

namespace agora::xsim {

namespace {

/// Calls `f(segment)` for every non-empty '&'-separated segment.
template <class F>
void for_each_segment(std::string_view text, F&& f) {
  while (!text.empty()) {
    auto amp = text.find('&');
    auto seg = text.substr(0, amp);
    if (!seg.empty())
      f(seg);
    if (amp == std::string_view::npos)
      break;
    text.remove_prefix(amp + 1);
  }
}

/// `text` without its "signature=..." segments.
std::string without_signature(std::string_view text) {
  std::string out;
  for_each_segment(text, [&](std::string_view seg) {
    auto eq = seg.find('=');
    auto name = url_decode(seg.substr(0, eq));
    if (name && *name == "signature")
      return;
    if (!out.empty())
      out += '&';
    out += seg;
  });
  return out;
}

} // namespace


request_params::request_params(std::string_view query, std::string_view body)
  : query_(query), body_(body) {
  add_all(query);
  add_all(body);
}

void request_params::add_all(std::string_view text) {
  for_each_segment(text, [&](std::string_view seg) {
    if (error_ != problem::none)
      return;
    auto eq = seg.find('=');
    auto name = url_decode(seg.substr(0, eq));
    auto value = eq == std::string_view::npos
                   ? std::optional<std::string>{std::string{}}
                   : url_decode(seg.substr(eq + 1));
    if (!name || !value) {
      error_ = problem::bad_encoding;
      error_name_ = name ? *name : std::string{seg.substr(0, eq)};
      return;
    }
    if (get(*name)) {
      error_ = problem::duplicate;
      error_name_ = *name;
      return;
    }
    params_.emplace_back(std::move(*name), std::move(*value));
  });
}

std::optional<std::string_view>
request_params::get(std::string_view name) const noexcept {
  for (const auto& [key, value] : params_)
    if (key == name)
      return std::string_view{value};
  return std::nullopt;
}

bool request_params::has(std::string_view name) const noexcept {
  auto v = get(name);
  return v && !v->empty();
}

std::string request_params::signature_payload() const {
  return without_signature(query_) + without_signature(body_);
}

std::optional<int64_t> parse_int(std::string_view text) noexcept {
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    int d = c - '0';
    if (v > (std::numeric_limits<int64_t>::max() - d) / 10)
      return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

} // namespace agora::xsim
