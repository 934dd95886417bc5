#include "venues/common/url.hpp"

#include <algorithm>

namespace agora::net {

namespace {

/// Printable ASCII without spaces.
bool is_visible(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::optional<url> fail(std::string* error, std::string message) {
  if (error != nullptr)
    *error = std::move(message);
  return std::nullopt;
}

} // namespace

std::string url::host_port() const {
  auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string url::authority() const {
  auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port == default_port() ? h : h + ":" + std::to_string(port);
}

std::optional<url> parse_url(std::string_view text, std::string* error) {
  auto quoted = "\"" + std::string{text} + "\"";
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return fail(error, "url " + quoted + " has no scheme (expected ws://, wss://, http:// or https://)");
  url out;
  out.scheme.reserve(sep);
  for (char c : text.substr(0, sep))
    out.scheme += lower(c);
  if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws" && out.scheme != "wss")
    return fail(error, "url " + quoted + " has unknown scheme \"" + out.scheme + "\"");

  auto rest = text.substr(sep + 3);
  auto end_of_authority = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end_of_authority);
  auto tail = end_of_authority == std::string_view::npos ? std::string_view{}
                                                         : rest.substr(end_of_authority);
  if (authority.find('@') != std::string_view::npos)
    return fail(error, "url " + quoted + ": user info is not supported");

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(error, "url " + quoted + ": unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return fail(error, "url " + quoted + ": unexpected text after IPv6 address");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (host.empty())
    return fail(error, "url " + quoted + " has an empty host");
  if (!is_visible(host) || host.find_first_of("[]") != std::string_view::npos)
    return fail(error, "url " + quoted + " has an invalid host");
  out.host = std::string{host};

  if (has_port) {
    if (port_text.empty() || port_text.size() > 5
        || !std::all_of(port_text.begin(), port_text.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))
      return fail(error, "url " + quoted + " has a bad port \"" + std::string{port_text} + "\"");
    unsigned value = 0;
    for (char c : port_text)
      value = value * 10 + static_cast<unsigned>(c - '0');
    if (value == 0 || value > 65535)
      return fail(error, "url " + quoted + " has a bad port \"" + std::string{port_text} + "\"");
    out.port = static_cast<uint16_t>(value);
  } else {
    out.port = out.default_port();
  }

  tail = tail.substr(0, tail.find('#'));
  if (!is_visible(tail))
    return fail(error, "url " + quoted + " has spaces or control characters in its path");
  if (tail.empty())
    out.target = "/";
  else if (tail.front() == '?')
    out.target = "/" + std::string{tail};
  else
    out.target = std::string{tail};
  return out;
}

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::optional<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace agora::net
