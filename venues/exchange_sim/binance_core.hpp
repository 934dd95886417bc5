#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/exchange_sim/core_types.hpp"
#include "venues/exchange_sim/info_payloads.hpp"
#include "venues/exchange_sim/market_payloads.hpp"
#include "venues/exchange_sim/order_payloads.hpp"
#include "venues/exchange_sim/order_store.hpp"
#include "venues/exchange_sim/request_limits.hpp"
#include "venues/exchange_sim/request_params.hpp"
#include "venues/exchange_sim/spot_wallet.hpp"
#include "venues/exchange_sim/trade_history.hpp"
#include "venues/exchange_sim/usdm_wallet.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::xsim {

/// The network-free core of `agora exchange-sim`: one Binance market kind
/// (spot or USD-M futures) served over Binance's REST and WebSocket
/// protocol. It turns REST calls and WebSocket API requests into Binance's
/// answers, advances every listed market one step at a time (one seeded
/// `sim::sim_market` per symbol) and produces the stream payloads and user
/// data events to send.
///
/// Protocol, as Binance documents it: SIGNED endpoints need the
/// X-MBX-APIKEY header, `timestamp` and `signature` = HMAC-SHA256(secret,
/// query string + body) without the signature pair; `recvWindow` defaults
/// to 5000 ms. Every answer carries X-MBX-USED-WEIGHT-1M (weight per wall
/// minute, one counter for the single client "IP"), order placement
/// X-MBX-ORDER-COUNT-10S and -1D (spot) / -10S and -1M (USD-M) per account.
///
/// Accounts: spot balances are free/locked per asset; a resting BUY locks
/// its quote amount plus a fee reserve (max of maker and taker fee), a SELL
/// locks its base quantity; commissions are charged in the quote asset for
/// simplicity (Binance charges the received asset). USD-M accounts are cross
/// margin in one-way mode: a wallet in the quote asset, net positions with
/// an average entry price, realized PnL and commissions booked to the
/// wallet; an order needs (increasing notional / leverage) of available
/// balance (wallet + unrealized PnL - position and open-order margin at the
/// configured leverage); the mark and index price are the sim's mid.
///
/// All orders of all accounts share one book per symbol; self-trade
/// prevention (EXPIRE_MAKER) applies across accounts.
///
/// Order outcomes as Binance documents them: filter failures are spot -1013
/// "Filter failure: PRICE_FILTER|LOT_SIZE|NOTIONAL", USD-M -4014 / -1111 /
/// -4003 / -4004 / -4023 / -4164; a duplicate open client id is spot -2010
/// "Duplicate order sent." / USD-M -4116; no funds spot -2010 "Account has
/// insufficient balance for requested action." / USD-M -2019; a post-only
/// order that would take is spot LIMIT_MAKER -2010 "Order would immediately
/// match and take." and USD-M GTX -5022 (today's USD-M answer, not an
/// EXPIRED order); an unfillable FOK expires on spot and is -5021 on USD-M;
/// unknown orders are -2011 (cancel) / -2013 (query).
///
/// Pure and deterministic: no I/O, no clock (time comes in as `now`, the
/// sim's venue time in nanoseconds, and `wall_ms`, the wall clock in
/// milliseconds that Binance payloads and timestamp checks use), no
/// exceptions for bad input. Not thread-safe: the owner serialises calls.
class binance_core {
public:
  /// Lists the symbols (each market built around its start price as update
  /// id 1) and opens the accounts.
  binance_core(core_config c, nanos now);

  /// Answers one REST call (every path below; others get 404):
  /// spot: GET /api/v3/ping, /api/v3/time, /api/v3/exchangeInfo,
  /// /api/v3/depth; POST/GET/DELETE /api/v3/order; GET/DELETE
  /// /api/v3/openOrders; GET /api/v3/allOrders, /api/v3/myTrades,
  /// /api/v3/account.
  /// USD-M: GET /fapi/v1/ping, /fapi/v1/time, /fapi/v1/exchangeInfo,
  /// /fapi/v1/depth, /fapi/v1/premiumIndex; POST/GET/DELETE /fapi/v1/order;
  /// GET /fapi/v1/openOrders; DELETE /fapi/v1/allOpenOrders; GET
  /// /fapi/v1/allOrders, /fapi/v1/userTrades, /fapi/v2/account,
  /// /fapi/v2/positionRisk; POST/PUT/DELETE /fapi/v1/listenKey. User events
  /// it causes are kept for `drain`.
  ///
  /// History (allOrders, myTrades / userTrades; symbol mandatory, limit
  /// default 500, at most 1000): every order of an account in any status
  /// (the newest 100,000 closed ones per account, and every open one) and
  /// every execution (the newest 200,000 per account); a trade's `id` is the
  /// "t" of the executionReport / ORDER_TRADE_UPDATE of that execution.
  /// orderId (allOrders) / fromId (trades) answer ids >= it, startTime and
  /// endTime bound the time (inclusive); without orderId / fromId /
  /// startTime the most recent are answered; lists are oldest first.
  /// Weights: spot allOrders 20, myTrades 20 (5 with orderId); USD-M 5.
  /// Spot myTrades: at most 24 h between startTime and endTime (-1127),
  /// fromId or orderId not with startTime / endTime (-1128). USD-M: at most
  /// 7 days between startTime and endTime (-1127), default the last 7 days
  /// (one bound given: 7 days from it); userTrades fromId not with
  /// startTime / endTime (-1128).
  rest_reply handle_rest(const rest_call& r, nanos now, int64_t wall_ms);

  /// Answers one spot WebSocket API request (JSON text) on connection
  /// `conn`: "ping", "time", "userDataStream.subscribe.signature" (params
  /// apiKey, timestamp, signature over the params sorted by name, optional
  /// recvWindow), "userDataStream.unsubscribe" (optional subscriptionId),
  /// "session.subscriptions". The answer comes back on channel
  /// "ws-api:<conn>".
  std::vector<outbound> handle_ws_api(uint64_t conn, std::string_view request,
                                      nanos now, int64_t wall_ms);

  /// Forgets the subscriptions of a closed WebSocket API connection.
  void ws_api_closed(uint64_t conn);

  /// Advances every market one step at `now`: depth diffs, a bookTicker
  /// when the best bid or ask changed, aggTrades, markPrice (USD-M, once
  /// per wall second on "@markPrice@1s", every third second on
  /// "@markPrice"), executions of resting orders as user events, and
  /// listen key expiry ("listenKeyExpired" on the key's channel).
  std::vector<outbound> step(nanos now, int64_t wall_ms);

  /// The user events produced by `handle_rest` since the last call (fills
  /// of marketable orders, cancels, new orders), in order.
  std::vector<outbound> drain();

  /// True for a market stream this core publishes: "<symbol>@depth",
  /// "<symbol>@depth@100ms", "<symbol>@bookTicker", "<symbol>@aggTrade",
  /// USD-M also "<symbol>@markPrice" and "<symbol>@markPrice@1s"; symbol in
  /// lower case as Binance writes it.
  bool is_market_stream(std::string_view stream) const;

  /// Every market stream name of every listed symbol.
  std::vector<std::string> market_streams() const;

  /// True if `key` is a USD-M listen key that is open at `now`.
  bool listen_key_valid(std::string_view key, nanos now) const;

  /// The listen keys that expired or were closed (DELETE) since the last
  /// call: the server closes the connections subscribed to them.
  std::vector<std::string> expired_listen_keys();

  /// Injects a fault; returns what was done (or why not). `arg`: a count
  /// for rate_limit_429 (next N requests, Retry-After 2 s), unknown_503 (next N orders: they
  /// execute, the answer is 503 and the client must query) and malformed
  /// (next N market payloads, each preceded by a truncated copy); seconds
  /// for ban_418 and stall; a symbol for seq_gap. An empty count means 1.
  std::string inject(fault f, const std::string& arg, nanos now);

  // -- accessors (tests, status pages) ---------------------------------------

  binance::market kind() const noexcept { return market_; }

  /// Open orders of the account with this API key, oldest first.
  std::vector<order_state> open_orders(std::string_view api_key) const;

  /// Any stored order (open or recently closed) by order id.
  std::optional<order_state> order(uint64_t order_id) const;

  /// The account's executions on `symbol`, oldest first (at most the newest
  /// `limit`); empty for an unknown key.
  std::vector<trade_record> trades(std::string_view api_key,
                                   const std::string& symbol,
                                   size_t limit = 1000) const;

  /// Spot: every asset of the account. USD-M: one entry, the margin asset
  /// with the wallet balance as `free`. Empty for an unknown key.
  std::vector<asset_balance> balances(std::string_view api_key) const;

  /// USD-M: the account's position on `symbol` (flat if never traded);
  /// nullopt for an unknown key or symbol.
  std::optional<position_state> position(std::string_view api_key,
                                         std::string_view symbol) const;

  /// The account's current listen key (USD-M), if one was created and is
  /// not closed or swept as expired.
  std::optional<std::string> listen_key(std::string_view api_key) const;

  /// The market of a listed symbol (its published book, mid, ...).
  const sim::sim_market* market(std::string_view symbol) const;

  /// Request weight used in the minute of `wall_ms`.
  uint32_t used_weight(int64_t wall_ms) const noexcept;

  /// Number of user data subscriptions on a WebSocket API connection.
  size_t ws_api_subscriptions(uint64_t conn) const;

private:
  struct symbol_state {
    listed_symbol listing;
    sim::sim_market market;
    std::string stream;       ///< Lower-case symbol, the stream name prefix.
    decimal_format fmt;
    book_level last_bid;      ///< Last bookTicker sent.
    book_level last_ask;
    int64_t last_mark_second = -1;
  };

  struct account_state {
    account_config cfg;
    spot_wallet spot;
    usdm_wallet usdm;
    std::string listen_key;
    nanos listen_expiry = 0;
  };

  struct subscription {
    uint64_t id = 0;
    size_t account = 0;
  };

  /// What a REST path needs before its handler runs.
  enum class security : uint8_t { none = 1, api_key, signed_request };

  enum class endpoint : uint8_t {
    ping = 1,
    time,
    exchange_info,
    depth,
    new_order,
    query_order,
    cancel_order,
    open_orders,
    cancel_open_orders,
    account,
    position_risk,
    premium_index,
    listen_key_new,
    listen_key_keep,
    listen_key_close,
    all_orders,
    my_trades,
  };

  struct route {
    endpoint ep;
    security sec;
    uint32_t weight;
  };

  /// Everything a handler needs about the call.
  struct call_context {
    const request_params& params;
    size_t account;
    nanos now;
    int64_t wall_ms;
    rest_reply& reply;
  };

  // -- REST plumbing ----------------------------------------------------------
  std::optional<route> find_route(std::string_view method,
                                  std::string_view path) const;
  uint32_t weight_of(const route& r, const request_params& p) const;
  void fail(rest_reply& out, unsigned status, int code, std::string_view msg) const;
  bool check_signed(const request_params& p, const account_state& a,
                    int64_t wall_ms, rest_reply& out) const;
  size_t find_account(std::string_view api_key) const;
  symbol_state* require_symbol(call_context& c);

  // -- REST endpoints ---------------------------------------------------------
  void on_depth(call_context& c);
  void on_new_order(call_context& c);
  void on_query_order(call_context& c);
  void on_cancel_order(call_context& c);
  void on_open_orders(call_context& c);
  void on_cancel_open_orders(call_context& c);
  void on_account(call_context& c);
  void on_position_risk(call_context& c);
  void on_premium_index(call_context& c);
  void on_listen_key(call_context& c, endpoint ep);
  void on_all_orders(call_context& c);
  void on_my_trades(call_context& c);

  /// Reads the filters of a history call into `q` (`trades`: myTrades /
  /// userTrades, else allOrders); answers the error itself when they are
  /// invalid (returns false).
  bool history_params(call_context& c, bool trades, history_query& q);

  /// Finds the order a GET/DELETE names by orderId or origClientOrderId;
  /// answers the error itself when it cannot (returns null).
  order_record* order_of_call(call_context& c, const symbol_state& sym,
                              int not_found_code, const char* not_found_msg);

  /// Cancels one open order; the user events go to `pending_`.
  void cancel_one(symbol_state& sym, order_record& o,
                  const std::string& cancel_client_id, nanos now,
                  int64_t wall_ms);

  // -- orders and accounts ----------------------------------------------------
  /// Applies sim execution reports: order states, balances or positions,
  /// and user events (into `out`). Fills of `fills_for` are also copied to
  /// `fills` (for a FULL answer).
  void apply(symbol_state& sym, const std::vector<sim::exec_report>& reports,
             nanos now, int64_t wall_ms, std::vector<outbound>& out,
             uint64_t fills_for = 0, std::vector<fill_info>* fills = nullptr,
             const std::string& cancel_client_id = {});
  void settle_spot_fill(symbol_state& sym, order_record& o, const fill_info& f);
  void release_spot_lock(symbol_state& sym, order_record& o);
  void emit_user(size_t account, const std::string& event, nanos now,
                 std::vector<outbound>& out) const;
  void emit_account_state(size_t account, const symbol_state& sym,
                          nanos now, int64_t wall_ms,
                          std::vector<outbound>& out) const;
  usdm_account_view account_view(size_t account,
                                 const std::string& only_symbol) const;
  position_state position_of(size_t account, const symbol_state& sym) const;
  std::string new_client_id();
  std::string make_listen_key(const account_state& a);

  // -- market data ------------------------------------------------------------
  void push_market(std::vector<outbound>& out, const std::string& channel,
                   const std::string& payload, nanos now);

  binance::market market_;
  venue_id venue_;
  nanos listen_key_ttl_;
  int64_t max_recv_window_ms_;
  int leverage_;
  std::string margin_asset_;
  std::vector<listed_symbol> listings_; ///< As configured, for exchangeInfo.
  std::map<std::string, symbol_state> symbols_;
  std::vector<account_state> accounts_;
  order_store orders_;
  trade_history trades_;
  request_limits limits_;
  uint64_t next_order_id_ = 1;
  uint64_t next_client_seq_ = 1;
  uint64_t listen_key_seq_ = 0;
  std::vector<outbound> pending_;
  std::vector<std::string> closed_keys_;
  std::map<uint64_t, std::vector<subscription>> ws_subs_;
  std::map<uint64_t, uint64_t> ws_next_sub_;

  // -- faults -----------------------------------------------------------------
  uint64_t fault_429_left_ = 0;
  nanos ban_until_ = 0;
  uint64_t fault_503_left_ = 0;
  uint64_t malformed_left_ = 0;
  nanos stall_until_ = 0;
};

} // namespace agora::xsim
