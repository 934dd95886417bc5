#include "venues/binance/order_entry_actor.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_set>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/binance/client_ids.hpp"
#include "venues/binance/clock_sync.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/errors.hpp"
#include "venues/binance/limits.hpp"
#include "venues/binance/orders.hpp"
#include "venues/binance/signing.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/json.hpp"
#include "venues/common/url.hpp"
#include "venues/common/ws_bridge.hpp"
#include "venues/common/ws_client.hpp"

namespace agora::binance {

namespace {

/// What a REST call was for, so its answer finds its way.
enum class call_kind : uint8_t {
  server_time = 1,
  exchange_info,
  submit,
  cancel,
  query,
  cancel_all,
  open_orders,
  listen_key,
  listen_key_keepalive,
  account,
  read_open_orders,  ///< For a venue_state_report.
  read_account,      ///< For a venue_state_report.
  cancel_orphan,
};

struct pending_call {
  call_kind kind = call_kind::submit;
  client_order_id cid;  ///< submit, cancel, query.
  symbol_id symbol;     ///< cancel_all.
  std::optional<caf::response_promise> reply; ///< account: who asked.
  uint64_t read = 0;    ///< read_open_orders / read_account: which state read.
};

/// A venue_state_report being put together from two REST answers.
struct state_read {
  caf::response_promise reply;
  venue_state_report report;
  int pending = 2;
  std::string error;
};

/// Where an order stands, as far as this actor knows.
enum class entry_state : uint8_t {
  sending = 1, ///< The new-order call is in flight.
  unknown,     ///< The venue did not say whether it took it: querying.
  live,        ///< Accepted and not finished.
  done,        ///< Finished; kept a while to drop late duplicates.
};

struct order_entry {
  submit_order order;
  caf::actor owner;                   ///< Who sent it (the gateway): gets every event.
  entry_state state = entry_state::sending;
  order_id oid;
  bool accepted_sent = false;
  quantity cum;                       ///< Filled quantity already reported.
  std::unordered_set<uint64_t> trades; ///< Trade ids already reported.
  int attempts = 0;                   ///< Calls made for the current step.
  int not_found = 0;                  ///< Queries answered "does not exist" in a row.
  bool cancel_pending = false;
  nanos finished = 0;
};

struct entry_actor_state {
  order_entry_params params;
  std::string path;
  std::string api_base;              ///< "/api/v3" or "/fapi/v1".
  std::unique_ptr<net::https_client> rest;
  std::unique_ptr<net::ws_client> user;
  bool user_open = false;
  bool user_subscribed = false;
  nanos user_backoff = 0;
  std::string listen_key;
  clock_sync clock;
  std::unique_ptr<rate_limits> limits;
  std::vector<instrument_spec> specs;
  bool specs_loaded = false;
  std::vector<caf::response_promise> spec_waiters;
  std::map<uint64_t, pending_call> calls;
  uint64_t next_call = 1;
  std::map<client_order_id, order_entry> orders;
  std::map<std::string, std::string> base_assets; ///< Symbol -> base asset (exchangeInfo).
  std::map<uint64_t, state_read> reads;
  uint64_t next_read = 1;
  std::deque<client_order_id> finished; ///< Oldest first, bounded.
  uint64_t processed = 0;
  uint64_t sent = 0;
  uint64_t unknown_outcomes = 0;
  uint64_t foreign_events = 0;
  uint64_t user_events = 0;
  uint64_t reconnects = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "binance_order_entry";
};

using entry_actor = caf::stateful_actor<entry_actor_state>;

constexpr size_t keep_finished = 2000;

nanos now_of(entry_actor* self) { return self->state.params.clock->now(); }

/// Venue timestamps always use the wall clock, whatever drives the actor.
int64_t venue_ms(entry_actor* self) {
  static const wall_clock wall;
  return self->state.clock.now_ms(wall.now());
}

void alert(entry_actor* self, alert_level level, std::string text) {
  raise_alert(self, level, self->state.path, std::move(text), now_of(self));
}

const char* side_text(side s) { return s == side::buy ? "BUY" : "SELL"; }

/// Sends one REST call; its answer comes back as `rest_reply`.
void call(entry_actor* self, pending_call what, std::string method, std::string target,
          bool with_key) {
  auto& st = self->state;
  auto id = st.next_call++;
  st.calls.emplace(id, std::move(what));
  net::https_request req;
  req.method = std::move(method);
  req.target = std::move(target);
  if (with_key)
    req.headers.push_back({"X-MBX-APIKEY", st.params.keys.api_key});
  caf::weak_actor_ptr weak = self->ctrl();
  auto clock = st.params.clock;
  auto sent = clock->now();
  ++st.sent;
  st.rest->async(std::move(req), [weak, id, clock, sent](net::https_response&& r) {
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

/// A SIGNED call: timestamp and recvWindow added, then the signature.
void signed_call(entry_actor* self, pending_call what, std::string method,
                 const std::string& path, query_builder q) {
  auto& st = self->state;
  q.add("recvWindow", st.params.recv_window_ms);
  q.add("timestamp", venue_ms(self));
  call(self, std::move(what), std::move(method),
       path + "?" + signed_query(q.str(), "", st.params.keys.secret), true);
}

// -- order events -----------------------------------------------------------

void finish(entry_actor* self, order_entry& e) {
  auto& st = self->state;
  e.state = entry_state::done;
  e.finished = now_of(self);
  st.finished.push_back(e.order.cid);
  while (st.finished.size() > keep_finished) {
    st.orders.erase(st.finished.front());
    st.finished.pop_front();
  }
}

void reject(entry_actor* self, order_entry& e, reject_reason why, std::string detail) {
  if (e.state == entry_state::done)
    return;
  auto& o = e.order;
  self->state.log->info("order_rejected venue={} cid={} reason={} detail=\"{}\"",
                        o.venue, o.cid, why, detail);
  self->send(e.owner, order_rejected{o.cid, o.venue, o.symbol, why, std::move(detail),
                                     o.strategy, 0, now_of(self)});
  finish(self, e);
}

void accept(entry_actor* self, order_entry& e, const order_update& u) {
  if (e.accepted_sent)
    return;
  e.accepted_sent = true;
  e.state = entry_state::live;
  if (u.order_id != 0)
    e.oid = order_id{u.order_id};
  auto& o = e.order;
  self->send(e.owner, order_accepted{o.cid, e.oid, o.venue, o.symbol, o.sd, o.px, o.qty,
                                     o.strategy, u.transaction_time, now_of(self)});
}

rate fee_of(const entry_actor* self, bool maker) {
  return maker ? self->state.params.maker_fee : self->state.params.taker_fee;
}

void report_fill(entry_actor* self, order_entry& e, trade_id tid, price px, quantity qty,
                 notional fee, bool maker, nanos venue_time) {
  auto& o = e.order;
  e.cum = e.cum + qty;
  auto leaves = o.qty > e.cum ? o.qty - e.cum : quantity{};
  self->send(e.owner, order_filled{o.cid, e.oid, o.venue, o.symbol, o.sd, tid, px, qty,
                                   e.cum, leaves, fee,
                                   maker ? liquidity::maker : liquidity::taker, o.strategy,
                                   venue_time, now_of(self)});
}

/// Where an order_update came from.
enum class update_source : uint8_t {
  stream = 1, ///< The user-data stream: fills with trade ids, in order.
  answer,     ///< The answer to our own new-order or cancel call.
  query,      ///< A query or open-orders listing (reconciliation).
};

void schedule_query(entry_actor* self, const order_entry& e, nanos delay);

/// Applies what the venue says about one of our orders, sending each fact
/// to the owner exactly once. Fills are counted by cumulative quantity, so
/// a fill already reported (from the stream or recovered by a query) is
/// never reported again, whichever source repeats it.
void apply(entry_actor* self, order_entry& e, const order_update& u, update_source from) {
  if (e.state == entry_state::done)
    return;
  auto& st = self->state;
  auto& o = e.order;
  if (u.order_id != 0 && e.oid == order_id{})
    e.oid = order_id{u.order_id};
  e.not_found = 0;
  switch (u.state) {
    case order_state::rejected:
      reject(self, e, reject_reason::venue_rejected,
             u.reject_reason.empty() ? "rejected by the venue" : u.reject_reason);
      return;
    case order_state::expired:
      if (!e.accepted_sent && u.cum_qty.raw() == 0 && o.tif == time_in_force::post_only) {
        reject(self, e, reject_reason::post_only_would_cross,
               "post-only order expired: it would have taken liquidity");
        return;
      }
      break;
    default:
      break;
  }
  accept(self, e, u);
  if (u.cum_qty > e.cum) {
    if (from == update_source::stream && u.exec == exec_type::trade) {
      auto qty = u.cum_qty - e.cum;
      if (u.trade_id != 0)
        e.trades.insert(u.trade_id);
      // The fee in quote currency: the venue's own when charged in the
      // quote asset, else (base asset, BNB) the configured rate.
      notional fee = u.fee;
      const auto& sym = o.symbol.str();
      bool in_quote = !u.fee_asset.empty() && sym.size() > u.fee_asset.size()
                      && sym.compare(sym.size() - u.fee_asset.size(), u.fee_asset.size(),
                                     u.fee_asset)
                           == 0;
      if (!in_quote)
        if (auto cost = checked_mul(u.last_px, qty))
          fee = mul(*cost, fee_of(self, u.maker));
      report_fill(self, e, trade_id{u.trade_id}, u.last_px, qty, fee, u.maker,
                  u.transaction_time);
    } else if (from == update_source::answer && st.user_subscribed) {
      // Our own call's answer shows fills the stream has not brought yet:
      // they are on their way with prices and trade ids. Check later, and
      // report nothing final before they are counted.
      schedule_query(self, e, 2 * ns_per_s);
      return;
    } else {
      // Fills the stream never brought (it was down): report the
      // difference at the order's average price (limit price if unknown).
      auto missing = u.cum_qty - e.cum;
      auto px = u.px;
      notional fee;
      if (auto cost = checked_mul(px, missing))
        fee = mul(*cost, fee_of(self, false));
      st.log->warn("fill_recovered venue={} cid={} qty={} cum={} (seen by query, not on "
                   "the stream)",
                   o.venue, o.cid, missing, u.cum_qty);
      report_fill(self, e, trade_id{}, px, missing, fee, false, u.transaction_time);
    }
  }
  switch (u.state) {
    case order_state::filled:
      if (e.cum >= o.qty)
        finish(self, e);
      break;
    case order_state::canceled:
    case order_state::expired: {
      if (e.cum < u.cum_qty)
        return; // fills still to come (see above); the query finishes it
      auto why = u.state == order_state::canceled ? cancel_reason::requested
                 : o.tif == time_in_force::ioc   ? cancel_reason::ioc_remainder
                                                 : cancel_reason::expired;
      self->send(e.owner, order_canceled{o.cid, e.oid, o.venue, o.symbol, o.sd, e.cum, why,
                                         o.strategy, u.transaction_time, now_of(self)});
      finish(self, e);
      break;
    }
    default:
      break;
  }
}

order_entry* find_entry(entry_actor* self, const order_update& u) {
  auto& st = self->state;
  auto id = decode_client_id(u.orig_client_id.empty() ? u.client_id : u.orig_client_id);
  if (!id) {
    ++st.foreign_events;
    st.log->warn("foreign_order venue={} symbol={} client_id={} order_id={} state={} "
                 "(not placed by Agora)",
                 st.params.venue, u.symbol, u.client_id, u.order_id,
                 static_cast<int>(u.state));
    return nullptr;
  }
  auto i = st.orders.find(*id);
  return i == st.orders.end() ? nullptr : &i->second;
}

// -- requests ---------------------------------------------------------------

const instrument_spec* spec_of(entry_actor* self, const symbol_id& s) {
  for (auto& x : self->state.specs)
    if (x.symbol == s)
      return &x;
  return nullptr;
}

void send_new_order(entry_actor* self, order_entry& e) {
  auto& st = self->state;
  auto& o = e.order;
  query_builder q;
  q.add("symbol", o.symbol.str());
  q.add("side", side_text(o.sd));
  bool spot = st.params.m == market::spot;
  if (o.type == order_type::market) {
    q.add("type", "MARKET");
  } else if (o.tif == time_in_force::post_only && spot) {
    q.add("type", "LIMIT_MAKER");
  } else {
    q.add("type", "LIMIT");
    q.add("timeInForce", o.tif == time_in_force::post_only ? "GTX"
                         : o.tif == time_in_force::ioc     ? "IOC"
                                                           : "GTC");
  }
  q.add("quantity", o.qty.to_string());
  if (o.type != order_type::market)
    q.add("price", o.px.to_string());
  q.add("newClientOrderId", encode_client_id(o.cid));
  if (!spot && o.reduce_only)
    q.add("reduceOnly", "true");
  q.add("newOrderRespType", "RESULT");
  e.state = entry_state::sending;
  ++e.attempts;
  signed_call(self, {call_kind::submit, o.cid, o.symbol}, "POST", st.api_base + "/order",
              std::move(q));
}

void send_query(entry_actor* self, order_entry& e) {
  auto& st = self->state;
  query_builder q;
  q.add("symbol", e.order.symbol.str());
  q.add("origClientOrderId", encode_client_id(e.order.cid));
  signed_call(self, {call_kind::query, e.order.cid, e.order.symbol}, "GET",
              st.api_base + "/order", std::move(q));
}

void schedule_query(entry_actor* self, const order_entry& e, nanos delay) {
  self->delayed_send(self, std::chrono::nanoseconds(delay), query_atom_v,
                     e.order.cid);
}

void send_cancel(entry_actor* self, order_entry& e) {
  auto& st = self->state;
  query_builder q;
  q.add("symbol", e.order.symbol.str());
  q.add("origClientOrderId", encode_client_id(e.order.cid));
  e.cancel_pending = true;
  signed_call(self, {call_kind::cancel, e.order.cid, e.order.symbol}, "DELETE",
              st.api_base + "/order", std::move(q));
}

void request_time(entry_actor* self) {
  call(self, {call_kind::server_time, {}, {}}, "GET", self->state.api_base + "/time", false);
}

void request_exchange_info(entry_actor* self) {
  call(self, {call_kind::exchange_info, {}, {}}, "GET",
       self->state.api_base + "/exchangeInfo", false);
}

/// Reads the account (spot balances, USD-M positions); `reply` gets it as
/// a positions_report (spot balances appear as one row per asset).
void request_account(entry_actor* self, std::optional<caf::response_promise> reply) {
  auto& st = self->state;
  pending_call what{call_kind::account, {}, {}, std::move(reply)};
  signed_call(self, std::move(what), "GET",
              st.params.m == market::spot ? "/api/v3/account" : "/fapi/v2/account",
              query_builder{});
}

positions_report to_report(const entry_actor* self, const account_update& a) {
  const auto& venue = self->state.params.venue;
  positions_report r;
  for (const auto& b : a.balances) {
    auto total = b.free + b.locked;
    if (total.raw() == 0)
      continue;
    position_view v;
    v.venue = venue;
    v.symbol = symbol_id{b.asset};
    v.qty = quantity::from_raw(total.raw());
    r.positions.push_back(std::move(v));
  }
  for (const auto& p : a.positions) {
    if (p.amount.raw() == 0)
      continue;
    position_view v;
    v.venue = venue;
    v.symbol = p.symbol;
    v.qty = p.amount;
    v.avg_price = p.entry_price;
    v.unrealized_pnl = p.unrealized_pnl;
    r.unrealized_pnl = r.unrealized_pnl + p.unrealized_pnl;
    r.positions.push_back(std::move(v));
  }
  return r;
}

void reconcile(entry_actor* self) {
  auto& st = self->state;
  if (!st.limits->can_send(now_of(self)))
    return;
  bool any = std::any_of(st.orders.begin(), st.orders.end(), [](const auto& kv) {
    return kv.second.state == entry_state::live;
  });
  if (any)
    signed_call(self, {call_kind::open_orders, {}, {}}, "GET", st.api_base + "/openOrders",
                query_builder{});
}

// -- the user-data stream ---------------------------------------------------

void open_user_stream(entry_actor* self, const std::string& url_text);

void user_stream_lost(entry_actor* self, const std::string& reason) {
  auto& st = self->state;
  st.user_open = false;
  st.user_subscribed = false;
  st.user.reset();
  st.user_backoff = std::min<nanos>(st.user_backoff == 0 ? ns_per_s : 2 * st.user_backoff,
                                    30 * ns_per_s);
  ++st.reconnects;
  st.log->warn("user_stream_lost venue={} reason=\"{}\" retry_in_ms={}", st.params.venue,
               reason, st.user_backoff / ns_per_ms);
  self->delayed_send(self, std::chrono::nanoseconds(st.user_backoff), caf::connect_atom_v);
}

void connect_user_stream(entry_actor* self) {
  auto& st = self->state;
  if (st.params.m == market::spot) {
    open_user_stream(self, st.params.ws_api_url);
    return;
  }
  // USD-M: a listenKey first (created, or the live one extended).
  call(self, {call_kind::listen_key, {}, {}}, "POST", "/fapi/v1/listenKey", true);
}

void open_user_stream(entry_actor* self, const std::string& url_text) {
  auto& st = self->state;
  std::string error;
  auto where = net::parse_url(url_text, &error);
  if (!where) {
    st.log->error("user_stream_url venue={} error=\"{}\"", st.params.venue, error);
    user_stream_lost(self, "bad url: " + error);
    return;
  }
  net::ws_options wo;
  wo.where = *where;
  wo.tls = st.params.tls;
  wo.ping_interval = std::chrono::milliseconds(st.params.ping_interval / ns_per_ms);
  wo.heartbeat_timeout = std::chrono::milliseconds(st.params.heartbeat_timeout / ns_per_ms);
  auto cb = message_bridge(self, st.params.venue, st.params.clock, caf::open_atom_v);
  st.user = std::make_unique<net::ws_client>(std::move(wo), std::move(cb));
  st.user->start();
}

/// Spot: subscribes the account's user data on the WebSocket API connection
/// (userDataStream.subscribe.signature: the signature covers the parameters
/// sorted by name).
void subscribe_spot_user_data(entry_actor* self) {
  auto& st = self->state;
  auto ts = venue_ms(self);
  auto payload = "apiKey=" + st.params.keys.api_key + "&timestamp=" + std::to_string(ts);
  auto signature = hmac_sha256_hex(st.params.keys.secret, payload);
  st.user->send(R"({"id":"agora-user-data","method":"userDataStream.subscribe.signature",)"
                R"("params":{"apiKey":")"
                + st.params.keys.api_key + R"(","timestamp":)" + std::to_string(ts)
                + R"(,"signature":")" + signature + R"("}})");
}

void on_user_frame(entry_actor* self, const std::string& text) {
  auto& st = self->state;
  auto parsed = parse_user_event(text, st.params.m);
  if (!parsed) {
    // WebSocket API answers ({"id":..,"status":..}) are not events.
    if (st.params.m == market::spot && text.find("\"agora-user-data\"") != std::string::npos) {
      if (text.find("\"status\":200") != std::string::npos) {
        st.user_subscribed = true;
        st.user_backoff = 0;
        st.log->info("user_stream_subscribed venue={}", st.params.venue);
        reconcile(self);
      } else {
        st.log->error("user_stream_refused venue={} answer={}", st.params.venue, text);
        alert(self, alert_level::critical,
              "user-data subscription refused by " + st.params.venue.str() + ": " + text);
        st.user->close();
      }
      return;
    }
    st.log->debug("user_event_ignored venue={} reason=\"{}\"", st.params.venue,
                  caf::to_string(parsed.error()));
    return;
  }
  ++st.user_events;
  if (auto* u = std::get_if<order_update>(&*parsed)) {
    if (auto* e = find_entry(self, *u))
      apply(self, *e, *u, update_source::stream);
  } else if (std::holds_alternative<listen_key_expired>(*parsed)) {
    st.log->warn("listen_key_expired venue={}", st.params.venue);
    st.listen_key.clear();
    if (st.user)
      st.user->close(); // -> connection_lost -> reconnect with a new key
  }
}

// -- REST answers -----------------------------------------------------------

/// The answer's headers, as the HTTP client gave them.
std::vector<net::http_header> headers_of(const rest_reply& r) {
  std::vector<net::http_header> out;
  for (size_t i = 0; i + 1 < r.headers.size(); i += 2)
    out.push_back({r.headers[i], r.headers[i + 1]});
  return out;
}

classification classify_reply(entry_actor* self, const rest_reply& r) {
  auto& st = self->state;
  classification c;
  auto outcome = static_cast<net::send_outcome>(r.outcome);
  if (outcome == net::send_outcome::not_sent) {
    c.what = error_class::retryable;
    c.msg = r.error;
    return c;
  }
  if (outcome == net::send_outcome::unknown) {
    c.what = error_class::unknown_outcome;
    c.msg = r.error;
    return c;
  }
  auto hs = headers_of(r);
  st.limits->on_headers(hs, now_of(self));
  c = classify(r.status, r.body, net::find_header(hs, "Retry-After"), st.params.m);
  if (c.what == error_class::rate_limited) {
    st.limits->on_rate_limited(c.retry_after, now_of(self));
    st.log->warn("rate_limited venue={} retry_after_ms={} code={} msg=\"{}\"",
                 st.params.venue, c.retry_after.count(), c.code, c.msg);
    alert(self, alert_level::warning,
          st.params.venue.str() + " answered 429: backing off "
            + std::to_string(c.retry_after.count()) + " ms");
  } else if (c.what == error_class::banned) {
    st.limits->on_banned(c.retry_after, now_of(self));
    st.log->error("banned venue={} retry_after_ms={} msg=\"{}\"", st.params.venue,
                  c.retry_after.count(), c.msg);
    alert(self, alert_level::critical,
          st.params.venue.str() + " answered 418 (IP banned): all sending stopped for "
            + std::to_string(c.retry_after.count()) + " ms");
  } else if (c.what == error_class::clock_skew) {
    st.log->warn("clock_skew venue={} msg=\"{}\": resyncing", st.params.venue, c.msg);
    request_time(self);
  } else if (c.what == error_class::auth) {
    st.log->error("auth_refused venue={} code={} msg=\"{}\"", st.params.venue, c.code, c.msg);
    alert(self, alert_level::critical,
          st.params.venue.str() + " refused the API key: " + std::to_string(c.code) + " "
            + c.msg);
  }
  return c;
}

std::string describe(const classification& c, const rest_reply& r) {
  if (c.code != 0)
    return std::string{to_string(c.what)} + " " + std::to_string(c.code) + " " + c.msg;
  if (!r.error.empty())
    return std::string{to_string(c.what)} + ": " + r.error;
  return std::string{to_string(c.what)} + ": HTTP " + std::to_string(r.status);
}

void on_submit_reply(entry_actor* self, order_entry& e, const rest_reply& r) {
  auto& st = self->state;
  auto c = classify_reply(self, r);
  switch (c.what) {
    case error_class::ok: {
      auto u = parse_order(r.body, st.params.m);
      if (!u) {
        // It was accepted (2xx) but the answer is unreadable: ask again.
        st.log->warn("order_answer_malformed venue={} cid={} reason=\"{}\"", st.params.venue,
                     e.order.cid, caf::to_string(u.error()));
        e.state = entry_state::unknown;
        schedule_query(self, e, st.params.unknown_query_delay);
        return;
      }
      apply(self, e, *u, update_source::answer);
      return;
    }
    case error_class::post_only_rejected:
      reject(self, e, reject_reason::post_only_would_cross, describe(c, r));
      return;
    case error_class::rejected:
      reject(self, e,
             c.code == -2010 && c.msg.find("Duplicate") != std::string::npos
                 ? reject_reason::duplicate_client_id
                 : reject_reason::venue_rejected,
             describe(c, r));
      return;
    case error_class::rate_limited:
      reject(self, e, reject_reason::rate_limited, describe(c, r));
      return;
    case error_class::banned:
    case error_class::auth:
      reject(self, e, reject_reason::venue_unavailable, describe(c, r));
      return;
    case error_class::clock_skew:
    case error_class::retryable:
      // Nothing was placed: retry (the clock is being resynced meanwhile).
      if (e.attempts < 3) {
        self->delayed_send(self, std::chrono::milliseconds(100 * e.attempts),
                           retry_atom_v, e.order.cid);
        return;
      }
      reject(self, e, reject_reason::venue_unavailable, describe(c, r));
      return;
    case error_class::unknown_outcome:
      ++st.unknown_outcomes;
      e.state = entry_state::unknown;
      e.attempts = 0;
      st.log->warn("order_outcome_unknown venue={} cid={} detail=\"{}\": querying",
                   st.params.venue, e.order.cid, describe(c, r));
      schedule_query(self, e, st.params.unknown_query_delay);
      return;
  }
}

void on_query_reply(entry_actor* self, order_entry& e, const rest_reply& r) {
  auto& st = self->state;
  auto c = classify_reply(self, r);
  if (c.what == error_class::ok) {
    if (auto u = parse_order(r.body, st.params.m)) {
      apply(self, e, *u, update_source::query);
      return;
    }
  }
  if (c.what == error_class::rejected && (c.code == -2013 || c.code == -2011)) {
    // The venue does not know it. Right after an unknown outcome it may
    // still be on its way into the engine, so ask a few times first.
    if (e.state != entry_state::unknown && e.state != entry_state::sending) {
      st.log->warn("order_vanished venue={} cid={}: the venue no longer knows it",
                   st.params.venue, e.order.cid);
      reject(self, e, reject_reason::unknown_order, describe(c, r));
      return;
    }
    if (++e.not_found >= 3) {
      reject(self, e, reject_reason::venue_unavailable,
             "outcome was unknown; the venue reports no such order after 3 queries");
      return;
    }
  }
  ++e.attempts;
  auto delay = std::min<nanos>(st.params.unknown_query_delay << std::min(e.attempts, 5),
                               5 * ns_per_s);
  if (e.attempts == 10)
    alert(self, alert_level::critical,
          "order " + std::to_string(e.order.cid.value) + " on " + st.params.venue.str()
            + ": outcome still unknown after 10 queries (" + describe(c, r) + ")");
  schedule_query(self, e, delay);
}

void on_cancel_reply(entry_actor* self, order_entry& e, const rest_reply& r) {
  auto& st = self->state;
  e.cancel_pending = false;
  auto c = classify_reply(self, r);
  if (c.what == error_class::ok) {
    if (auto u = parse_order(r.body, st.params.m)) {
      apply(self, e, *u, update_source::answer);
      return;
    }
  }
  if (e.state == entry_state::done)
    return;
  // Unknown order (already filled or cancelled), an unknown outcome or an
  // unreadable answer: the order's own state decides.
  st.log->info("cancel_unresolved venue={} cid={} detail=\"{}\": querying", st.params.venue,
               e.order.cid, describe(c, r));
  if (c.what == error_class::rate_limited || c.what == error_class::banned) {
    self->send(e.owner, order_rejected{e.order.cid, e.order.venue, e.order.symbol,
                                       reject_reason::rate_limited, describe(c, r),
                                       e.order.strategy, 0, now_of(self)});
    return;
  }
  schedule_query(self, e, st.params.unknown_query_delay);
}

void on_open_orders(entry_actor* self, const rest_reply& r) {
  auto& st = self->state;
  auto c = classify_reply(self, r);
  if (c.what != error_class::ok)
    return;
  auto open = parse_open_orders(r.body, st.params.m);
  if (!open) {
    st.log->warn("open_orders_malformed venue={} reason=\"{}\"", st.params.venue,
                 caf::to_string(open.error()));
    return;
  }
  std::set<client_order_id> venue_open;
  for (auto& u : *open) {
    auto id = decode_client_id(u.client_id);
    if (!id) {
      st.log->warn("foreign_open_order venue={} symbol={} client_id={} order_id={}",
                   st.params.venue, u.symbol, u.client_id, u.order_id);
      continue;
    }
    venue_open.insert(*id);
    auto i = st.orders.find(*id);
    if (i != st.orders.end())
      apply(self, i->second, u, update_source::query); // catches up fills the stream missed
  }
  // Live here but not open there: finished while we were not looking.
  for (auto& [cid, e] : st.orders)
    if (e.state == entry_state::live && venue_open.count(cid) == 0 && !e.cancel_pending)
      send_query(self, e);
}

/// Reads what the venue holds for reconciliation: open orders and account.
void read_venue_state(entry_actor* self, caf::response_promise reply) {
  auto& st = self->state;
  auto id = st.next_read++;
  state_read r;
  r.reply = std::move(reply);
  r.report.venue = st.params.venue;
  r.report.keeps_account = true;
  st.reads.emplace(id, std::move(r));
  pending_call orders{call_kind::read_open_orders, {}, {}, std::nullopt, id};
  signed_call(self, std::move(orders), "GET", st.api_base + "/openOrders", query_builder{});
  pending_call account{call_kind::read_account, {}, {}, std::nullopt, id};
  signed_call(self, std::move(account), "GET",
              st.params.m == market::spot ? "/api/v3/account" : "/fapi/v2/account",
              query_builder{});
}

void finish_read(entry_actor* self, uint64_t id) {
  auto& st = self->state;
  auto i = st.reads.find(id);
  if (i == st.reads.end() || --i->second.pending > 0)
    return;
  auto r = std::move(i->second);
  st.reads.erase(i);
  if (!r.error.empty()) {
    r.reply.deliver(caf::make_error(caf::sec::runtime_error, r.error));
    return;
  }
  for (auto& sym : st.params.symbols) {
    if (st.params.m == market::usdm) {
      r.report.symbol_keys.push_back(symbol_key{sym, sym.str()});
      continue;
    }
    auto b = st.base_assets.find(sym.str());
    if (b == st.base_assets.end()) {
      r.reply.deliver(caf::make_error(caf::sec::runtime_error,
                                      "base asset of " + sym.str() + " unknown (exchangeInfo)"));
      return;
    }
    r.report.symbol_keys.push_back(symbol_key{sym, b->second});
  }
  r.report.time = now_of(self);
  r.reply.deliver(std::move(r.report));
}

void on_read_reply(entry_actor* self, const pending_call& what, const rest_reply& r) {
  auto& st = self->state;
  auto i = st.reads.find(what.read);
  if (i == st.reads.end())
    return;
  auto& read = i->second;
  auto c = classify_reply(self, r);
  if (c.what != error_class::ok) {
    read.error = describe(c, r);
  } else if (what.kind == call_kind::read_open_orders) {
    auto open = parse_open_orders(r.body, st.params.m);
    if (!open) {
      read.error = "open orders: " + caf::to_string(open.error());
    } else {
      for (auto& u : *open) {
        venue_order v;
        v.symbol = u.symbol;
        v.client_id = u.client_id;
        if (auto id = decode_client_id(u.client_id))
          v.cid = *id;
        v.oid = order_id{u.order_id};
        v.sd = u.sd;
        v.px = u.px;
        v.qty = u.qty;
        v.cum_qty = u.cum_qty;
        read.report.open_orders.push_back(std::move(v));
      }
    }
  } else {
    auto a = parse_account(r.body, st.params.m);
    if (!a) {
      read.error = "account: " + caf::to_string(a.error());
    } else {
      for (auto& b : a->balances)
        read.report.holdings.push_back(
          holding{b.asset, quantity::from_raw((b.free + b.locked).raw())});
      for (auto& p : a->positions)
        read.report.holdings.push_back(holding{p.symbol.str(), p.amount});
    }
  }
  finish_read(self, what.read);
}

void on_reply(entry_actor* self, rest_reply& r) {
  auto& st = self->state;
  auto i = st.calls.find(r.request_id);
  if (i == st.calls.end())
    return;
  auto what = i->second;
  st.calls.erase(i);
  auto entry = [&]() -> order_entry* {
    auto j = st.orders.find(what.cid);
    return j == st.orders.end() ? nullptr : &j->second;
  };
  switch (what.kind) {
    case call_kind::server_time: {
      auto c = classify_reply(self, r);
      auto t = c.what == error_class::ok ? parse_server_time(r.body)
                                         : caf::expected<int64_t>{caf::sec::runtime_error};
      if (!t) {
        st.log->warn("time_sync_failed venue={} detail=\"{}\"", st.params.venue,
                     describe(c, r));
        return;
      }
      static const wall_clock wall;
      auto rtt = r.received - r.sent;
      auto local_received = wall.now();
      st.clock.on_sample(local_received - rtt, local_received, *t);
      st.log->debug("time_synced venue={} offset_ms={} rtt_us={}", st.params.venue,
                    st.clock.offset() / ns_per_ms, rtt / ns_per_us);
      return;
    }
    case call_kind::exchange_info: {
      auto c = classify_reply(self, r);
      auto specs = c.what == error_class::ok
                     ? parse_exchange_info(r.body, st.params.m, st.params.venue,
                                           st.params.maker_fee, st.params.taker_fee)
                     : caf::expected<std::vector<instrument_spec>>{caf::sec::runtime_error};
      if (!specs) {
        st.log->warn("exchange_info_failed venue={} detail=\"{}\": retrying in 2 s",
                     st.params.venue, describe(c, r));
        self->delayed_send(self, std::chrono::seconds(2), spec_atom_v, caf::update_atom_v);
        return;
      }
      st.specs = std::move(*specs);
      st.specs_loaded = true;
      if (auto bases = parse_base_assets(r.body))
        st.base_assets = std::move(*bases);
      st.log->info("instruments_loaded venue={} count={}", st.params.venue, st.specs.size());
      for (auto& rp : st.spec_waiters)
        rp.deliver(st.specs);
      st.spec_waiters.clear();
      return;
    }
    case call_kind::submit:
      if (auto* e = entry())
        on_submit_reply(self, *e, r);
      return;
    case call_kind::query:
      if (auto* e = entry())
        if (e->state != entry_state::done)
          on_query_reply(self, *e, r);
      return;
    case call_kind::cancel:
      if (auto* e = entry())
        on_cancel_reply(self, *e, r);
      return;
    case call_kind::cancel_all:
      classify_reply(self, r);
      // Cancellations arrive on the stream; reconcile in case it is down.
      self->delayed_send(self, std::chrono::seconds(1), reconcile_atom_v);
      return;
    case call_kind::open_orders:
      on_open_orders(self, r);
      return;
    case call_kind::read_open_orders:
    case call_kind::read_account:
      on_read_reply(self, what, r);
      return;
    case call_kind::cancel_orphan: {
      auto c = classify_reply(self, r);
      if (c.what == error_class::ok)
        st.log->warn("orphan_canceled venue={} symbol={}", st.params.venue, what.symbol);
      else
        st.log->warn("orphan_cancel_failed venue={} symbol={} detail=\"{}\"", st.params.venue,
                     what.symbol, describe(c, r));
      return;
    }
    case call_kind::account: {
      auto c = classify_reply(self, r);
      auto a = c.what == error_class::ok
                 ? parse_account(r.body, st.params.m)
                 : caf::expected<account_update>{caf::sec::runtime_error};
      if (!a) {
        st.log->warn("account_failed venue={} detail=\"{}\"", st.params.venue, describe(c, r));
        if (what.reply)
          what.reply->deliver(caf::make_error(caf::sec::runtime_error,
                                              "account of " + st.params.venue.str() + ": "
                                                + describe(c, r)));
        return;
      }
      auto report = to_report(self, *a);
      st.log->info("account_loaded venue={} balances={} positions={}", st.params.venue,
                   a->balances.size(), a->positions.size());
      if (what.reply)
        what.reply->deliver(std::move(report));
      return;
    }
    case call_kind::listen_key: {
      auto c = classify_reply(self, r);
      std::string key;
      if (c.what == error_class::ok) {
        rapidjson::Document doc;
        doc.Parse(r.body.data(), r.body.size());
        if (!doc.HasParseError())
          if (auto k = json::get_string(doc, "listenKey"))
            key = std::string{*k};
      }
      if (key.empty()) {
        user_stream_lost(self, "listenKey not created: " + describe(c, r));
        return;
      }
      st.listen_key = key;
      open_user_stream(self, st.params.ws_url + "/ws/" + key);
      return;
    }
    case call_kind::listen_key_keepalive: {
      auto c = classify_reply(self, r);
      if (c.what != error_class::ok) {
        st.log->warn("listen_key_keepalive_failed venue={} detail=\"{}\": reconnecting",
                     st.params.venue, describe(c, r));
        st.listen_key.clear();
        if (st.user)
          st.user->close();
      }
      return;
    }
  }
}

caf::behavior entry_impl(entry_actor* self, std::string path, order_entry_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("venue." + st.params.venue.str());
  install_hygiene(self, st.path, st.log);
  st.api_base = st.params.m == market::spot ? "/api/v3" : "/fapi/v1";
  st.limits = std::make_unique<rate_limits>(st.params.m == market::spot ? 6000 : 2400);
  std::string error;
  auto base = net::parse_url(st.params.rest_url, &error);
  if (!base) {
    self->quit(caf::make_error(caf::sec::runtime_error, "rest_url: " + error));
    return {};
  }
  net::https_options ho;
  ho.base = *base;
  ho.tls = st.params.tls;
  ho.max_connections = 4;
  st.rest = std::make_unique<net::https_client>(std::move(ho));
  st.log->info("order_entry_starting venue={} market={} rest={} api_key={}", st.params.venue,
               to_string(st.params.m), st.params.rest_url, redact(st.params.keys.api_key));
  request_time(self);
  request_exchange_info(self);
  request_account(self, std::nullopt);
  connect_user_stream(self);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.clock_sync_interval),
                     caf::tick_atom_v);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.reconcile_interval),
                     reconcile_atom_v);
  return {
    [self](rest_reply& r) {
      ++self->state.processed;
      on_reply(self, r);
    },
    [self](spec_atom) -> caf::result<std::vector<instrument_spec>> {
      auto& st = self->state;
      ++st.processed;
      if (st.specs_loaded)
        return st.specs;
      st.spec_waiters.push_back(self->make_response_promise());
      return st.spec_waiters.back();
    },
    [self](positions_atom) -> caf::result<positions_report> {
      ++self->state.processed;
      auto rp = self->make_response_promise();
      request_account(self, rp);
      return rp;
    },
    [self](spec_atom, caf::update_atom) {
      ++self->state.processed;
      request_exchange_info(self);
    },
    [self](submit_order& o) {
      auto& st = self->state;
      ++st.processed;
      auto owner = caf::actor_cast<caf::actor>(self->current_sender());
      if (st.orders.count(o.cid) != 0) {
        self->send(owner, order_rejected{o.cid, o.venue, o.symbol,
                                         reject_reason::duplicate_client_id,
                                         "client order id already used", o.strategy, 0,
                                         now_of(self)});
        return;
      }
      auto& e = st.orders[o.cid];
      e.order = std::move(o);
      e.owner = owner;
      auto now = now_of(self);
      if (st.limits->banned(now)) {
        reject(self, e, reject_reason::venue_unavailable,
               "venue banned this IP (418); sending stopped for "
                 + std::to_string((st.limits->blocked_until() - now) / ns_per_ms) + " ms");
        return;
      }
      if (!st.limits->can_send(now)) {
        reject(self, e, reject_reason::rate_limited,
               "backing off the venue's rate limit for "
                 + std::to_string(std::max<nanos>(0, st.limits->blocked_until() - now)
                                  / ns_per_ms)
                 + " ms");
        return;
      }
      if (st.specs_loaded && spec_of(self, e.order.symbol) == nullptr) {
        reject(self, e, reject_reason::unknown_symbol,
               e.order.symbol.str() + " is not trading on " + st.params.venue.str());
        return;
      }
      send_new_order(self, e);
    },
    [self](retry_atom, client_order_id cid) {
      // Retry of a new order that was certainly not placed.
      ++self->state.processed;
      auto i = self->state.orders.find(cid);
      if (i != self->state.orders.end() && i->second.state == entry_state::sending)
        send_new_order(self, i->second);
    },
    [self](query_atom, client_order_id cid) {
      ++self->state.processed;
      auto i = self->state.orders.find(cid);
      if (i != self->state.orders.end() && i->second.state != entry_state::done)
        send_query(self, i->second);
    },
    [self](venue_atom) -> caf::result<venue_state_report> {
      auto& st = self->state;
      ++st.processed;
      auto rp = self->make_response_promise();
      if (!st.specs_loaded) {
        rp.deliver(caf::make_error(caf::sec::runtime_error,
                                   "instruments of " + st.params.venue.str() + " not loaded yet"));
        return rp;
      }
      read_venue_state(self, rp);
      return rp;
    },
    [self](adopt_order& a) {
      auto& st = self->state;
      ++st.processed;
      auto cid = a.order.cid;
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      // Known here when only the gateway restarted: taken over afresh from
      // what the journal counted (the old owner may have died before it
      // journaled the last events).
      st.orders.erase(cid);
      order_entry e;
      e.order = std::move(a.order);
      e.owner = sender;
      e.state = entry_state::unknown;
      e.oid = a.oid;
      e.accepted_sent = a.oid.valid();
      e.cum = a.cum_qty;
      auto& placed = st.orders.emplace(cid, std::move(e)).first->second;
      st.log->info("order_adopted venue={} cid={} oid={} cum={}: querying", st.params.venue,
                   cid, a.oid, a.cum_qty);
      send_query(self, placed);
    },
    [self](cancel_orphan& c) {
      auto& st = self->state;
      ++st.processed;
      query_builder q;
      q.add("symbol", c.symbol.str());
      q.add("orderId", std::to_string(c.oid.value));
      signed_call(self, {call_kind::cancel_orphan, {}, c.symbol}, "DELETE",
                  st.api_base + "/order", std::move(q));
    },
    [self](cancel_order& c) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.orders.find(c.cid);
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      if (i == st.orders.end() || i->second.state == entry_state::done) {
        self->send(sender, order_rejected{c.cid, c.venue, c.symbol, reject_reason::unknown_order,
                                          "no open order with this client id", c.strategy, 0,
                                          now_of(self)});
        return;
      }
      if (st.limits->banned(now_of(self))) {
        self->send(sender, order_rejected{c.cid, c.venue, c.symbol,
                                          reject_reason::venue_unavailable,
                                          "venue banned this IP (418); cancel not sent",
                                          c.strategy, 0, now_of(self)});
        return;
      }
      if (!i->second.cancel_pending)
        send_cancel(self, i->second);
    },
    [self](cancel_all_atom) {
      auto& st = self->state;
      ++st.processed;
      std::set<symbol_id> symbols;
      uint64_t n = 0;
      for (auto& [cid, e] : st.orders)
        if (e.state == entry_state::live || e.state == entry_state::unknown) {
          symbols.insert(e.order.symbol);
          ++n;
        }
      for (auto& s : symbols) {
        query_builder q;
        q.add("symbol", s.str());
        signed_call(self, {call_kind::cancel_all, {}, s}, "DELETE",
                    st.params.m == market::spot ? "/api/v3/openOrders"
                                                : "/fapi/v1/allOpenOrders",
                    std::move(q));
      }
      return n;
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      ++st.processed;
      request_time(self);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.clock_sync_interval),
                         caf::tick_atom_v);
    },
    [self](reconcile_atom) {
      auto& st = self->state;
      ++st.processed;
      reconcile(self);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.reconcile_interval),
                         reconcile_atom_v);
    },
    // The user-data stream.
    [self](caf::connect_atom) {
      ++self->state.processed;
      connect_user_stream(self);
    },
    [self](caf::open_atom) {
      auto& st = self->state;
      ++st.processed;
      st.user_open = true;
      st.log->info("user_stream_open venue={}", st.params.venue);
      if (st.params.m == market::spot) {
        subscribe_spot_user_data(self);
      } else {
        st.user_subscribed = true;
        st.user_backoff = 0;
        reconcile(self);
        self->delayed_send(self, std::chrono::nanoseconds(st.params.listen_key_keepalive),
                           keepalive_atom_v, st.listen_key);
      }
    },
    [self](keepalive_atom, const std::string& key) {
      auto& st = self->state;
      ++st.processed;
      if (key.empty() || key != st.listen_key || !st.user_open)
        return;
      call(self, {call_kind::listen_key_keepalive, {}, {}}, "PUT", "/fapi/v1/listenKey", true);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.listen_key_keepalive),
                         keepalive_atom_v, key);
    },
    [self](wire_frame& f) {
      ++self->state.processed;
      on_user_frame(self, f.text);
    },
    [self](connection_lost& c) {
      ++self->state.processed;
      user_stream_lost(self, c.reason);
    },
    [self](stats_atom) {
      auto& st = self->state;
      size_t open = 0;
      for (auto& [cid, e] : st.orders)
        open += e.state != entry_state::done ? 1 : 0;
      return actor_stats{
        st.user_subscribed ? "connected" : "user-stream-down", own_mailbox_size(self),
        st.processed,
        "open=" + std::to_string(open) + " sent=" + std::to_string(st.sent)
          + " unknown_outcomes=" + std::to_string(st.unknown_outcomes)
          + " user_events=" + std::to_string(st.user_events) + " foreign="
          + std::to_string(st.foreign_events) + " reconnects=" + std::to_string(st.reconnects)
          + " weight=" + std::to_string(st.limits->used_weight())};
    },
  };
}

} // namespace

caf::actor spawn_order_entry(caf::actor_system& sys, const std::string& path,
                             order_entry_params params) {
  return sys.spawn(entry_impl, path, std::move(params));
}

} // namespace agora::binance
