#include "actors/alerts/http_sink.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/alerts/alert_format.hpp"
#include "actors/alerts/sink_queue.hpp"
#include "actors/alerts/sink_retry.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/url.hpp"

namespace agora {

namespace {

constexpr const char* default_telegram_url = "https://api.telegram.org";
constexpr const char* default_telegram_token_env = "TELEGRAM_BOT_TOKEN";

/// Where and how a sink posts; `secret` is what must never be logged.
struct sink_endpoint {
  net::https_options options;
  std::string target;
  std::vector<net::http_header> headers;
  std::string secret;
  std::string where; ///< host:port, for logs.
};

std::string trim(std::string s) {
  auto space
      = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.back()))
    s.pop_back();
  auto first = std::find_if_not(s.begin(), s.end(), space);
  s.erase(s.begin(), first);
  return s;
}

/// The value of environment variable `name`, trimmed; nullopt when unset
/// or blank.
std::optional<std::string> env_value(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr)
    return std::nullopt;
  auto s = trim(v);
  if (s.empty())
    return std::nullopt;
  return s;
}

bool is_bot_token(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '-';
  });
}

/// Fills `out` from `s` and the environment; returns why the sink cannot
/// work, or "".
std::string prepare(const alert_sink_settings& s, sink_endpoint& out) {
  bool telegram = s.kind == "telegram";
  if (!telegram && s.kind != "webhook")
    return "unknown sink kind '" + s.kind + "' (telegram or webhook)";
  auto text = s.base_url.empty() && telegram ? std::string{default_telegram_url}
                                             : s.base_url;
  std::string error;
  auto u = net::parse_url(text, &error);
  if (!u) {
    // The URL itself stays out of logs and stats: a webhook's path may be
    // its secret.
    auto quoted = "\"" + text + "\"";
    for (auto at = error.find(quoted); at != std::string::npos;
         at = error.find(quoted, at))
      error.replace(at, quoted.size(), "(base_url)");
    return "base_url: " + error;
  }
  if (u->scheme != "https")
    return "base_url must be https://, got " + u->scheme + "://";
  out.where = u->host_port();
  if (telegram) {
    auto env = s.token_env.empty() ? std::string{default_telegram_token_env}
                                   : s.token_env;
    auto token = env_value(env);
    if (!token)
      return "bot token env var " + env + " is not set";
    if (!is_bot_token(*token))
      return "bot token in " + env + " has characters a bot token cannot have";
    if (s.chat_id.empty())
      return "chat_id is empty";
    auto prefix = u->target;
    while (!prefix.empty() && prefix.back() == '/')
      prefix.pop_back();
    out.target = prefix + "/bot" + *token + "/sendMessage";
    out.secret = *token;
  } else {
    out.target = u->target;
    if (!s.token_env.empty()) {
      auto auth = env_value(s.token_env);
      if (!auth)
        return "authorization env var " + s.token_env + " is not set";
      if (auth->find_first_of(std::string_view{"\r\n\0", 3})
          != std::string::npos)
        return "authorization in " + s.token_env + " has a line break";
      out.headers.push_back({"Authorization", *auth});
      out.secret = *auth;
    }
  }
  u->target = "/";
  out.options.base = *u;
  out.options.tls.verify = s.verify_tls;
  out.options.tls.ca_file = s.ca_file;
  out.options.max_connections = 1;
  auto ms
      = std::chrono::milliseconds(std::max<nanos>(s.timeout / ns_per_ms, 1));
  out.options.connect_timeout = ms;
  out.options.request_timeout = ms;
  out.options.max_response_bytes = 1 << 20;
  return {};
}

struct http_sink_state {
  std::string path;
  alert_sink_settings settings;
  const clock_source* clock = nullptr;
  std::string disabled; ///< Why the sink cannot work, or "".
  sink_endpoint endpoint;
  std::unique_ptr<net::https_client> client;
  sink_queue queue{0};
  std::optional<queued_alert> current; ///< In flight or waiting for a retry.
  int attempt = 0;
  uint64_t request_id = 0;
  bool waiting_retry = false;
  uint64_t received = 0;
  uint64_t sent = 0;
  uint64_t failed = 0;
  uint64_t retries = 0;
  uint64_t disabled_drops = 0;
  std::string last_error;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "alert_sink";
};

using http_sink_actor = caf::stateful_actor<http_sink_state>;

/// `text` without the sink's secret, cut to a loggable length.
std::string redact(const http_sink_state& st, std::string text) {
  if (!st.endpoint.secret.empty())
    for (auto at = text.find(st.endpoint.secret); at != std::string::npos;
         at = text.find(st.endpoint.secret, at))
      text.replace(at, st.endpoint.secret.size(), "***");
  if (text.size() > 200)
    text.resize(200);
  std::replace(text.begin(), text.end(), '"',
               '\''); // Stays one quoted log/stats value.
  return valid_utf8(text);
}

std::string body_of(const http_sink_state& st, const queued_alert& q) {
  if (st.settings.kind == "telegram")
    return telegram_message_json(st.settings.chat_id,
                                 alert_message_text(q.alert, q.repeats),
                                 q.alert.level == alert_level::info);
  return webhook_json(q.alert, q.repeats);
}

/// Posts the current alert; the answer comes back as `rest_reply`.
void post_current(http_sink_actor* self) {
  auto& st = self->state;
  ++st.attempt;
  auto id = ++st.request_id;
  net::https_request req;
  req.method = "POST";
  req.target = st.endpoint.target;
  req.headers = st.endpoint.headers;
  req.body = body_of(st, *st.current);
  req.content_type = "application/json";
  caf::weak_actor_ptr weak = self->ctrl();
  auto clock = st.clock;
  auto sent = clock->now();
  // Runs on the client's I/O thread: only hands the result back.
  st.client->async(std::move(req),
                   [weak, id, clock, sent](net::https_response&& r) {
                     auto me = caf::actor_cast<caf::actor>(weak);
                     if (!me)
                       return;
                     rest_reply msg;
                     msg.request_id = id;
                     msg.outcome = static_cast<uint8_t>(r.outcome);
                     msg.status = r.status;
                     msg.body = std::move(r.body);
                     for (auto& h : r.headers) {
                       msg.headers.push_back(std::move(h.name));
                       msg.headers.push_back(std::move(h.value));
                     }
                     msg.error = std::move(r.error);
                     msg.sent = sent;
                     msg.received = clock->now();
                     caf::anon_send(me, std::move(msg));
                   });
}

/// Starts on the next queued alert when nothing is in flight.
void pump(http_sink_actor* self) {
  auto& st = self->state;
  if (st.current || st.queue.empty())
    return;
  st.current = st.queue.pop();
  st.attempt = 0;
  post_current(self);
}

/// The Retry-After header of `r` (headers come as name, value, ...).
std::optional<std::string_view> retry_after_of(const rest_reply& r) {
  constexpr std::string_view name = "retry-after";
  for (size_t i = 0; i + 1 < r.headers.size(); i += 2) {
    const auto& n = r.headers[i];
    if (n.size() == name.size()
        && std::equal(n.begin(), n.end(), name.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == y;
           }))
      return std::string_view{r.headers[i + 1]};
  }
  return std::nullopt;
}

void on_reply(http_sink_actor* self, const rest_reply& r) {
  auto& st = self->state;
  if (!st.current || st.waiting_retry || r.request_id != st.request_id)
    return; // Stale: an answer to an attempt already judged.
  auto completed
      = r.outcome == static_cast<uint8_t>(net::send_outcome::complete);
  auto v = judge_delivery(completed, r.status, r.error, retry_after_of(r),
                          r.body, st.attempt, st.settings.max_attempts,
                          st.settings.backoff);
  switch (v.result) {
    case delivery_result::delivered:
      ++st.sent;
      st.current.reset();
      break;
    case delivery_result::retry:
      ++st.retries;
      st.waiting_retry = true;
      st.log->warn(
          "alert_sink_retry sink={} attempt={} delay_ms={} reason=\"{}\"",
          st.settings.name, st.attempt, v.delay / ns_per_ms,
          redact(st, v.reason));
      self->delayed_send(self, std::chrono::nanoseconds(v.delay), retry_atom_v);
      return;
    case delivery_result::failed:
      ++st.failed;
      st.last_error = redact(st, v.reason);
      st.log->error(
          "alert_sink_failed sink={} attempts={} reason=\"{}\" body=\"{}\"",
          st.settings.name, st.attempt, st.last_error, redact(st, r.body));
      st.current.reset();
      break;
  }
  pump(self);
}

std::string state_of(const http_sink_state& st) {
  if (!st.disabled.empty())
    return "disabled: " + st.disabled;
  if (st.waiting_retry)
    return "retrying";
  return st.current ? "sending" : "idle";
}

caf::behavior http_sink_impl(http_sink_actor* self, std::string path,
                             alert_sink_settings settings,
                             const clock_source* clock) {
  auto& st = self->state;
  st.path = std::move(path);
  st.settings = std::move(settings);
  st.clock = clock ? clock : &default_clock();
  st.log = logger("alerts");
  st.queue = sink_queue{st.settings.queue_limit};
  install_hygiene(self, st.path, st.log);
  st.disabled = prepare(st.settings, st.endpoint);
  if (st.disabled.empty()) {
    st.client = std::make_unique<net::https_client>(st.endpoint.options);
    st.log->info("alert_sink_started sink={} kind={} host={} min_level={} "
                 "queue_limit={}",
                 st.settings.name, st.settings.kind, st.endpoint.where,
                 st.settings.min_level, st.settings.queue_limit);
  } else {
    st.log->error("alert_sink_disabled sink={} kind={} reason=\"{}\"",
                  st.settings.name, st.settings.kind, st.disabled);
  }
  return {
      [self](alert_raised& a, uint64_t repeats) {
        auto& st = self->state;
        ++st.received;
        if (!st.disabled.empty()) {
          ++st.disabled_drops;
          return;
        }
        if (st.queue.push(queued_alert{std::move(a), repeats})) {
          auto n = st.queue.dropped();
          if (n == 1 || n % 100 == 0)
            st.log->warn("alert_sink_dropped sink={} dropped={} queue_limit={}",
                         st.settings.name, n, st.settings.queue_limit);
        }
        pump(self);
      },
      [self](rest_reply& r) { on_reply(self, r); },
      [self](retry_atom) {
        auto& st = self->state;
        if (!st.waiting_retry || !st.current)
          return;
        st.waiting_retry = false;
        post_current(self);
      },
      [self](stats_atom) {
        auto& st = self->state;
        auto detail = "sent=" + std::to_string(st.sent)
                      + " failed=" + std::to_string(st.failed) + " dropped="
                      + std::to_string(st.queue.dropped() + st.disabled_drops)
                      + " queued=" + std::to_string(st.queue.size())
                      + " retries=" + std::to_string(st.retries);
        if (!st.last_error.empty())
          detail += " last_error=\"" + st.last_error + "\"";
        return actor_stats{state_of(st), own_mailbox_size(self), st.received,
                           std::move(detail)};
      },
  };
}

} // namespace

caf::actor spawn_http_sink(caf::actor_system& sys, const std::string& path,
                           alert_sink_settings settings,
                           const clock_source* clock) {
  return sys.spawn(http_sink_impl, path, std::move(settings), clock);
}

} // namespace agora
