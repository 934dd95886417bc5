#include "actors/control/api_query.hpp"

#include "venues/common/url.hpp"

#include <charconv>

namespace agora {

std::optional<api_target> parse_target(std::string_view target,
                                       std::string* error) {
  api_target out;
  auto q = target.find('?');
  out.path = std::string{target.substr(0, q)};
  if (q == std::string_view::npos)
    return out;
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (part.empty())
      continue;
    auto eq = part.find('=');
    auto key = net::url_decode(part.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>{""}
                                              : net::url_decode(part.substr(eq + 1));
    if (!key || !value) {
      *error = "malformed percent escape in the query string";
      return std::nullopt;
    }
    if (key->empty()) {
      *error = "empty parameter name in the query string";
      return std::nullopt;
    }
    if (!out.params.emplace(*key, *value).second) {
      *error = "query parameter '" + *key + "' given twice";
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string>
unexpected_param(const api_target& t,
                 std::initializer_list<std::string_view> allowed) {
  for (auto& [key, value] : t.params) {
    bool known = false;
    for (auto a : allowed)
      known = known || key == a;
    if (!known)
      return "unknown query parameter '" + key + "' for " + t.path;
  }
  return std::nullopt;
}

std::optional<uint64_t> parse_limit(std::string_view text, uint64_t max) {
  if (text.empty())
    return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9')
      return std::nullopt;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > max)
    return std::nullopt;
  return n;
}

std::optional<uint64_t> query_limit(const api_target& t, uint64_t fallback,
                                    uint64_t max, std::string* error) {
  auto i = t.params.find("limit");
  if (i == t.params.end())
    return fallback;
  if (auto n = parse_limit(i->second, max))
    return n;
  *error = "limit must be a whole number from 1 to " + std::to_string(max)
           + ", got '" + i->second + "'";
  return std::nullopt;
}

std::optional<bool> query_flag(const api_target& t, const std::string& key,
                               std::string* error) {
  auto i = t.params.find(key);
  if (i == t.params.end())
    return false;
  if (i->second == "1" || i->second == "true")
    return true;
  if (i->second == "0" || i->second == "false")
    return false;
  *error = key + " must be 1, 0, true or false, got '" + i->second + "'";
  return std::nullopt;
}

std::optional<trading_scope> parse_trading_scope(std::string_view kind,
                                                 std::string_view name,
                                                 std::string* error) {
  if (kind.empty() || kind == "global")
    return trading_scope{};
  auto k = parse_scope_kind(kind);
  if (!k) {
    *error = "scope must be global, venue, strategy or symbol, got '"
             + std::string{kind} + "'";
    return std::nullopt;
  }
  auto slash = name.find('/');
  if (*k == scope_kind::symbol
      && (slash == std::string_view::npos || slash == 0 || slash + 1 == name.size()
          || name.find('/', slash + 1) != std::string_view::npos)) {
    *error = "a symbol scope needs a name VENUE/SYMBOL, got '" + std::string{name} + "'";
    return std::nullopt;
  }
  if (name.empty()) {
    *error = "a " + std::string{kind} + " scope needs a name";
    return std::nullopt;
  }
  return trading_scope{*k, std::string{name}};
}

} // namespace agora
