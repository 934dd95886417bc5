#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/others.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <rapidjson/document.h>

#include "actors/alerts/alert_router.hpp"
#include "messages/type_ids.hpp"
#include "tests/venues/common/net_test_support.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/json.hpp"
#include "venues/common/logging.hpp"
#include "venues/common/tls_server.hpp"

// The router with real sinks against HTTPS servers on 127.0.0.1
// (ephemeral ports, a self-signed certificate trusted through ca_file),
// on CAF's real scheduler: the sinks' HTTPS clients answer from their own
// threads. Every wait is bounded.

using namespace agora;
using namespace agora::net::test;
using namespace std::chrono_literals;

namespace {

constexpr nanos t0 = 1'795'417'200'123 * ns_per_ms; // 2026-11-23T07:00:00.123Z

/// A local HTTPS endpoint that records every request and answers with the
/// statuses it is given (then 200).
struct sink_server {
  sink_server() {
    net::tls_server_options o;
    o.cert_file = certs.cert();
    o.key_file = certs.key();
    net::tls_server::handlers h;
    h.on_http = [this](const net::server_request& req) {
      net::server_response r;
      {
        std::lock_guard<std::mutex> guard{wait.mtx};
        seen.push_back(req);
        if (!statuses.empty()) {
          r.status = statuses.front();
          statuses.pop_front();
        }
      }
      wait.notify();
      r.body = r.status == 200 ? R"({"ok":true})" : R"({"ok":false})";
      return r;
    };
    server = std::make_unique<net::tls_server>(o, std::move(h));
    std::string error;
    REQUIRE(server->start(&error));
  }

  std::string url(const std::string& path = "") const {
    return "https://127.0.0.1:" + std::to_string(server->port()) + path;
  }

  void answer(std::vector<unsigned> xs) {
    std::lock_guard<std::mutex> guard{wait.mtx};
    statuses.assign(xs.begin(), xs.end());
  }

  /// Waits (at most `limit`) for `n` requests; returns those seen.
  std::vector<net::server_request> await(size_t n,
                                         std::chrono::milliseconds limit = 5s) {
    wait.wait_for(limit, [&] { return seen.size() >= n; });
    std::lock_guard<std::mutex> guard{wait.mtx};
    return seen;
  }

  cert_dir certs;
  waiter wait;
  std::vector<net::server_request> seen;
  std::deque<unsigned> statuses;
  std::unique_ptr<net::tls_server> server;
};

/// Alerts the fake journal got, with a waiter for them.
struct journal_count {
  std::atomic<uint64_t> n{0};
  waiter wait;

  uint64_t load() const { return n.load(); }

  /// Waits (at most `limit`) until `want` alerts arrived.
  bool await(uint64_t want, std::chrono::milliseconds limit) {
    return wait.wait_for(limit, [&] { return n.load() >= want; });
  }
};

using counter = std::shared_ptr<journal_count>;

/// The router on a real scheduler, with a fake journal counting alerts.
struct router_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  manual_clock clock{t0};
  counter journaled = std::make_shared<journal_count>();
  caf::actor journal;
  caf::actor router;

  router_fixture() {
    setup_logging("off", "", nullptr);
    register_message_types(cfg);
    cfg.set("scheduler.max-threads", 1);
    sys = std::make_unique<caf::actor_system>(cfg);
    journal = sys->spawn(
        [](caf::event_based_actor*, counter n) -> caf::behavior {
          return {[n](record_atom, alert_raised&) {
            {
              std::lock_guard<std::mutex> guard{n->wait.mtx};
              ++n->n;
            }
            n->wait.notify();
          }};
        },
        journaled);
    sys->registry().put(journal_name,
                        caf::actor_cast<caf::strong_actor_ptr>(journal));
  }

  ~router_fixture() {
    sys->registry().erase(journal_name);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
    sys.reset(); // Waits for every actor (and so every sink's client).
  }

  void start(alert_settings s) {
    router = spawn_alert_router(*sys, "alerts", &clock, std::move(s));
  }

  void raise(alert_level level, std::string source, std::string text,
             std::string key = {}) {
    caf::anon_send(router, alert_raised{level, std::move(source),
                                        std::move(text), t0, std::move(key)});
  }

  /// The router's stats, or nullopt when it does not answer within `limit`.
  std::optional<actor_stats> stats(std::chrono::milliseconds limit = 2s) {
    caf::scoped_actor self{*sys};
    std::optional<actor_stats> out;
    self->request(router, limit, stats_atom_v)
        .receive([&](actor_stats& s) { out = std::move(s); },
                 [](caf::error&) {});
    return out;
  }

  /// Asks for stats until `pred` holds on the detail (at most 5 s).
  bool eventually(const std::function<bool(const std::string&)>& pred) {
    auto until = std::chrono::steady_clock::now() + 5s;
    caf::scoped_actor self{*sys};
    while (std::chrono::steady_clock::now() < until) {
      if (auto s = stats(); s && pred(s->detail))
        return true;
      self->receive(caf::after(10ms) >> [] {});
    }
    return false;
  }
};

/// The value of `key` in a detail of key=value pairs ("..." values unquoted).
std::string field(const std::string& detail, const std::string& key) {
  auto at = detail.find(" " + key + "=");
  if (at == std::string::npos) {
    if (detail.rfind(key + "=", 0) != 0)
      return "<absent>";
    at = 0;
  } else {
    at += 1;
  }
  at += key.size() + 1;
  if (at < detail.size() && detail[at] == '"') {
    auto end = detail.find('"', at + 1);
    return detail.substr(at + 1, end - at - 1);
  }
  return detail.substr(at, detail.find(' ', at) - at);
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::optional<std::string_view> sv(const char* s) {
  return std::string_view{s};
}

alert_sink_settings telegram_sink(const sink_server& srv,
                                  const std::string& token_env) {
  alert_sink_settings s;
  s.kind = "telegram";
  s.name = "ops-telegram";
  s.base_url = srv.url();
  s.token_env = token_env;
  s.chat_id = "-100777";
  s.ca_file = srv.certs.cert();
  s.timeout = 3 * ns_per_s;
  return s;
}

alert_sink_settings webhook_sink(const sink_server& srv,
                                 const std::string& path) {
  alert_sink_settings s;
  s.kind = "webhook";
  s.name = "ops-webhook";
  s.base_url = srv.url(path);
  s.ca_file = srv.certs.cert();
  s.timeout = 3 * ns_per_s;
  return s;
}

alert_settings with_sinks(std::vector<alert_sink_settings> sinks) {
  alert_settings s;
  s.summary_hour_utc = -1;
  s.sinks = std::move(sinks);
  return s;
}

} // namespace

TEST_CASE_METHOD(
    router_fixture,
    "a Telegram sink posts sendMessage with the bot token and the exact JSON",
    "[http_sink]") {
  sink_server srv;
  ::setenv("AGORA_TEST_TG_TOKEN", "123456:ABC-def_ghi\n",
           1); // Trailing newline trimmed.
  auto sink = telegram_sink(srv, "AGORA_TEST_TG_TOKEN");
  sink.min_level = alert_level::info;
  start(with_sinks({sink}));
  raise(alert_level::critical, "risk", "halted: daily loss 2.1%");
  raise(alert_level::info, "risk", "trading \"ACTIVE\" by cli");
  auto seen = srv.await(2);
  REQUIRE(seen.size() == 2);
  for (auto& r : seen) {
    CHECK(r.method == "POST");
    CHECK(r.target == "/bot123456:ABC-def_ghi/sendMessage");
    CHECK(r.header("content-type") == sv("application/json"));
    CHECK_FALSE(r.header("authorization"));
  }
  auto first = parse(seen[0].body);
  CHECK(json::get_string(first, "chat_id") == sv("-100777"));
  CHECK(json::get_string(first, "text")
        == sv("[CRITICAL] risk: halted: daily loss 2.1%"));
  CHECK(json::get_bool(first, "disable_notification")
        == std::optional<bool>{false});
  CHECK(first.MemberCount() == 3);
  auto second = parse(seen[1].body);
  CHECK(json::get_string(second, "text")
        == sv("[INFO] risk: trading \"ACTIVE\" by cli"));
  CHECK(json::get_bool(second, "disable_notification")
        == std::optional<bool>{true});
  CHECK(eventually([](const std::string& d) {
    return field(d, "sink.ops-telegram.sent") == "2"
           && field(d, "sink.ops-telegram.state") == "idle";
  }));
  auto s = stats();
  REQUIRE(s);
  CHECK(field(s->detail, "sink.ops-telegram.failed") == "0");
  CHECK(field(s->detail, "sink.ops-telegram.dropped") == "0");
  CHECK(field(s->detail, "sink.ops-telegram.queued") == "0");
  CHECK(field(s->detail, "info") == "1");
  CHECK(field(s->detail, "critical") == "1");
}

TEST_CASE_METHOD(
    router_fixture,
    "a webhook sink posts every field with the Authorization header and skips "
    "levels below its minimum",
    "[http_sink]") {
  sink_server srv;
  ::setenv("AGORA_TEST_WEBHOOK_AUTH", "Bearer s3cret", 1);
  auto sink = webhook_sink(srv, "/hooks/agora?team=ops");
  sink.token_env = "AGORA_TEST_WEBHOOK_AUTH";
  sink.min_level = alert_level::warning;
  start(with_sinks({sink}));
  raise(alert_level::info, "risk", "daily summary: quiet day");
  raise(alert_level::warning, "venue.sim", "feed lagging 850 ms", "lag:sim");
  raise(alert_level::critical, "gateway", "leg risk: 0.5 BTC naked",
        "leg_risk:BTCUSDT");
  auto seen = srv.await(2);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].target == "/hooks/agora?team=ops");
  CHECK(seen[0].header("authorization") == sv("Bearer s3cret"));
  CHECK(seen[0].header("content-type") == sv("application/json"));
  auto w = parse(seen[0].body);
  CHECK(w.MemberCount() == 7);
  CHECK(json::get_string(w, "service") == sv("agora"));
  CHECK(json::get_string(w, "level") == sv("warning"));
  CHECK(json::get_string(w, "source") == sv("venue.sim"));
  CHECK(json::get_string(w, "key") == sv("lag:sim"));
  CHECK(json::get_string(w, "text") == sv("feed lagging 850 ms"));
  CHECK(json::get_string(w, "time") == sv("2026-11-23T07:00:00.123Z"));
  CHECK(json::get_u64(w, "repeats") == std::optional<uint64_t>{0});
  auto c = parse(seen[1].body);
  CHECK(json::get_string(c, "level") == sv("critical"));
  CHECK(json::get_string(c, "key") == sv("leg_risk:BTCUSDT"));
  CHECK(eventually([](const std::string& d) {
    return field(d, "sink.ops-webhook.sent") == "2";
  }));
  CHECK(srv.await(3, 100ms).size() == 2); // The INFO alert never went out.
  auto s = stats();
  REQUIRE(s);
  CHECK(field(s->detail, "info")
        == "1"); // ... though the router delivered it (log, journal).
  CHECK(journaled->await(3, 1s));
  CHECK(journaled->load() == 3);
}

TEST_CASE_METHOD(router_fixture,
                 "a 500 then a 200 delivers the alert once, after a retry",
                 "[http_sink]") {
  sink_server srv;
  srv.answer({500});
  auto sink = webhook_sink(srv, "/hook");
  sink.backoff = 50 * ns_per_ms;
  start(with_sinks({sink}));
  raise(alert_level::critical, "risk", "halted");
  auto seen = srv.await(2);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].body == seen[1].body);
  CHECK(eventually([](const std::string& d) {
    return field(d, "sink.ops-webhook.sent") == "1"
           && field(d, "sink.ops-webhook.state") == "idle";
  }));
  auto s = stats();
  REQUIRE(s);
  CHECK(field(s->detail, "sink.ops-webhook.failed") == "0");
  CHECK(field(s->detail, "sink.ops-webhook.retries") == "1");
  CHECK(srv.await(3, 100ms).size() == 2);
}

TEST_CASE_METHOD(
    router_fixture,
    "a 4xx fails the alert at once, attempts run out on 5xx, and later alerts "
    "still go",
    "[http_sink]") {
  sink_server srv;
  srv.answer({400, 503, 503, 200});
  auto sink = webhook_sink(srv, "/hook");
  sink.backoff = 20 * ns_per_ms;
  sink.max_attempts = 2;
  start(with_sinks({sink}));
  raise(alert_level::critical, "risk", "one");
  raise(alert_level::critical, "risk", "two");
  raise(alert_level::critical, "risk", "three");
  auto seen = srv.await(4);
  REQUIRE(seen.size() == 4);
  CHECK(json::get_string(parse(seen[0].body), "text") == sv("one"));
  CHECK(json::get_string(parse(seen[1].body), "text") == sv("two"));
  CHECK(json::get_string(parse(seen[2].body), "text") == sv("two"));
  CHECK(json::get_string(parse(seen[3].body), "text") == sv("three"));
  CHECK(eventually([](const std::string& d) {
    return field(d, "sink.ops-webhook.sent") == "1";
  }));
  auto s = stats();
  REQUIRE(s);
  CHECK(field(s->detail, "sink.ops-webhook.failed") == "2");
  CHECK(field(s->detail, "sink.ops-webhook.retries") == "1");
  CHECK(field(s->detail, "sink.ops-webhook.last_error") == "HTTP 503");
}

TEST_CASE_METHOD(
    router_fixture,
    "duplicates within the throttle reach the sink once and the next delivery "
    "carries the repeat count",
    "[http_sink]") {
  sink_server srv;
  ::setenv("AGORA_TEST_TG_TOKEN2", "42:xyz", 1);
  auto settings = with_sinks(
      {telegram_sink(srv, "AGORA_TEST_TG_TOKEN2"), webhook_sink(srv, "/hook")});
  settings.throttle_critical = 10 * ns_per_s;
  start(settings);
  for (int i = 0; i < 3; ++i)
    raise(alert_level::critical, "risk", "halted: daily loss 2.1%");
  // The router reads the manual clock: once it has taken the three alerts,
  // move past the window and raise the same alert again.
  REQUIRE(eventually(
      [](const std::string& d) { return field(d, "suppressed") == "2"; }));
  clock.advance(10 * ns_per_s);
  raise(alert_level::critical, "risk", "halted: daily loss 2.1%");
  auto seen = srv.await(4);
  REQUIRE(seen.size() == 4);
  std::vector<std::string> texts;
  std::vector<uint64_t> repeats;
  for (auto& r : seen) {
    auto doc = parse(r.body);
    if (r.target == "/hook")
      repeats.push_back(json::get_u64(doc, "repeats").value_or(99));
    else
      texts.emplace_back(json::get_string(doc, "text").value_or("?"));
  }
  CHECK(texts
        == std::vector<std::string>{
            "[CRITICAL] risk: halted: daily loss 2.1%",
            "[CRITICAL] risk: halted: daily loss 2.1% (+2 repeats)"});
  CHECK(repeats == std::vector<uint64_t>{0, 2});
  CHECK(srv.await(5, 100ms).size() == 4);
  CHECK(journaled->await(2, 1s));
  CHECK(journaled->load() == 2);
}

TEST_CASE_METHOD(router_fixture,
                 "a dead sink never holds up the router: 1000 alerts are "
                 "logged and journaled "
                 "promptly, its queue stays bounded and drops are counted",
                 "[http_sink]") {
  // Either a server that accepts and never answers (the TLS handshake
  // hangs), or nothing listening at all (refused, retried after a long
  // backoff).
  auto mode = GENERATE(as<std::string>{}, "silent", "refused");
  cert_dir certs;
  raw_listener silent{[](int fd, const std::atomic<bool>& stopping) {
                        raw_listener::hold(fd, stopping);
                      },
                      mode == "silent"};
  alert_sink_settings sink;
  sink.kind = "webhook";
  sink.name = "dead";
  sink.base_url
      = "https://127.0.0.1:" + std::to_string(silent.port()) + "/hook";
  sink.ca_file = certs.cert();
  sink.queue_limit = 16;
  sink.timeout = 30 * ns_per_s;
  sink.backoff = 30 * ns_per_s;
  start(with_sinks({sink}));
  auto begun = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i)
    raise(alert_level::critical, "risk", "distinct alert " + std::to_string(i));
  auto s = stats(1s);
  auto took = std::chrono::steady_clock::now() - begun;
  REQUIRE(s);
  CHECK(took < 1s);
  CHECK(s->processed == 1000);
  CHECK(field(s->detail, "critical") == "1000");
  CHECK(field(s->detail, "sink.dead.sent") == "0");
  CHECK(field(s->detail, "sink.dead.queued") == "16");
  CHECK(field(s->detail, "sink.dead.dropped")
        == "983"); // 1000 - 1 in flight - 16 queued.
  if (mode == "silent")
    CHECK(field(s->detail, "sink.dead.state") == "sending");
  // The journal got every one of them, also promptly.
  CHECK(journaled->await(1000, 1s));
  CHECK(journaled->load() == 1000);
}

TEST_CASE_METHOD(
    router_fixture,
    "a sink with nothing listening retries, then counts the alert failed",
    "[http_sink]") {
  raw_listener closed{[](int, const std::atomic<bool>&) {}, false};
  alert_sink_settings sink;
  sink.kind = "webhook";
  sink.name = "down";
  sink.base_url
      = "https://127.0.0.1:" + std::to_string(closed.port()) + "/hook";
  sink.backoff = 20 * ns_per_ms;
  sink.max_attempts = 2;
  start(with_sinks({sink}));
  raise(alert_level::critical, "risk", "halted");
  CHECK(eventually([](const std::string& d) {
    return field(d, "sink.down.failed") == "1";
  }));
  auto s = stats();
  REQUIRE(s);
  CHECK(field(s->detail, "sink.down.retries") == "1");
  CHECK(field(s->detail, "sink.down.state") == "idle");
  auto error = field(s->detail, "sink.down.last_error");
  CHECK(error.find("connect 127.0.0.1:" + std::to_string(closed.port()))
        != std::string::npos);
}

TEST_CASE_METHOD(router_fixture,
                 "a sink without its token or with a bad URL is disabled and "
                 "says why, never "
                 "crashing the router",
                 "[http_sink]") {
  ::unsetenv("AGORA_TEST_MISSING_TOKEN");
  alert_sink_settings tg;
  tg.kind = "telegram";
  tg.name = "tg";
  tg.token_env = "AGORA_TEST_MISSING_TOKEN";
  tg.chat_id = "1";
  alert_sink_settings plain;
  plain.kind = "webhook";
  plain.name = "plain";
  plain.base_url = "http://127.0.0.1:1/hook";
  alert_sink_settings odd;
  odd.kind = "pager";
  odd.name = "odd";
  ::setenv("AGORA_TEST_BAD_TOKEN", "12:ab/../x", 1);
  alert_sink_settings bad;
  bad.kind = "telegram";
  bad.name = "bad";
  bad.token_env = "AGORA_TEST_BAD_TOKEN";
  bad.chat_id = "1";
  alert_sink_settings secret;
  secret.kind = "webhook";
  secret.name = "secret";
  secret.base_url = "https://127.0.0.1:1/T0/sec ret";
  start(with_sinks({tg, plain, odd, bad, secret}));
  raise(alert_level::critical, "risk", "halted");
  CHECK(eventually(
      [](const std::string& d) { return field(d, "sink.tg.dropped") == "1"; }));
  auto s = stats();
  REQUIRE(s);
  CHECK(s->state == "running");
  CHECK(field(s->detail, "critical") == "1");
  CHECK(field(s->detail, "sink.tg.state")
        == "disabled: bot token env var AGORA_TEST_MISSING_TOKEN is not set");
  CHECK(field(s->detail, "sink.plain.state")
        == "disabled: base_url must be https://, got http://");
  CHECK(field(s->detail, "sink.odd.state")
        == "disabled: unknown sink kind 'pager' (telegram or webhook)");
  CHECK(field(s->detail, "sink.bad.state")
        == "disabled: bot token in AGORA_TEST_BAD_TOKEN has characters a bot "
           "token cannot have");
  CHECK(field(s->detail, "sink.secret.state")
        == "disabled: base_url: url (base_url) has spaces or control "
           "characters in its path");
  CHECK(s->detail.find("ab/../x") == std::string::npos);
  CHECK(s->detail.find("sec ret") == std::string::npos);
  CHECK(field(s->detail, "sink.plain.dropped") == "1");
}
