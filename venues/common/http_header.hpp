#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agora::net {

/// One HTTP header field as sent or received.
struct http_header {
  std::string name;
  std::string value;
};

/// The value of the first header named `name` (case-insensitive), or nullopt.
/// The view points into `headers`.
inline std::optional<std::string_view> find_header(const std::vector<http_header>& headers,
                                                   std::string_view name) noexcept {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  for (const auto& h : headers)
    if (h.name.size() == name.size()
        && std::equal(name.begin(), name.end(), h.name.begin(),
                      [&](char x, char y) { return lower(x) == lower(y); }))
      return std::string_view{h.value};
  return std::nullopt;
}

} // namespace agora::net
