#include "actors/alerts/sink_retry.hpp"

#include <algorithm>

#include <rapidjson/document.h>

#include "venues/common/json.hpp"

namespace agora {

namespace {

/// Whole seconds from a Retry-After header (delta-seconds form only).
std::optional<nanos> header_seconds(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  if (s.empty() || s.size() > 9)
    return std::nullopt;
  nanos n = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n * ns_per_s;
}

/// Telegram's {"parameters":{"retry_after":N}}.
std::optional<nanos> body_seconds(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(body.data(), body.size());
  if (doc.HasParseError())
    return std::nullopt;
  auto params = json::get_object(doc, "parameters");
  if (params == nullptr)
    return std::nullopt;
  auto n = json::get_u64(*params, "retry_after");
  if (!n || *n > 1'000'000)
    return std::nullopt;
  return static_cast<nanos>(*n) * ns_per_s;
}

} // namespace

delivery_verdict judge_delivery(bool completed, unsigned status,
                                std::string_view error,
                                std::optional<std::string_view> retry_after,
                                std::string_view body, int attempt,
                                int max_attempts, nanos backoff) {
  delivery_verdict v;
  if (completed && status >= 200 && status < 300) {
    v.result = delivery_result::delivered;
    return v;
  }
  bool retryable = !completed || status >= 500 || status == 429;
  v.reason = completed ? "HTTP " + std::to_string(status) : std::string{error};
  if (!retryable || attempt >= max_attempts) {
    v.result = delivery_result::failed;
    return v;
  }
  v.result = delivery_result::retry;
  auto shift = std::clamp(attempt - 1, 0, 20);
  v.delay = std::min(std::clamp<nanos>(backoff, 0, max_retry_after) << shift,
                     max_retry_after);
  if (completed && status == 429) {
    auto wait = retry_after ? header_seconds(*retry_after) : std::nullopt;
    if (!wait && !body.empty())
      wait = body_seconds(body);
    if (wait)
      v.delay = std::min(*wait, max_retry_after);
  }
  return v;
}

} // namespace agora
