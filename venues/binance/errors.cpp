#include "venues/binance/errors.hpp"

#include "venues/binance/codec.hpp"

namespace agora::binance {

namespace {

bool contains(std::string_view text, std::string_view what) noexcept {
  return text.find(what) != std::string_view::npos;
}

/// Retry-After holds whole seconds; anything else (or nothing) gives nullopt.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::optional<std::string_view> header) noexcept {
  if (!header)
    return std::nullopt;
  auto s = *header;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  if (s.empty() || s.size() > 9) // 9 digits: ~31 years, no overflow.
    return std::nullopt;
  int64_t seconds = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::milliseconds{seconds * 1000};
}

} // namespace

const char* to_string(error_class x) noexcept {
  switch (x) {
    case error_class::ok:
      return "ok";
    case error_class::rejected:
      return "rejected";
    case error_class::post_only_rejected:
      return "post_only_rejected";
    case error_class::rate_limited:
      return "rate_limited";
    case error_class::banned:
      return "banned";
    case error_class::unknown_outcome:
      return "unknown_outcome";
    case error_class::retryable:
      return "retryable";
    case error_class::clock_skew:
      return "clock_skew";
    case error_class::auth:
      return "auth";
  }
  return "unknown";
}

classification classify(unsigned http_status, std::string_view body,
                        std::optional<std::string_view> retry_after_header,
                        market m) {
  classification c;
  if (auto err = parse_rest_error(body)) {
    c.code = err->code;
    c.msg = std::move(err->msg);
  }
  auto retry_after = parse_retry_after(retry_after_header);
  if (http_status >= 200 && http_status < 300) {
    c.what = error_class::ok;
    return c;
  }
  if (http_status == 429) {
    c.what = error_class::rate_limited;
    c.retry_after = retry_after.value_or(default_rate_limit_backoff);
    return c;
  }
  if (http_status == 418) {
    c.what = error_class::banned;
    c.retry_after = retry_after.value_or(default_ban_backoff);
    return c;
  }
  if (http_status == 401) {
    c.what = error_class::auth;
    return c;
  }
  switch (c.code) {
    case -1021: // INVALID_TIMESTAMP
      c.what = error_class::clock_skew;
      return c;
    case -1002: // UNAUTHORIZED
    case -1022: // INVALID_SIGNATURE
    case -2014: // BAD_API_KEY_FMT
    case -2015: // REJECTED_MBX_KEY
      c.what = error_class::auth;
      return c;
    case -1000: // UNKNOWN
    case -1006: // UNEXPECTED_RESP: execution status unknown
    case -1007: // TIMEOUT: send status unknown; execution status unknown
      c.what = error_class::unknown_outcome;
      return c;
    case -1008: // SERVER_BUSY / request throttled: not executed
      c.what = error_class::retryable;
      return c;
    case -1003: // TOO_MANY_REQUESTS
    case -1015: // TOO_MANY_ORDERS
      c.what = error_class::rate_limited;
      c.retry_after = retry_after.value_or(default_rate_limit_backoff);
      return c;
    case -2010: // NEW_ORDER_REJECTED
      if (m == market::spot
          && contains(c.msg, "Order would immediately match and take")) {
        c.what = error_class::post_only_rejected;
        return c;
      }
      break;
    case -5022: // GTX_ORDER_REJECT
      if (m == market::usdm) {
        c.what = error_class::post_only_rejected;
        return c;
      }
      break;
    case -1001: // DISCONNECTED: USD-M documents it as a definite failure
      if (m == market::usdm) {
        c.what = error_class::retryable;
        return c;
      }
      break;
    default:
      break;
  }
  if (http_status == 503 && m == market::usdm) {
    if (contains(c.msg, "Service Unavailable")
        || contains(c.msg, "Internal error; unable to process your request"))
      c.what = error_class::retryable;
    else
      c.what = error_class::unknown_outcome; // incl. "Unknown error, ..."
    return c;
  }
  if (http_status == 408 || http_status >= 500) {
    c.what = error_class::unknown_outcome;
    return c;
  }
  if (http_status >= 400) {
    c.what = error_class::rejected;
    return c;
  }
  c.what = error_class::unknown_outcome;
  return c;
}

classification classify_transport_failure(bool request_written,
                                          std::string_view what) {
  classification c;
  c.what = request_written ? error_class::unknown_outcome
                           : error_class::retryable;
  c.msg.assign(what);
  return c;
}

} // namespace agora::binance
