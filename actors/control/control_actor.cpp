#include "actors/control/control_actor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <rapidjson/document.h>

#include "actors/control/api_json.hpp"
#include "actors/control/api_query.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/http_server.hpp"
#include "venues/common/json.hpp"

namespace agora {

namespace {

using net::http_request;
using net::http_response;

constexpr auto ask_timeout = std::chrono::seconds(5);

/// Accepting the venues' state waits for every mismatched venue's gateway,
/// which risk bounds at 30 s.
constexpr auto accept_timeout = std::chrono::seconds(40);

/// Rows a journal listing returns unless `?limit=N` says otherwise, and the
/// most it returns.
constexpr uint64_t default_limit = 50;
constexpr uint64_t max_limit = 10000;

/// Journal records `GET /v1/reconcile` shows below the venues.
constexpr uint64_t recent_reconciles = 20;

/// Everything the request handler needs; lives as long as the server.
struct api_context {
  caf::actor_system* sys = nullptr;
  caf::actor directory;
  control_hooks hooks;
  std::string token;
  std::shared_ptr<spdlog::logger> log;
};

http_response reply(unsigned status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http_response fail(unsigned status, const std::string& what) {
  return reply(status, json_error(what));
}

/// Blocking request from the I/O thread, waiting at most `timeout`;
/// `error` gets a readable text.
template <class T, class... Ts>
std::optional<T> ask_within(api_context& ctx, const caf::actor& dest,
                            caf::timespan timeout, std::string* error,
                            Ts&&... xs) {
  if (!dest) {
    *error = "actor not running";
    return std::nullopt;
  }
  caf::scoped_actor self{*ctx.sys};
  std::optional<T> result;
  self->request(dest, timeout, std::forward<Ts>(xs)...)
    .receive([&](T& x) { result = std::move(x); },
             [&](caf::error& err) { *error = ctx.sys->render(err); });
  return result;
}

/// `ask_within` with the usual bound (`ask_timeout`).
template <class T, class... Ts>
std::optional<T> ask(api_context& ctx, const caf::actor& dest,
                     std::string* error, Ts&&... xs) {
  return ask_within<T>(ctx, dest, ask_timeout, error, std::forward<Ts>(xs)...);
}

caf::actor lookup(api_context& ctx, const std::string& path) {
  std::string err;
  auto r = ask<caf::actor>(ctx, ctx.directory, &err, lookup_atom_v, path);
  return r ? *r : caf::actor{};
}

std::optional<graph_report> graph(api_context& ctx, std::string* err) {
  return ask<graph_report>(ctx, ctx.directory, err, graph_atom_v);
}

bool valid_symbol(const std::string& s) {
  if (s.empty() || s.size() > 20)
    return false;
  for (char c : s)
    if (!(std::isupper(static_cast<unsigned char>(c))
          || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return true;
}

struct body_fields {
  std::string symbol;
  std::string venue;
  std::string reason;
  std::string kind;
  int64_t duration_ms = 0;
  std::string scope; ///< halt/resume: "venue", "strategy", "symbol"; empty: global.
  std::string name;  ///< The scope's venue, strategy or "venue/SYMBOL".
};

std::optional<body_fields> parse_body(const std::string& body,
                                      std::string* err) {
  body_fields out;
  if (body.empty())
    return out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    *err = "request body is not a JSON object";
    return std::nullopt;
  }
  if (auto v = json::get_string(doc, "symbol"))
    out.symbol = std::string{*v};
  if (auto v = json::get_string(doc, "venue"))
    out.venue = std::string{*v};
  if (auto v = json::get_string(doc, "reason"))
    out.reason = std::string{*v};
  if (auto v = json::get_string(doc, "kind"))
    out.kind = std::string{*v};
  if (auto v = json::get_i64(doc, "duration_ms"))
    out.duration_ms = *v;
  if (auto v = json::get_string(doc, "scope"))
    out.scope = std::string{*v};
  if (auto v = json::get_string(doc, "name"))
    out.name = std::string{*v};
  return out;
}

std::optional<trading_scope> scope_of(const body_fields& b, std::string* err) {
  return parse_trading_scope(b.scope, b.name, err);
}

http_response do_status(api_context& ctx) {
  std::string err;
  auto risk = well_known(*ctx.sys, risk_name);
  auto s = ask<status_report>(ctx, risk, &err, status_atom_v);
  if (!s)
    return fail(503, "risk unavailable: " + err);
  if (auto g = graph(ctx, &err)) {
    s->actors = g->nodes.size();
    for (auto& n : g->nodes)
      s->restarts += n.restarts;
  }
  return reply(200, to_json(*s));
}

http_response do_orders(api_context& ctx) {
  std::string err;
  auto gws = ask<std::vector<actor_entry>>(ctx, ctx.directory, &err,
                                           list_atom_v, std::string{"gateway"});
  if (!gws)
    return fail(503, "directory unavailable: " + err);
  orders_report all;
  for (auto& g : *gws) {
    if (auto r = ask<orders_report>(ctx, g.handle, &err, orders_atom_v))
      for (auto& o : r->orders)
        all.orders.push_back(std::move(o));
  }
  return reply(200, to_json(all));
}

caf::actor journal(api_context& ctx) {
  return well_known(*ctx.sys, journal_name);
}

caf::actor risk(api_context& ctx) {
  return well_known(*ctx.sys, risk_name);
}

http_response do_fills(api_context& ctx, const api_target& t) {
  std::string err;
  auto limit = query_limit(t, default_limit, max_limit, &err);
  if (!limit)
    return fail(400, err);
  auto r = ask<std::vector<order_filled>>(ctx, journal(ctx), &err,
                                          fills_atom_v, *limit);
  return r ? reply(200, to_json(*r)) : fail(503, "journal unavailable: " + err);
}

http_response do_signals(api_context& ctx, const api_target& t) {
  std::string err;
  auto limit = query_limit(t, default_limit, max_limit, &err);
  if (!limit)
    return fail(400, err);
  auto blocked = query_flag(t, "blocked", &err);
  if (!blocked)
    return fail(400, err);
  auto r = ask<std::vector<signal_record>>(ctx, journal(ctx), &err,
                                           signals_atom_v, *blocked, *limit);
  return r ? reply(200, to_json(*r)) : fail(503, "journal unavailable: " + err);
}

http_response do_pnl(api_context& ctx, const api_target& t) {
  std::string err;
  auto limit = query_limit(t, default_limit, max_limit, &err);
  if (!limit)
    return fail(400, err);
  auto snapshots = ask<std::vector<pnl_record>>(ctx, journal(ctx), &err,
                                                pnl_atom_v, *limit);
  if (!snapshots)
    return fail(503, "journal unavailable: " + err);
  auto live = ask<status_report>(ctx, risk(ctx), &err, status_atom_v);
  if (!live)
    return fail(503, "risk unavailable: " + err);
  return reply(200, pnl_json(*snapshots, *live));
}

http_response do_order_history(api_context& ctx, const api_target& t) {
  std::string err;
  auto limit = query_limit(t, default_limit, max_limit, &err);
  if (!limit)
    return fail(400, err);
  auto r = ask<std::vector<order_view>>(ctx, journal(ctx), &err, orders_atom_v,
                                        false, *limit);
  if (!r)
    return fail(503, "journal unavailable: " + err);
  return reply(200, to_json(orders_report{std::move(*r)}));
}

http_response do_reconcile(api_context& ctx) {
  std::string err;
  auto venues = ask<std::vector<reconcile_report>>(ctx, risk(ctx), &err,
                                                   reconcile_atom_v);
  if (!venues)
    return fail(503, "risk unavailable: " + err);
  auto status = ask<status_report>(ctx, risk(ctx), &err, status_atom_v);
  if (!status)
    return fail(503, "risk unavailable: " + err);
  auto recent = ask<std::vector<reconcile_record>>(ctx, journal(ctx), &err,
                                                   reconcile_atom_v,
                                                   recent_reconciles);
  if (!recent)
    return fail(503, "journal unavailable: " + err);
  return reply(200, reconcile_json(*venues, *recent, *status));
}

http_response do_accept(api_context& ctx) {
  std::string err;
  auto r = ask_within<std::string>(ctx, risk(ctx), accept_timeout, &err,
                                   accept_venue_state{"cli"});
  if (!r)
    return fail(503, "risk unavailable: " + err);
  ctx.log->warn("venue_state_accept_requested by=cli result=\"{}\"", *r);
  return reply(200, json_result(*r));
}

http_response do_spawn(api_context& ctx, const body_fields& b) {
  if (!valid_symbol(b.symbol))
    return fail(400, "symbol must be 1-20 characters A-Z, 0-9 or '-', got '"
                       + b.symbol + "'");
  venue_id venue{b.venue.empty() ? ctx.hooks.default_venue.str() : b.venue};
  symbol_id symbol{b.symbol};
  std::string err;
  auto vsup = lookup(ctx, venue_path(venue));
  if (!vsup)
    return fail(404, "no venue '" + venue.str() + "'");
  // A sim venue lists the symbol first; a paper entry checks the venue lists
  // it and follows its book.
  if (auto ex = lookup(ctx, venue_child_path(venue, "exchange"))) {
    if (!ask<instrument_spec>(ctx, ex, &err, spawn_symbol{venue, symbol}))
      return fail(409, "venue refused " + symbol.str() + ": " + err);
  } else if (auto pe = lookup(ctx, venue_child_path(venue, "paper-entry"))) {
    if (!ask<instrument_spec>(ctx, pe, &err, spawn_symbol{venue, symbol}))
      return fail(409, "venue refused " + symbol.str() + ": " + err);
  }
  if (!ask<caf::actor>(ctx, vsup, &err, caf::add_atom_v,
                       ctx.hooks.make_book(venue, symbol)))
    return fail(409, "book: " + err);
  auto strategies = lookup(ctx, "strategies");
  if (!ask<caf::actor>(ctx, strategies, &err, caf::add_atom_v,
                       ctx.hooks.make_strategy(venue, symbol)))
    return fail(409, "strategy: " + err);
  ctx.log->info("symbol_spawned venue={} symbol={}", venue, symbol);
  return reply(200, json_result("spawned book and strategy for "
                                + symbol.str() + " on " + venue.str()));
}

http_response do_stop(api_context& ctx, const body_fields& b) {
  if (!valid_symbol(b.symbol))
    return fail(400, "symbol must be 1-20 characters A-Z, 0-9 or '-', got '"
                       + b.symbol + "'");
  venue_id venue{b.venue.empty() ? ctx.hooks.default_venue.str() : b.venue};
  symbol_id symbol{b.symbol};
  std::string err;
  auto strategies = lookup(ctx, "strategies");
  auto vsup = lookup(ctx, venue_path(venue));
  if (!vsup)
    return fail(404, "no venue '" + venue.str() + "'");
  bool stopped_strategy = ask<caf::ok_atom>(ctx, strategies, &err,
                                            caf::delete_atom_v,
                                            spawned_strategy_name(symbol))
                            .has_value();
  // Cancel what the symbol still has resting.
  uint64_t canceled = 0;
  if (auto gw = lookup(ctx, venue_child_path(venue, "gateway")))
    if (auto n = ask<uint64_t>(ctx, gw, &err, cancel_all_atom_v, symbol))
      canceled = *n;
  bool stopped_book = ask<caf::ok_atom>(ctx, vsup, &err, caf::delete_atom_v,
                                        book_name(symbol))
                        .has_value();
  if (!stopped_strategy && !stopped_book)
    return fail(404, "nothing runs for " + symbol.str() + " on "
                       + venue.str());
  ctx.log->info("symbol_stopped venue={} symbol={} canceled={}", venue, symbol,
                canceled);
  return reply(200, json_result("stopped " + symbol.str() + " on "
                                + venue.str() + " (strategy "
                                + (stopped_strategy ? "stopped" : "none")
                                + ", book " + (stopped_book ? "stopped" : "none")
                                + ", " + std::to_string(canceled)
                                + " order(s) canceled)"));
}

http_response do_fault(api_context& ctx, const body_fields& b) {
  venue_id venue{b.venue.empty() ? ctx.hooks.default_venue.str() : b.venue};
  std::string err;
  inject_fault f{b.kind, symbol_id{b.symbol}, b.duration_ms * ns_per_ms};
  if (b.kind == "crash-book") {
    if (!valid_symbol(b.symbol))
      return fail(400, "crash-book needs a SYMBOL");
    auto book = lookup(ctx, book_path(venue, symbol_id{b.symbol}));
    if (!book)
      return fail(404, "no book for " + b.symbol);
    caf::anon_send(book, f);
    return reply(200, json_result("crash injected into book " + b.symbol));
  }
  if (b.kind != "feed-drop" && b.kind != "seq-gap" && b.kind != "malformed"
      && b.kind != "stall" && b.kind != "reject-next"
      && b.kind != "expire-next" && b.kind != "partial-next")
    return fail(400, "unknown fault kind '" + b.kind
                       + "': expected feed-drop, seq-gap, malformed, stall, "
                         "reject-next, expire-next, partial-next or crash-book");
  auto ex = lookup(ctx, venue_child_path(venue, "exchange"));
  if (!ex)
    return fail(404, "venue '" + venue.str() + "' takes no injected faults");
  auto r = ask<std::string>(ctx, ex, &err, f);
  if (!r)
    return fail(503, err);
  if (r->rfind("error:", 0) == 0)
    return fail(400, r->substr(7));
  return reply(200, json_result(*r));
}

http_response route(api_context& ctx, const http_request& req) {
  if (req.authorization != "Bearer " + ctx.token) {
    ctx.log->warn("request_refused method={} target={} reason={}", req.method,
                  req.target,
                  req.authorization.empty() ? "missing_token" : "wrong_token");
    return fail(401, req.authorization.empty() ? "missing bearer token"
                                               : "wrong bearer token");
  }
  std::string err;
  auto body = parse_body(req.body, &err);
  if (!body)
    return fail(400, err);
  auto t = parse_target(req.target, &err);
  if (!t)
    return fail(400, err);
  auto is = [&](const char* m, const char* path) {
    return req.method == m && t->path == path;
  };
  // Only the journal listings take parameters.
  auto bad = [&]() -> std::optional<std::string> {
    if (req.method != "GET")
      return unexpected_param(*t, {});
    if (t->path == "/v1/signals")
      return unexpected_param(*t, {"limit", "blocked"});
    if (t->path == "/v1/fills" || t->path == "/v1/pnl"
        || t->path == "/v1/orders/history")
      return unexpected_param(*t, {"limit"});
    return unexpected_param(*t, {});
  }();
  if (bad)
    return fail(400, *bad);
  if (is("GET", "/v1/graph")) {
    auto g = graph(ctx, &err);
    return g ? reply(200, to_json(*g)) : fail(503, err);
  }
  if (is("GET", "/v1/status"))
    return do_status(ctx);
  if (is("GET", "/v1/orders"))
    return do_orders(ctx);
  if (is("GET", "/v1/positions")) {
    auto r = ask<positions_report>(ctx, well_known(*ctx.sys, risk_name), &err,
                                   positions_atom_v);
    return r ? reply(200, to_json(*r)) : fail(503, err);
  }
  if (is("GET", "/metrics")) {
    auto s = ask<status_report>(ctx, well_known(*ctx.sys, risk_name), &err,
                                status_atom_v);
    auto g = graph(ctx, &err);
    if (!s || !g)
      return fail(503, err);
    auto r = reply(200, to_metrics(*s, *g));
    r.content_type = "text/plain; version=0.0.4";
    return r;
  }
  if (is("POST", "/v1/halt")) {
    auto scope = scope_of(*body, &err);
    if (!scope)
      return fail(400, err);
    auto r = ask<std::string>(ctx, well_known(*ctx.sys, risk_name), &err,
                              halt_trading{body->reason.empty()
                                             ? std::string{"operator halt"}
                                             : body->reason,
                                           "cli", std::move(*scope)});
    return r ? reply(200, json_result(*r)) : fail(503, err);
  }
  if (is("POST", "/v1/resume")) {
    auto scope = scope_of(*body, &err);
    if (!scope)
      return fail(400, err);
    auto r = ask<std::string>(ctx, well_known(*ctx.sys, risk_name), &err,
                              resume_trading{"cli", std::move(*scope)});
    return r ? reply(200, json_result(*r)) : fail(503, err);
  }
  if (is("GET", "/v1/fills"))
    return do_fills(ctx, *t);
  if (is("GET", "/v1/signals"))
    return do_signals(ctx, *t);
  if (is("GET", "/v1/pnl"))
    return do_pnl(ctx, *t);
  if (is("GET", "/v1/orders/history"))
    return do_order_history(ctx, *t);
  if (is("GET", "/v1/reconcile"))
    return do_reconcile(ctx);
  if (is("POST", "/v1/reconcile/accept"))
    return do_accept(ctx);
  if (is("POST", "/v1/spawn"))
    return do_spawn(ctx, *body);
  if (is("POST", "/v1/stop"))
    return do_stop(ctx, *body);
  if (is("POST", "/v1/fault"))
    return do_fault(ctx, *body);
  return fail(404, "no route " + req.method + " " + t->path);
}

struct control_state {
  std::string path;
  std::shared_ptr<api_context> ctx;
  std::unique_ptr<net::http_server> server;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "control";
  ~control_state() {
    if (server)
      server->stop();
  }
};

using control_actor = caf::stateful_actor<control_state>;

caf::behavior control_impl(control_actor* self, std::string path,
                           control_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.log = logger("control");
  install_hygiene(self, st.path, st.log);
  st.ctx = std::make_shared<api_context>();
  st.ctx->sys = &self->system();
  st.ctx->directory = params.directory;
  st.ctx->hooks = params.hooks;
  st.ctx->token = params.token;
  st.ctx->log = st.log;
  auto ctx = st.ctx;
  st.server = std::make_unique<net::http_server>(
    params.address, params.port,
    [ctx](const http_request& req) {
      auto r = route(*ctx, req);
      ctx->log->info("request method={} target={} status={}", req.method,
                     req.target, r.status);
      return r;
    });
  std::string err;
  if (!st.server->start(&err)) {
    st.log->error("control_listen_failed address={} port={} error=\"{}\"",
                  params.address, params.port, err);
    st.server.reset();
    self->quit(caf::make_error(caf::sec::runtime_error,
                               "control API cannot listen: " + err));
    return {};
  }
  st.log->info("control_listening address={} port={}", params.address,
               st.server->port());
  if (!params.port_file.empty()) {
    std::ofstream out{params.port_file, std::ios::trunc};
    out << st.server->port() << '\n';
  }
  return {
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{"listening", own_mailbox_size(self), st.processed,
                         "port=" + std::to_string(st.server->port())};
    },
  };
}

} // namespace

caf::actor spawn_control(caf::actor_system& sys, const std::string& path,
                         control_params params) {
  return sys.spawn(control_impl, path, std::move(params));
}

bool load_or_create_token(const std::string& file, std::string* token,
                          std::string* error) {
  struct stat sb;
  if (::stat(file.c_str(), &sb) == 0) {
    if ((sb.st_mode & 077) != 0) {
      *error = "token file " + file + " is readable by others (mode "
               + fmt::format("{:o}", sb.st_mode & 0777) + "); chmod 600 it";
      return false;
    }
    std::ifstream in{file};
    std::string t;
    std::getline(in, t);
    if (t.size() < 16) {
      *error = "token file " + file + " holds no token";
      return false;
    }
    *token = t;
    return true;
  }
  std::random_device rd;
  std::string t;
  for (int i = 0; i < 32; ++i)
    t += fmt::format("{:02x}", rd() & 0xFFu);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    *error = "cannot create token file " + file + ": " + std::strerror(errno);
    return false;
  }
  auto line = t + "\n";
  auto n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    *error = "cannot write token file " + file;
    return false;
  }
  *token = t;
  return true;
}

} // namespace agora
