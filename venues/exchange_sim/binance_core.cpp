#include "venues/exchange_sim/binance_core.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "venues/binance/signing.hpp"
#include "venues/common/json.hpp"
#include "venues/exchange_sim/info_payloads.hpp"
#include "venues/exchange_sim/json_out.hpp"

namespace agora::xsim {

namespace {

constexpr size_t no_account = static_cast<size_t>(-1);
constexpr int64_t default_recv_window_ms = 5000;
constexpr const char* decimal_range = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
constexpr const char* integer_range = "^[0-9]{1,20}$";

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view x, std::string_view y) {
  return x.size() == y.size() && lower(x) == lower(y);
}

std::string mandatory(std::string_view name) {
  return "Mandatory parameter '" + std::string{name}
         + "' was not sent, was empty/null, or malformed.";
}

std::string illegal(std::string_view name, std::string_view range) {
  return "Illegal characters found in parameter '" + std::string{name}
         + "'; legal range is '" + std::string{range} + "'.";
}

/// Binance's client order id rules: spot ^[a-zA-Z0-9-_]{1,36}$, USD-M
/// ^[\.A-Z\:/a-z0-9_-]{1,36}$.
bool valid_client_id(std::string_view id, bool spot) {
  if (id.empty() || id.size() > 36)
    return false;
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
              || (!spot && (c == '.' || c == ':' || c == '/'));
    if (!ok)
      return false;
  }
  return true;
}

/// Digits after the decimal point `raw` needs (0..8).
int decimals_needed(int64_t raw) {
  return raw == 0 ? 0 : decimals_of(raw < 0 ? -raw : raw);
}

std::string join_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += ',';
    out += items[i];
  }
  out += ']';
  return out;
}

std::string too_much_weight(uint32_t limit) {
  return "Too much request weight used; current limit is "
         + std::to_string(limit)
         + " request weight per 1 MINUTE. Please use WebSocket Streams for "
           "live updates to avoid polling the API.";
}

/// Writes one JSON value (the WebSocket API request id) back as text.
std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string{buf.GetString(), buf.GetSize()};
}

/// A WebSocket API parameter as the signature payload spells it.
std::optional<std::string> param_text(const rapidjson::Value& v) {
  if (v.IsString())
    return std::string{v.GetString(), v.GetStringLength()};
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  if (v.IsUint64())
    return std::to_string(v.GetUint64());
  if (v.IsBool())
    return std::string{v.GetBool() ? "true" : "false"};
  return std::nullopt;
}

std::string ws_result(const std::string& id, std::string_view result_json) {
  json_out j;
  j.begin_object().key("id").raw(id).kv_i64("status", 200).key("result")
    .raw(result_json).end_object();
  return j.take();
}

std::string ws_error(const std::string& id, unsigned status, int code,
                     std::string_view msg) {
  json_out j;
  j.begin_object()
    .key("id")
    .raw(id)
    .kv_i64("status", status)
    .key("error")
    .begin_object()
    .kv_i64("code", code)
    .kv("msg", msg)
    .end_object()
    .end_object();
  return j.take();
}

} // namespace

// -- construction -------------------------------------------------------------

binance_core::binance_core(core_config c, nanos now)
  : market_(c.m),
    venue_(c.venue),
    listen_key_ttl_(c.listen_key_ttl),
    max_recv_window_ms_(c.max_recv_window_ms),
    leverage_(c.leverage > 0 ? c.leverage : 1),
    limits_(c.accounts.size(), c.weight_limit_1m, c.order_limit_10s) {
  (void) now; // The markets start at update id 1; time starts with step().
  for (auto& l : c.symbols) {
    l.spec.venue = venue_;
    l.spec.perpetual = market_ == binance::market::usdm;
    sim::sim_market m{venue_, l.spec, l.params};
    l.spec = m.spec(); // The market normalises a non-positive tick or lot.
    auto name = l.spec.symbol.str();
    auto fmt = format_of(market_, l.spec);
    symbol_state st{l, std::move(m), lower(name), fmt, {}, {}, -1};
    symbols_.insert_or_assign(name, std::move(st));
    listings_.push_back(l);
  }
  margin_asset_ = listings_.empty() ? "USDT" : listings_.front().quote_asset;
  for (auto& a : c.accounts) {
    notional wallet;
    for (const auto& [asset, amount] : a.balances)
      if (asset == margin_asset_)
        wallet += amount;
    spot_wallet spot{a.balances};
    accounts_.push_back(account_state{std::move(a), std::move(spot),
                                      usdm_wallet{wallet}, {}, 0});
  }
}

// -- REST plumbing ------------------------------------------------------------

std::optional<binance_core::route>
binance_core::find_route(std::string_view method, std::string_view path) const {
  struct row {
    const char* method;
    const char* path;
    endpoint ep;
    security sec;
    uint32_t weight; ///< 0: depends on the parameters (weight_of).
  };
  static constexpr row spot_rows[] = {
    {"GET", "/api/v3/ping", endpoint::ping, security::none, 1},
    {"GET", "/api/v3/time", endpoint::time, security::none, 1},
    {"GET", "/api/v3/exchangeInfo", endpoint::exchange_info, security::none, 20},
    {"GET", "/api/v3/depth", endpoint::depth, security::none, 0},
    {"POST", "/api/v3/order", endpoint::new_order, security::signed_request, 1},
    {"GET", "/api/v3/order", endpoint::query_order, security::signed_request, 4},
    {"DELETE", "/api/v3/order", endpoint::cancel_order, security::signed_request, 1},
    {"GET", "/api/v3/openOrders", endpoint::open_orders, security::signed_request, 0},
    {"DELETE", "/api/v3/openOrders", endpoint::cancel_open_orders,
     security::signed_request, 1},
    {"GET", "/api/v3/account", endpoint::account, security::signed_request, 20},
    {"GET", "/api/v3/allOrders", endpoint::all_orders, security::signed_request, 20},
    {"GET", "/api/v3/myTrades", endpoint::my_trades, security::signed_request, 0},
  };
  static constexpr row usdm_rows[] = {
    {"GET", "/fapi/v1/ping", endpoint::ping, security::none, 1},
    {"GET", "/fapi/v1/time", endpoint::time, security::none, 1},
    {"GET", "/fapi/v1/exchangeInfo", endpoint::exchange_info, security::none, 1},
    {"GET", "/fapi/v1/depth", endpoint::depth, security::none, 0},
    {"GET", "/fapi/v1/premiumIndex", endpoint::premium_index, security::none, 0},
    {"POST", "/fapi/v1/order", endpoint::new_order, security::signed_request, 0},
    {"GET", "/fapi/v1/order", endpoint::query_order, security::signed_request, 1},
    {"DELETE", "/fapi/v1/order", endpoint::cancel_order, security::signed_request, 1},
    {"GET", "/fapi/v1/openOrders", endpoint::open_orders, security::signed_request, 0},
    {"DELETE", "/fapi/v1/allOpenOrders", endpoint::cancel_open_orders,
     security::signed_request, 1},
    {"GET", "/fapi/v2/account", endpoint::account, security::signed_request, 5},
    {"GET", "/fapi/v2/positionRisk", endpoint::position_risk,
     security::signed_request, 5},
    {"POST", "/fapi/v1/listenKey", endpoint::listen_key_new, security::api_key, 1},
    {"PUT", "/fapi/v1/listenKey", endpoint::listen_key_keep, security::api_key, 1},
    {"DELETE", "/fapi/v1/listenKey", endpoint::listen_key_close, security::api_key, 1},
    {"GET", "/fapi/v1/allOrders", endpoint::all_orders, security::signed_request, 5},
    {"GET", "/fapi/v1/userTrades", endpoint::my_trades, security::signed_request, 5},
  };
  auto search = [&](const auto& rows) -> std::optional<route> {
    for (const auto& r : rows)
      if (method == r.method && path == r.path)
        return route{r.ep, r.sec, r.weight};
    return std::nullopt;
  };
  return market_ == binance::market::spot ? search(spot_rows) : search(usdm_rows);
}

uint32_t binance_core::weight_of(const route& r, const request_params& p) const {
  bool spot = market_ == binance::market::spot;
  switch (r.ep) {
    case endpoint::depth: {
      int64_t limit = spot ? 100 : 500;
      if (auto v = p.get("limit"); v && !v->empty())
        if (auto n = parse_int(*v))
          limit = *n;
      if (spot)
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
      return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
    }
    case endpoint::open_orders:
      if (spot)
        return p.has("symbol") ? 6 : 80;
      return p.has("symbol") ? 1 : 40;
    case endpoint::premium_index:
      return p.has("symbol") ? 1 : 10;
    case endpoint::my_trades:
      if (spot)
        return p.has("orderId") ? 5 : 20;
      return r.weight;
    default:
      return r.weight;
  }
}

void binance_core::fail(rest_reply& out, unsigned status, int code,
                        std::string_view msg) const {
  out.status = status;
  out.body = encode_error(code, msg);
}

size_t binance_core::find_account(std::string_view api_key) const {
  for (size_t i = 0; i < accounts_.size(); ++i)
    if (accounts_[i].cfg.api_key == api_key)
      return i;
  return no_account;
}

bool binance_core::check_signed(const request_params& p, const account_state& a,
                                int64_t wall_ms, rest_reply& out) const {
  if (!p.has("timestamp")) {
    fail(out, 400, -1102, mandatory("timestamp"));
    return false;
  }
  auto ts = parse_int(*p.get("timestamp"));
  if (!ts) {
    fail(out, 400, -1100, illegal("timestamp", integer_range));
    return false;
  }
  int64_t recv_window = default_recv_window_ms;
  if (p.has("recvWindow")) {
    auto rw = parse_int(*p.get("recvWindow"));
    if (!rw) {
      fail(out, 400, -1100, illegal("recvWindow", integer_range));
      return false;
    }
    if (*rw > max_recv_window_ms_) {
      if (market_ == binance::market::spot)
        fail(out, 400, -1131,
             "recvWindow must be less than "
               + std::to_string(max_recv_window_ms_) + ".");
      else
        fail(out, 400, -1130,
             "Data sent for parameter 'recvWindow' is not valid.");
      return false;
    }
    recv_window = *rw;
  }
  if (!p.has("signature")) {
    fail(out, 400, -1102, mandatory("signature"));
    return false;
  }
  auto expected = binance::hmac_sha256_hex(a.cfg.secret, p.signature_payload());
  if (!iequals(expected, *p.get("signature"))) {
    fail(out, 400, -1022, "Signature for this request is not valid.");
    return false;
  }
  if (*ts >= wall_ms + 1000) {
    fail(out, 400, -1021,
         "Timestamp for this request was 1000ms ahead of the server's time.");
    return false;
  }
  if (wall_ms - *ts > recv_window) {
    fail(out, 400, -1021,
         "Timestamp for this request is outside of the recvWindow.");
    return false;
  }
  return true;
}

binance_core::symbol_state* binance_core::require_symbol(call_context& c) {
  if (!c.params.has("symbol")) {
    fail(c.reply, 400, -1102, mandatory("symbol"));
    return nullptr;
  }
  auto i = symbols_.find(std::string{*c.params.get("symbol")});
  if (i == symbols_.end()) {
    fail(c.reply, 400, -1121, "Invalid symbol.");
    return nullptr;
  }
  return &i->second;
}

rest_reply binance_core::handle_rest(const rest_call& r, nanos now,
                                     int64_t wall_ms) {
  rest_reply out;
  if (now < ban_until_) {
    out.headers.emplace_back("X-MBX-USED-WEIGHT-1M",
                             std::to_string(limits_.used_weight(wall_ms)));
    auto left_ms = (ban_until_ - now + ns_per_ms - 1) / ns_per_ms;
    out.headers.emplace_back("Retry-After", std::to_string((left_ms + 999) / 1000));
    fail(out, 418, -1003,
         "Way too much request weight used; IP banned until "
           + std::to_string(wall_ms + left_ms)
           + ". Please use WebSocket Streams for live updates to avoid bans.");
    return out;
  }
  auto rt = find_route(r.method, r.path);
  if (!rt) {
    out.headers.emplace_back("X-MBX-USED-WEIGHT-1M",
                             std::to_string(limits_.used_weight(wall_ms)));
    if (market_ == binance::market::spot)
      fail(out, 404, -1000, "Unknown path " + r.method + " " + r.path + ".");
    else
      fail(out, 404, -5000,
           "Path " + r.path + ", Method " + r.method + " is invalid");
    return out;
  }
  request_params params{r.query, r.body};
  auto weight_header = [&](uint32_t used) {
    out.headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(used));
  };
  if (fault_429_left_ > 0) {
    --fault_429_left_;
    weight_header(limits_.used_weight(wall_ms));
    // An injected 429 asks for a short back-off, so drills end quickly.
    out.headers.emplace_back("Retry-After", "2");
    fail(out, 429, -1003, too_much_weight(limits_.weight_limit()));
    return out;
  }
  auto used = limits_.add_weight(weight_of(*rt, params), wall_ms);
  weight_header(used);
  if (used > limits_.weight_limit()) {
    out.headers.emplace_back(
      "Retry-After",
      std::to_string(request_limits::seconds_to_next(wall_ms, 60'000)));
    fail(out, 429, -1003, too_much_weight(limits_.weight_limit()));
    return out;
  }
  if (params.error() == request_params::problem::duplicate) {
    fail(out, 400, -1101, "Duplicate values for a parameter detected.");
    return out;
  }
  if (params.error() == request_params::problem::bad_encoding) {
    fail(out, 400, -1100,
         "Illegal characters found in parameter '" + params.error_name() + "'.");
    return out;
  }
  size_t account = no_account;
  if (rt->sec != security::none) {
    if (r.api_key.empty()) {
      fail(out, 401, -2014, "API-key format invalid.");
      return out;
    }
    account = find_account(r.api_key);
    if (account == no_account) {
      fail(out, 401, -2015, "Invalid API-key, IP, or permissions for action.");
      return out;
    }
    if (rt->sec == security::signed_request
        && !check_signed(params, accounts_[account], wall_ms, out))
      return out;
  }
  call_context c{params, account, now, wall_ms, out};
  switch (rt->ep) {
    case endpoint::ping:
      out.body = "{}";
      break;
    case endpoint::time: {
      json_out j;
      j.begin_object().kv_i64("serverTime", wall_ms).end_object();
      out.body = j.take();
      break;
    }
    case endpoint::exchange_info: {
      if (params.has("symbol")) {
        auto* sym = require_symbol(c);
        if (sym == nullptr)
          break;
        out.body = encode_exchange_info(market_, {sym->listing},
                                        limits_.weight_limit(),
                                        limits_.order_limit(), wall_ms);
        break;
      }
      out.body = encode_exchange_info(market_, listings_, limits_.weight_limit(),
                                      limits_.order_limit(), wall_ms);
      break;
    }
    case endpoint::depth:
      on_depth(c);
      break;
    case endpoint::new_order:
      on_new_order(c);
      break;
    case endpoint::query_order:
      on_query_order(c);
      break;
    case endpoint::cancel_order:
      on_cancel_order(c);
      break;
    case endpoint::open_orders:
      on_open_orders(c);
      break;
    case endpoint::cancel_open_orders:
      on_cancel_open_orders(c);
      break;
    case endpoint::account:
      on_account(c);
      break;
    case endpoint::position_risk:
      on_position_risk(c);
      break;
    case endpoint::premium_index:
      on_premium_index(c);
      break;
    case endpoint::listen_key_new:
    case endpoint::listen_key_keep:
    case endpoint::listen_key_close:
      on_listen_key(c, rt->ep);
      break;
    case endpoint::all_orders:
      on_all_orders(c);
      break;
    case endpoint::my_trades:
      on_my_trades(c);
      break;
  }
  return out;
}

// -- REST endpoints -----------------------------------------------------------

void binance_core::on_depth(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  bool spot = market_ == binance::market::spot;
  int64_t limit = spot ? 100 : 500;
  if (c.params.has("limit")) {
    auto v = *c.params.get("limit");
    auto n = parse_int(v);
    if (!n) {
      fail(c.reply, 400, -1100, illegal("limit", integer_range));
      return;
    }
    limit = *n;
    if (spot) {
      if (limit < 1) {
        fail(c.reply, 400, -1100, illegal("limit", "1-5000"));
        return;
      }
      limit = std::min<int64_t>(limit, 5000);
    } else {
      static constexpr int64_t valid[] = {5, 10, 20, 50, 100, 500, 1000};
      if (std::find(std::begin(valid), std::end(valid), limit) == std::end(valid)) {
        fail(c.reply, 400, -4021,
             "'" + std::string{v} + "' is not valid depth limit.");
        return;
      }
    }
  }
  auto snap = sym->market.snapshot(c.now);
  c.reply.body = encode_depth_snapshot(market_, snap, static_cast<size_t>(limit),
                                       sym->fmt, c.wall_ms);
}

void binance_core::on_new_order(call_context& c) {
  bool spot = market_ == binance::market::spot;
  const auto& p = c.params;
  auto& out = c.reply;
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  const auto& symbol = sym->listing.spec.symbol.str();
  // -- parameters
  if (!p.has("side"))
    return fail(out, 400, -1102, mandatory("side"));
  side sd = side::buy;
  if (*p.get("side") == "BUY")
    sd = side::buy;
  else if (*p.get("side") == "SELL")
    sd = side::sell;
  else
    return fail(out, 400, -1117, "Invalid side.");
  if (!p.has("type"))
    return fail(out, 400, -1102, mandatory("type"));
  std::string type{*p.get("type")};
  bool is_limit = type == "LIMIT";
  bool is_market = type == "MARKET";
  bool is_maker = spot && type == "LIMIT_MAKER";
  if (!is_limit && !is_market && !is_maker)
    return fail(out, 400, -1116, "Invalid orderType.");
  std::string tif = "GTC";
  if (is_limit) {
    if (!p.has("timeInForce"))
      return fail(out, 400, -1102, mandatory("timeInForce"));
    tif = *p.get("timeInForce");
    if (tif != "GTC" && tif != "IOC" && tif != "FOK" && (spot || tif != "GTX"))
      return fail(out, 400, -1115, "Invalid timeInForce.");
  } else if (spot && p.has("timeInForce")) {
    return fail(out, 400, -1106,
                "Parameter 'timeInForce' sent when not required.");
  }
  if (!p.has("quantity"))
    return fail(out, 400, -1102, mandatory("quantity"));
  auto qty = quantity::parse(*p.get("quantity"));
  if (!qty || qty->is_negative())
    return fail(out, 400, -1100, illegal("quantity", decimal_range));
  price px;
  if (is_market) {
    if (p.has("price"))
      return fail(out, 400, -1106, "Parameter 'price' sent when not required.");
  } else {
    if (!p.has("price"))
      return fail(out, 400, -1102, mandatory("price"));
    auto v = price::parse(*p.get("price"));
    if (!v || v->is_negative())
      return fail(out, 400, -1100, illegal("price", decimal_range));
    px = *v;
  }
  bool reduce_only = false;
  if (!spot && p.has("reduceOnly")) {
    auto v = *p.get("reduceOnly");
    if (v != "true" && v != "false")
      return fail(out, 400, -1130,
                  "Data sent for parameter 'reduceOnly' is not valid.");
    reduce_only = v == "true";
  }
  std::string client_id;
  if (p.has("newClientOrderId")) {
    client_id = *p.get("newClientOrderId");
    if (!valid_client_id(client_id, spot))
      return fail(out, 400, -1100,
                  illegal("newClientOrderId",
                          spot ? "^[a-zA-Z0-9-_]{1,36}$"
                               : "^[\\.A-Z\\:/a-z0-9_-]{1,36}$"));
  } else {
    client_id = new_client_id();
  }
  resp_type rt = spot && !is_maker ? resp_type::full : resp_type::ack;
  if (p.has("newOrderRespType")) {
    auto v = *p.get("newOrderRespType");
    if (v == "ACK")
      rt = resp_type::ack;
    else if (v == "RESULT")
      rt = resp_type::result;
    else if (spot && v == "FULL")
      rt = resp_type::full;
    else if (spot)
      return fail(out, 400, -1100,
                  illegal("newOrderRespType", "ACK, RESULT, FULL"));
    else
      return fail(out, 400, -1136, "Invalid newOrderRespType.");
  }
  // -- the order rate limit
  auto count_headers = [&](const request_limits::order_counts& n) {
    out.headers.emplace_back("X-MBX-ORDER-COUNT-10S", std::to_string(n.ten_s));
    if (spot)
      out.headers.emplace_back("X-MBX-ORDER-COUNT-1D", std::to_string(n.one_d));
    else
      out.headers.emplace_back("X-MBX-ORDER-COUNT-1M", std::to_string(n.one_m));
  };
  if (limits_.orders_exhausted(c.account, c.wall_ms)) {
    count_headers(limits_.orders(c.account, c.wall_ms));
    out.headers.emplace_back(
      "Retry-After",
      std::to_string(request_limits::seconds_to_next(c.wall_ms, 10'000)));
    return fail(out, 429, -1015,
                "Too many new orders; current limit is "
                  + std::to_string(limits_.order_limit())
                  + " orders per 10 SECOND.");
  }
  count_headers(limits_.add_order(c.account, c.wall_ms));
  // -- filters
  const auto& spec = sym->market.spec();
  auto max_px = price::from_raw(max_filter_raw);
  auto max_qty = quantity::from_raw(max_filter_raw);
  if (!is_market) {
    if (spot) {
      if (px < spec.tick || px > max_px || !px.is_multiple_of(spec.tick))
        return fail(out, 400, -1013, "Filter failure: PRICE_FILTER");
    } else {
      if (!px.is_positive())
        return fail(out, 400, -4001, "Price less than 0.");
      if (decimals_needed(px.raw()) > decimals_of(spec.tick.raw()))
        return fail(out, 400, -1111,
                    "Precision is over the maximum defined for this asset.");
      if (px > max_px)
        return fail(out, 400, -4002, "Price greater than max price.");
      if (!px.is_multiple_of(spec.tick))
        return fail(out, 400, -4014, "Price not increased by tick size.");
    }
  }
  if (spot) {
    if (*qty < spec.lot || *qty > max_qty || !qty->is_multiple_of(spec.lot))
      return fail(out, 400, -1013, "Filter failure: LOT_SIZE");
  } else {
    if (!qty->is_positive())
      return fail(out, 400, -4003, "Quantity less than or equal to zero.");
    if (decimals_needed(qty->raw()) > decimals_of(spec.lot.raw()))
      return fail(out, 400, -1111,
                  "Precision is over the maximum defined for this asset.");
    if (*qty < spec.lot)
      return fail(out, 400, -4004, "Quantity less than min quantity.");
    if (*qty > max_qty)
      return fail(out, 400, -4005, "Quantity greater than max quantity.");
    if (!qty->is_multiple_of(spec.lot))
      return fail(out, 400, -4023, "Qty not increased by step size.");
  }
  auto reference = is_market ? sym->market.mid() : px;
  auto value = checked_mul(reference, *qty);
  if (spot) {
    if (!value || *value < spec.min_notional)
      return fail(out, 400, -1013, "Filter failure: NOTIONAL");
  } else if (!reduce_only && (!value || *value < spec.min_notional)) {
    return fail(out, 400, -4164,
                "Order's notional must be no smaller than "
                  + format_fixed_raw(spec.min_notional.raw())
                  + " (unless you choose reduce only).");
  }
  // -- duplicates, reduce-only
  if (orders_.has_open_client(c.account, symbol, client_id)) {
    if (spot)
      return fail(out, 400, -2010, "Duplicate order sent.");
    return fail(out, 400, -4116, "clientOrderId is duplicated.");
  }
  auto& acct = accounts_[c.account];
  auto pos = acct.usdm.get(symbol);
  if (reduce_only) {
    bool reduces = !pos.amount.is_zero()
                   && pos.amount.is_positive() != (sd == side::buy)
                   && *qty <= pos.amount.abs();
    if (!reduces)
      return fail(out, 400, -2022, "ReduceOnly Order is rejected.");
  }
  // -- the sim order, and a dry run where the outcome must be known first
  auto id = next_order_id_;
  sim::sim_order so;
  so.cid = client_order_id{id};
  so.sd = sd;
  so.type = is_market ? order_type::market : order_type::limit;
  so.tif = is_maker || tif == "GTX" ? time_in_force::post_only
           : tif == "GTC"           ? time_in_force::gtc
                                    : time_in_force::ioc;
  so.px = px;
  so.qty = *qty;
  quantity probe_qty;
  notional probe_value;
  notional probe_cost; // Value plus taker fees.
  bool need_probe = tif == "FOK" || (is_market && (!spot || sd == side::buy));
  if (need_probe) {
    auto copy = sym->market;
    for (const auto& r : copy.submit(so, c.now))
      if (r.what == sim::exec_report::kind::fill && r.cid == so.cid) {
        probe_qty += r.qty;
        probe_value += mul(r.px, r.qty);
        probe_cost += mul(r.px, r.qty) + r.fee;
      }
  }
  order_record rec;
  rec.view.symbol = symbol;
  rec.view.order_id = id;
  rec.view.client_id = client_id;
  rec.view.sd = sd;
  rec.view.type = type;
  rec.view.tif = tif;
  rec.view.px = px;
  rec.view.qty = *qty;
  rec.view.status = "NEW";
  rec.view.reduce_only = reduce_only;
  rec.account = c.account;
  rec.time_ms = c.wall_ms;
  rec.update_ms = c.wall_ms;
  rec.working = (is_limit && (tif == "GTC" || tif == "GTX")) || is_maker;
  const auto& fee_asset = sym->listing.quote_asset;
  auto finish = [&](const order_record& o, const std::vector<fill_info>& fills,
                    const order_record& ack) {
    if (spot)
      out.body = encode_spot_new_order(o, rt, fills, fee_asset, c.wall_ms);
    else
      out.body = encode_usdm_order(rt == resp_type::ack ? ack : o, sym->fmt,
                                   false);
    if (fault_503_left_ > 0) {
      --fault_503_left_;
      if (spot)
        fail(out, 503, -1007,
             "Timeout waiting for response from backend server. Send status "
             "unknown; execution status unknown.");
      else
        fail(out, 503, -1000,
             "Unknown error, please check your request or try again later.");
    }
  };
  if (tif == "FOK" && probe_qty < *qty) {
    if (!spot)
      return fail(out, 400, -5021,
                  "Due to the order could not be filled immediately, the FOK "
                  "order has been rejected.");
    // Spot takes the order and expires it at once, nothing filled.
    ++next_order_id_;
    rec.working = false;
    auto& o = orders_.add(rec);
    auto ack = o;
    for (const char* x : {"NEW", "EXPIRED"}) {
      o.view.status = x;
      exec_event e;
      e.exec_type = x;
      e.event_ms = c.wall_ms;
      e.transact_ms = c.wall_ms;
      emit_user(c.account, encode_execution_report(o, e, fee_asset), c.now,
                pending_);
    }
    orders_.closed(id);
    return finish(*orders_.find(id), {}, ack);
  }
  // -- balance (spot) or margin (USD-M)
  if (spot) {
    notional lock;
    const std::string* asset = &sym->listing.quote_asset;
    if (sd == side::buy) {
      if (is_market) {
        lock = probe_cost;
      } else {
        rec.lock_fee_rate = std::max(spec.maker_fee, spec.taker_fee);
        auto v = mul(px, *qty);
        lock = v + mul(v, rec.lock_fee_rate);
      }
    } else {
      asset = &sym->listing.base_asset;
      lock = notional::from_raw(qty->raw());
    }
    if (!acct.spot.lock(*asset, lock))
      return fail(out, 400, -2010,
                  "Account has insufficient balance for requested action.");
    rec.lock_left = lock;
  } else if (!reduce_only) {
    auto increasing = *qty;
    if (!pos.amount.is_zero() && pos.amount.is_positive() != (sd == side::buy))
      increasing = *qty > pos.amount.abs() ? *qty - pos.amount.abs() : quantity{};
    auto margin_px = px;
    if (is_market)
      margin_px = probe_qty.is_positive() ? div(probe_value, probe_qty)
                                          : sym->market.mid();
    auto required = notional::from_raw(mul(margin_px, increasing).raw() / leverage_);
    if (required > account_view(c.account, {}).available())
      return fail(out, 400, -2019, "Margin is insufficient.");
  }
  // -- match
  auto reports = sym->market.submit(so, c.now);
  if (reports.empty() || reports.front().what == sim::exec_report::kind::rejected) {
    if (spot && rec.lock_left.is_positive())
      acct.spot.unlock(sd == side::buy ? sym->listing.quote_asset
                                       : sym->listing.base_asset,
                       rec.lock_left);
    auto reason = reports.empty() ? reject_reason::venue_rejected
                                  : reports.front().reason;
    if (reason == reject_reason::post_only_would_cross) {
      if (spot)
        return fail(out, 400, -2010, "Order would immediately match and take.");
      return fail(out, 400, -5022,
                  "Due to the order could not be executed as maker, the Post "
                  "Only order will be rejected. The order will not be recorded "
                  "in the order history");
    }
    auto detail = reports.empty() ? std::string{"rejected"} : reports.front().detail;
    if (spot)
      return fail(out, 400, -2010, detail);
    return fail(out, 400, -2020, "Unable to fill.");
  }
  ++next_order_id_;
  auto ack = rec;
  orders_.add(std::move(rec));
  std::vector<fill_info> fills;
  apply(*sym, reports, c.now, c.wall_ms, pending_, id, &fills);
  finish(*orders_.find(id), fills, ack);
}

order_record* binance_core::order_of_call(call_context& c,
                                          const symbol_state& sym,
                                          int not_found_code,
                                          const char* not_found_msg) {
  const auto& p = c.params;
  if (!p.has("orderId") && !p.has("origClientOrderId")) {
    fail(c.reply, 400, -1102,
         "Param 'origClientOrderId' or 'orderId' must be sent, but both were "
         "empty/null!");
    return nullptr;
  }
  const auto& symbol = sym.listing.spec.symbol.str();
  order_record* o = nullptr;
  if (p.has("orderId")) {
    auto id = parse_int(*p.get("orderId"));
    if (!id) {
      fail(c.reply, 400, -1100, illegal("orderId", integer_range));
      return nullptr;
    }
    o = orders_.find(static_cast<uint64_t>(*id));
  } else {
    o = orders_.find_client(c.account, symbol,
                            std::string{*p.get("origClientOrderId")});
  }
  if (o == nullptr || o->account != c.account || o->view.symbol != symbol) {
    fail(c.reply, 400, not_found_code, not_found_msg);
    return nullptr;
  }
  return o;
}

void binance_core::on_query_order(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  auto* o = order_of_call(c, *sym, -2013, "Order does not exist.");
  if (o == nullptr)
    return;
  c.reply.body = market_ == binance::market::spot
                   ? encode_spot_order(*o)
                   : encode_usdm_order(*o, sym->fmt, true);
}

void binance_core::cancel_one(symbol_state& sym, order_record& o,
                              const std::string& cancel_client_id, nanos now,
                              int64_t wall_ms) {
  auto reports = sym.market.cancel(client_order_id{o.view.order_id}, now);
  apply(sym, reports, now, wall_ms, pending_, 0, nullptr, cancel_client_id);
}

void binance_core::on_cancel_order(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  auto* o = order_of_call(c, *sym, -2011, "Unknown order sent.");
  if (o == nullptr)
    return;
  if (!o->open())
    return fail(c.reply, 400, -2011, "Unknown order sent.");
  bool spot = market_ == binance::market::spot;
  std::string cancel_id;
  if (spot)
    cancel_id = c.params.has("newClientOrderId")
                  ? std::string{*c.params.get("newClientOrderId")}
                  : new_client_id();
  auto id = o->view.order_id;
  cancel_one(*sym, *o, cancel_id, c.now, c.wall_ms);
  const auto* done = orders_.find(id);
  c.reply.body = spot ? encode_spot_cancel(*done, cancel_id, c.wall_ms)
                      : encode_usdm_order(*done, sym->fmt, false);
}

void binance_core::on_open_orders(call_context& c) {
  std::string symbol;
  const symbol_state* sym = nullptr;
  if (c.params.has("symbol")) {
    sym = require_symbol(c);
    if (sym == nullptr)
      return;
    symbol = sym->listing.spec.symbol.str();
  }
  std::vector<std::string> items;
  for (const auto* o : orders_.open_orders(c.account, symbol)) {
    if (market_ == binance::market::spot) {
      items.push_back(encode_spot_order(*o));
    } else {
      auto i = symbols_.find(o->view.symbol);
      items.push_back(encode_usdm_order(*o, i->second.fmt, true));
    }
  }
  c.reply.body = join_array(items);
}

void binance_core::on_cancel_open_orders(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  bool spot = market_ == binance::market::spot;
  std::vector<uint64_t> ids;
  for (const auto* o : orders_.open_orders(c.account, sym->listing.spec.symbol.str()))
    ids.push_back(o->view.order_id);
  std::vector<std::string> items;
  for (auto id : ids) {
    auto* o = orders_.find(id);
    if (o == nullptr || !o->open())
      continue;
    auto cancel_id = spot ? new_client_id() : std::string{};
    cancel_one(*sym, *o, cancel_id, c.now, c.wall_ms);
    if (spot)
      items.push_back(encode_spot_cancel(*orders_.find(id), cancel_id, c.wall_ms));
  }
  if (spot)
    c.reply.body = join_array(items);
  else
    c.reply.body = encode_error(200, "The operation of cancel all open order is done.");
}

void binance_core::on_account(call_context& c) {
  const auto& a = accounts_[c.account];
  if (market_ == binance::market::spot) {
    rate maker;
    rate taker;
    if (!listings_.empty()) {
      maker = listings_.front().spec.maker_fee;
      taker = listings_.front().spec.taker_fee;
    }
    c.reply.body = encode_spot_account(a.spot.balances(), maker, taker,
                                       c.wall_ms, 1000 + c.account);
    return;
  }
  c.reply.body = encode_usdm_account(account_view(c.account, {}), c.wall_ms);
}

void binance_core::on_position_risk(call_context& c) {
  std::string only;
  if (c.params.has("symbol")) {
    auto* sym = require_symbol(c);
    if (sym == nullptr)
      return;
    only = sym->listing.spec.symbol.str();
  }
  c.reply.body = encode_position_risk(account_view(c.account, only), c.wall_ms);
}

void binance_core::on_premium_index(call_context& c) {
  auto one = [&](const symbol_state& s) {
    auto mark = s.market.mid();
    return encode_premium_index(s.listing.spec.symbol.str(), mark, mark,
                                s.listing.funding_rate,
                                next_funding_ms(c.wall_ms), c.wall_ms);
  };
  if (c.params.has("symbol")) {
    auto* sym = require_symbol(c);
    if (sym != nullptr)
      c.reply.body = one(*sym);
    return;
  }
  std::vector<std::string> items;
  for (const auto& [name, s] : symbols_)
    items.push_back(one(s));
  c.reply.body = join_array(items);
}

void binance_core::on_listen_key(call_context& c, endpoint ep) {
  auto& a = accounts_[c.account];
  bool valid = !a.listen_key.empty() && a.listen_expiry > c.now;
  auto answer_key = [&] {
    json_out j;
    j.begin_object().kv("listenKey", a.listen_key).end_object();
    c.reply.body = j.take();
  };
  switch (ep) {
    case endpoint::listen_key_new:
      if (!valid) {
        if (!a.listen_key.empty())
          closed_keys_.push_back(a.listen_key);
        a.listen_key = make_listen_key(a);
      }
      a.listen_expiry = c.now + listen_key_ttl_;
      answer_key();
      return;
    case endpoint::listen_key_keep:
      if (!valid)
        return fail(c.reply, 400, -1125, "This listenKey does not exist.");
      a.listen_expiry = c.now + listen_key_ttl_;
      answer_key();
      return;
    case endpoint::listen_key_close:
      if (!a.listen_key.empty())
        closed_keys_.push_back(a.listen_key);
      a.listen_key.clear();
      a.listen_expiry = 0;
      c.reply.body = "{}";
      return;
    default:
      return;
  }
}

bool binance_core::history_params(call_context& c, bool trades,
                                  history_query& q) {
  bool spot = market_ == binance::market::spot;
  std::optional<int64_t> order_id;
  std::optional<int64_t> from_id;
  std::optional<int64_t> start;
  std::optional<int64_t> end;
  std::optional<int64_t> limit;
  auto read = [&](const char* name, std::optional<int64_t>& slot) {
    if (!c.params.has(name))
      return true;
    slot = parse_int(*c.params.get(name));
    if (!slot)
      fail(c.reply, 400, -1100, illegal(name, integer_range));
    return slot.has_value();
  };
  if (!read("orderId", order_id) || (trades && !read("fromId", from_id))
      || !read("startTime", start) || !read("endTime", end)
      || !read("limit", limit))
    return false;
  if (limit && *limit < 1) {
    fail(c.reply, 400, -1100, illegal("limit", "1-1000"));
    return false;
  }
  bool timed = start || end;
  if (trades && timed && (from_id || (spot && order_id))) {
    fail(c.reply, 400, -1128, "Combination of optional parameters invalid.");
    return false;
  }
  // The longest startTime..endTime span, and (USD-M) the default window.
  constexpr int64_t hour_ms = 3'600'000;
  int64_t span_hours = spot ? (trades ? 24 : 0) : 7 * 24;
  if (span_hours > 0 && start && end && *end - *start > span_hours * hour_ms) {
    fail(c.reply, 400, -1127,
         "More than " + std::to_string(span_hours)
           + " hours between startTime and endTime.");
    return false;
  }
  q.from_oldest = start.has_value();
  if (trades) {
    if (from_id)
      q.from_id = static_cast<uint64_t>(*from_id);
    if (order_id)
      q.order_id = static_cast<uint64_t>(*order_id);
    q.from_oldest = q.from_oldest || from_id.has_value();
  } else if (order_id) {
    q.from_id = static_cast<uint64_t>(*order_id);
    q.from_oldest = true;
  }
  q.start_ms = start;
  q.end_ms = end;
  if (!spot) {
    int64_t window = span_hours * hour_ms;
    if (!start && !end)
      q.start_ms = c.wall_ms - window;
    else if (!start)
      q.start_ms = *end - window;
    else if (!end)
      q.end_ms = *start + window;
  }
  q.limit = static_cast<size_t>(std::min<int64_t>(limit.value_or(500), 1000));
  return true;
}

void binance_core::on_all_orders(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  history_query q;
  if (!history_params(c, false, q))
    return;
  std::vector<std::string> items;
  for (const auto* o : orders_.history(c.account, sym->listing.spec.symbol.str(), q))
    items.push_back(market_ == binance::market::spot
                      ? encode_spot_order(*o)
                      : encode_usdm_order(*o, sym->fmt, true));
  c.reply.body = join_array(items);
}

void binance_core::on_my_trades(call_context& c) {
  auto* sym = require_symbol(c);
  if (sym == nullptr)
    return;
  history_query q;
  if (!history_params(c, true, q))
    return;
  const auto& symbol = sym->listing.spec.symbol.str();
  const auto& fee_asset = sym->listing.quote_asset;
  std::vector<std::string> items;
  for (const auto& t : trades_.query(c.account, symbol, q))
    items.push_back(market_ == binance::market::spot
                      ? encode_spot_trade(symbol, t, fee_asset)
                      : encode_usdm_trade(symbol, t, fee_asset, sym->fmt));
  c.reply.body = join_array(items);
}

// -- WebSocket API ------------------------------------------------------------

std::vector<outbound> binance_core::handle_ws_api(uint64_t conn,
                                                  std::string_view request,
                                                  nanos now, int64_t wall_ms) {
  (void) now;
  std::vector<outbound> out;
  auto channel = "ws-api:" + std::to_string(conn);
  auto send = [&](std::string text) { out.push_back({channel, std::move(text)}); };
  rapidjson::Document d;
  d.Parse(request.data(), request.size());
  if (d.HasParseError() || !d.IsObject()) {
    send(ws_error("null", 400, -1000, "Malformed request: not a JSON object."));
    return out;
  }
  std::string id = "null";
  if (auto* v = json::find(d, "id"); v != nullptr && (v->IsString() || v->IsNumber() || v->IsNull()))
    id = to_json(*v);
  auto method = json::get_string(d, "method");
  if (!method) {
    send(ws_error(id, 400, -1102, mandatory("method")));
    return out;
  }
  std::string_view m = *method;
  if (m.substr(0, 3) == "v3/")
    m.remove_prefix(3);
  static const rapidjson::Value empty_object{rapidjson::kObjectType};
  const rapidjson::Value* params = json::get_object(d, "params");
  if (params == nullptr)
    params = &empty_object;
  if (m == "ping") {
    send(ws_result(id, "{}"));
  } else if (m == "time") {
    send(ws_result(id, "{\"serverTime\":" + std::to_string(wall_ms) + "}"));
  } else if (m == "userDataStream.subscribe.signature") {
    auto key = json::get_string(*params, "apiKey");
    if (!key || key->empty()) {
      send(ws_error(id, 400, -1102, mandatory("apiKey")));
      return out;
    }
    auto account = find_account(*key);
    if (account == no_account) {
      send(ws_error(id, 401, -2015,
                    "Invalid API-key, IP, or permissions for action."));
      return out;
    }
    std::vector<std::pair<std::string, std::string>> fields;
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      std::string name{it->name.GetString(), it->name.GetStringLength()};
      auto text = param_text(it->value);
      if (!text) {
        send(ws_error(id, 400, -1100,
                      "Illegal characters found in parameter '" + name + "'."));
        return out;
      }
      fields.emplace_back(std::move(name), std::move(*text));
    }
    auto field = [&](std::string_view name) -> const std::string* {
      for (const auto& [k, v] : fields)
        if (k == name)
          return &v;
      return nullptr;
    };
    auto* ts_text = field("timestamp");
    if (ts_text == nullptr || ts_text->empty()) {
      send(ws_error(id, 400, -1102, mandatory("timestamp")));
      return out;
    }
    auto* sig_field = field("signature");
    if (sig_field == nullptr || sig_field->empty()) {
      send(ws_error(id, 400, -1102, mandatory("signature")));
      return out;
    }
    // A copy: sorting `fields` below moves the strings the pointers see.
    std::string sig = *sig_field;
    auto ts = parse_int(*ts_text);
    if (!ts) {
      send(ws_error(id, 400, -1100, illegal("timestamp", integer_range)));
      return out;
    }
    int64_t recv_window = default_recv_window_ms;
    if (auto* rw = field("recvWindow")) {
      auto n = parse_int(*rw);
      if (!n || *n > max_recv_window_ms_) {
        send(ws_error(id, 400, -1131,
                      "recvWindow must be less than "
                        + std::to_string(max_recv_window_ms_) + "."));
        return out;
      }
      recv_window = *n;
    }
    std::sort(fields.begin(), fields.end());
    std::string payload;
    for (const auto& [k, v] : fields) {
      if (k == "signature")
        continue;
      if (!payload.empty())
        payload += '&';
      payload += k;
      payload += '=';
      payload += v;
    }
    auto expected = binance::hmac_sha256_hex(accounts_[account].cfg.secret, payload);
    if (!iequals(expected, sig)) {
      send(ws_error(id, 400, -1022, "Signature for this request is not valid."));
      return out;
    }
    if (*ts >= wall_ms + 1000) {
      send(ws_error(id, 400, -1021,
                    "Timestamp for this request was 1000ms ahead of the "
                    "server's time."));
      return out;
    }
    if (wall_ms - *ts > recv_window) {
      send(ws_error(id, 400, -1021,
                    "Timestamp for this request is outside of the recvWindow."));
      return out;
    }
    auto& subs = ws_subs_[conn];
    uint64_t sub_id = 0;
    auto existing = std::find_if(subs.begin(), subs.end(), [&](const auto& s) {
      return s.account == account;
    });
    if (existing != subs.end()) {
      sub_id = existing->id;
    } else {
      sub_id = ws_next_sub_[conn]++;
      subs.push_back({sub_id, account});
    }
    send(ws_result(id, "{\"subscriptionId\":" + std::to_string(sub_id) + "}"));
  } else if (m == "userDataStream.unsubscribe") {
    auto& subs = ws_subs_[conn];
    if (auto* v = json::find(*params, "subscriptionId"); v != nullptr) {
      if (!v->IsUint64()) {
        send(ws_error(id, 400, -1130,
                      "Data sent for parameter 'subscriptionId' is not valid."));
        return out;
      }
      auto target = v->GetUint64();
      auto it = std::find_if(subs.begin(), subs.end(),
                             [&](const auto& s) { return s.id == target; });
      if (it == subs.end()) {
        send(ws_error(id, 400, -1130,
                      "Data sent for parameter 'subscriptionId' is not valid."));
        return out;
      }
      subs.erase(it);
    } else {
      subs.clear();
    }
    send(ws_result(id, "{}"));
  } else if (m == "session.subscriptions") {
    std::vector<std::string> items;
    for (const auto& s : ws_subs_[conn])
      items.push_back("{\"subscriptionId\":" + std::to_string(s.id) + "}");
    send(ws_result(id, join_array(items)));
  } else {
    send(ws_error(id, 400, -1020, "This operation is not supported."));
  }
  return out;
}

void binance_core::ws_api_closed(uint64_t conn) {
  ws_subs_.erase(conn);
  ws_next_sub_.erase(conn);
}

// -- orders and accounts ------------------------------------------------------

void binance_core::apply(symbol_state& sym,
                         const std::vector<sim::exec_report>& reports,
                         nanos now, int64_t wall_ms, std::vector<outbound>& out,
                         uint64_t fills_for, std::vector<fill_info>* fills,
                         const std::string& cancel_client_id) {
  bool spot = market_ == binance::market::spot;
  const auto& symbol = sym.listing.spec.symbol.str();
  const auto& fee_asset = sym.listing.quote_asset;
  std::vector<size_t> changed; // Accounts whose balances or positions moved.
  auto touch = [&](size_t account) {
    if (std::find(changed.begin(), changed.end(), account) == changed.end())
      changed.push_back(account);
  };
  for (const auto& r : reports) {
    if (r.what == sim::exec_report::kind::rejected)
      continue;
    auto* o = orders_.find(r.cid.value);
    if (o == nullptr || !o->open())
      continue;
    exec_event e;
    e.event_ms = wall_ms;
    e.transact_ms = wall_ms;
    fill_info f;
    switch (r.what) {
      case sim::exec_report::kind::accepted:
        o->view.status = "NEW";
        e.exec_type = "NEW";
        if (spot)
          touch(o->account); // Its lock moved free to locked.
        break;
      case sim::exec_report::kind::fill:
        f.px = r.px;
        f.qty = r.qty;
        f.fee = r.fee;
        f.trade_id = r.tid.value;
        f.maker = r.liq == liquidity::maker;
        o->view.executed += r.qty;
        o->view.cum_quote += mul(r.px, r.qty);
        o->view.status = r.leaves_qty.is_positive() ? "PARTIALLY_FILLED" : "FILLED";
        if (spot)
          settle_spot_fill(sym, *o, f);
        else
          f.realized = accounts_[o->account].usdm.apply_fill(symbol, o->view.sd,
                                                             r.px, r.qty, r.fee);
        trades_.add(o->account, symbol,
                    trade_record{f.trade_id, o->view.order_id, o->view.sd, f.px,
                                 f.qty, mul(f.px, f.qty), f.fee, f.realized,
                                 f.maker, wall_ms});
        e.exec_type = "TRADE";
        e.fill = &f;
        if (fills != nullptr && o->view.order_id == fills_for)
          fills->push_back(f);
        touch(o->account);
        break;
      case sim::exec_report::kind::canceled:
        switch (r.why) {
          case cancel_reason::ioc_remainder:
            o->view.status = "EXPIRED";
            e.exec_type = "EXPIRED";
            break;
          case cancel_reason::self_trade:
            o->view.status = "EXPIRED_IN_MATCH";
            e.exec_type = spot ? "TRADE_PREVENTION" : "EXPIRED";
            break;
          default:
            o->view.status = "CANCELED";
            e.exec_type = "CANCELED";
            if (spot)
              e.cancel_client_id = cancel_client_id;
            break;
        }
        if (spot)
          touch(o->account);
        break;
      case sim::exec_report::kind::rejected:
        break;
    }
    o->update_ms = wall_ms;
    bool done = !o->open();
    if (done && spot)
      release_spot_lock(sym, *o);
    emit_user(o->account,
              spot ? encode_execution_report(*o, e, fee_asset)
                   : encode_order_trade_update(*o, e, fee_asset, sym.fmt),
              now, out);
    if (done)
      orders_.closed(o->view.order_id);
  }
  for (auto account : changed)
    emit_account_state(account, sym, now, wall_ms, out);
}

void binance_core::settle_spot_fill(symbol_state& sym, order_record& o,
                                    const fill_info& f) {
  auto& w = accounts_[o.account].spot;
  const auto& base = sym.listing.base_asset;
  const auto& quote = sym.listing.quote_asset;
  auto base_amount = notional::from_raw(f.qty.raw());
  if (o.view.sd == side::buy) {
    auto cost = mul(f.px, f.qty) + f.fee;
    auto release = cost;
    if (o.view.type != "MARKET") {
      auto v = mul(o.view.px, f.qty);
      release = v + mul(v, o.lock_fee_rate);
    }
    release = std::min(release, o.lock_left);
    w.spend_locked(quote, release);
    o.lock_left -= release;
    w.add_free(quote, release - cost);
    w.add_free(base, base_amount);
  } else {
    auto release = std::min(base_amount, o.lock_left);
    w.spend_locked(base, release);
    o.lock_left -= release;
    w.add_free(base, release - base_amount);
    w.add_free(quote, mul(f.px, f.qty) - f.fee);
  }
}

void binance_core::release_spot_lock(symbol_state& sym, order_record& o) {
  if (!o.lock_left.is_positive())
    return;
  const auto& asset = o.view.sd == side::buy ? sym.listing.quote_asset
                                             : sym.listing.base_asset;
  accounts_[o.account].spot.unlock(asset, o.lock_left);
  o.lock_left = notional{};
}

void binance_core::emit_user(size_t account, const std::string& event, nanos now,
                             std::vector<outbound>& out) const {
  if (market_ == binance::market::spot) {
    for (const auto& [conn, subs] : ws_subs_)
      for (const auto& s : subs)
        if (s.account == account)
          out.push_back({"ws-api:" + std::to_string(conn),
                         "{\"subscriptionId\":" + std::to_string(s.id)
                           + ",\"event\":" + event + "}"});
    return;
  }
  const auto& a = accounts_[account];
  if (!a.listen_key.empty() && a.listen_expiry > now)
    out.push_back({"listen-key:" + a.listen_key, event});
}

void binance_core::emit_account_state(size_t account, const symbol_state& sym,
                                      nanos now, int64_t wall_ms,
                                      std::vector<outbound>& out) const {
  if (market_ == binance::market::spot) {
    const auto& w = accounts_[account].spot;
    std::vector<asset_balance> b{w.balance(sym.listing.base_asset),
                                 w.balance(sym.listing.quote_asset)};
    emit_user(account, encode_account_position(b, wall_ms), now, out);
    return;
  }
  emit_user(account,
            encode_account_update(margin_asset_,
                                  accounts_[account].usdm.wallet_balance(),
                                  {position_of(account, sym)}, wall_ms),
            now, out);
}

position_state binance_core::position_of(size_t account,
                                         const symbol_state& sym) const {
  const auto& symbol = sym.listing.spec.symbol.str();
  auto p = accounts_[account].usdm.get(symbol);
  position_state s;
  s.symbol = symbol;
  s.amount = p.amount;
  s.entry_price = p.entry;
  s.realized_pnl = p.realized;
  s.unrealized_pnl = usdm_wallet::unrealized(p, sym.market.mid());
  s.fees = p.fees;
  return s;
}

usdm_account_view binance_core::account_view(size_t account,
                                             const std::string& only_symbol) const {
  usdm_account_view v;
  v.asset = margin_asset_;
  v.wallet = accounts_[account].usdm.wallet_balance();
  for (const auto& [name, sym] : symbols_) {
    if (!only_symbol.empty() && name != only_symbol)
      continue;
    auto p = accounts_[account].usdm.get(name);
    usdm_position_row row;
    row.symbol = name;
    row.amount = p.amount;
    row.entry = p.entry;
    row.mark = sym.market.mid();
    row.unrealized = usdm_wallet::unrealized(p, row.mark);
    row.position_margin = notional::from_raw(mul(row.mark, p.amount.abs()).raw()
                                             / leverage_);
    notional orders;
    for (const auto* o : orders_.open_orders(account, name))
      if (!o->view.reduce_only)
        orders += mul(o->view.px, o->view.qty - o->view.executed);
    row.order_margin = notional::from_raw(orders.raw() / leverage_);
    row.leverage = leverage_;
    row.fmt = sym.fmt;
    v.positions.push_back(std::move(row));
  }
  return v;
}

std::string binance_core::new_client_id() {
  auto n = std::to_string(next_client_seq_++);
  return "xsim" + std::string(n.size() < 18 ? 18 - n.size() : 0, '0') + n;
}

std::string binance_core::make_listen_key(const account_state& a) {
  return binance::hmac_sha256_hex(a.cfg.secret,
                                  "listenKey:" + std::to_string(++listen_key_seq_)
                                    + ":" + a.cfg.api_key);
}

// -- market data --------------------------------------------------------------

void binance_core::push_market(std::vector<outbound>& out,
                               const std::string& channel,
                               const std::string& payload, nanos now) {
  if (now < stall_until_)
    return;
  if (malformed_left_ > 0) {
    --malformed_left_;
    out.push_back({channel, payload.substr(0, payload.size() / 2)});
  }
  out.push_back({channel, payload});
}

std::vector<outbound> binance_core::step(nanos now, int64_t wall_ms) {
  std::vector<outbound> out;
  bool usdm = market_ == binance::market::usdm;
  for (auto& [name, sym] : symbols_) {
    auto st = sym.market.step(now);
    if (st.delta) {
      auto payload = encode_depth_update(market_, *st.delta, sym.fmt, wall_ms);
      push_market(out, sym.stream + "@depth@100ms", payload, now);
      push_market(out, sym.stream + "@depth", payload, now);
      auto snap = sym.market.snapshot(now);
      book_level bid = snap.bids.empty() ? book_level{} : snap.bids.front();
      book_level ask = snap.asks.empty() ? book_level{} : snap.asks.front();
      if (bid != sym.last_bid || ask != sym.last_ask) {
        sym.last_bid = bid;
        sym.last_ask = ask;
        push_market(out, sym.stream + "@bookTicker",
                    encode_book_ticker(market_, name, snap.last_update_id, bid,
                                       ask, sym.fmt, wall_ms),
                    now);
      }
    }
    for (const auto& t : st.trades)
      push_market(out, sym.stream + "@aggTrade",
                  encode_agg_trade(market_, t, sym.fmt, wall_ms, wall_ms), now);
    if (!st.executions.empty())
      apply(sym, st.executions, now, wall_ms, out);
    if (usdm) {
      auto second = wall_ms / 1000;
      if (second != sym.last_mark_second) {
        sym.last_mark_second = second;
        auto mark = sym.market.mid();
        auto payload = encode_mark_price(name, mark, mark, sym.listing.funding_rate,
                                         next_funding_ms(wall_ms), wall_ms);
        push_market(out, sym.stream + "@markPrice@1s", payload, now);
        if (second % 3 == 0)
          push_market(out, sym.stream + "@markPrice", payload, now);
      }
    }
  }
  for (auto& a : accounts_) {
    if (a.listen_key.empty() || a.listen_expiry > now)
      continue;
    out.push_back({"listen-key:" + a.listen_key,
                   encode_listen_key_expired(a.listen_key, wall_ms)});
    closed_keys_.push_back(a.listen_key);
    a.listen_key.clear();
    a.listen_expiry = 0;
  }
  return out;
}

std::vector<outbound> binance_core::drain() {
  return std::exchange(pending_, {});
}

bool binance_core::is_market_stream(std::string_view stream) const {
  auto at = stream.find('@');
  if (at == std::string_view::npos)
    return false;
  auto sym = stream.substr(0, at);
  auto kind = stream.substr(at + 1);
  bool known_kind = kind == "depth" || kind == "depth@100ms" || kind == "bookTicker"
                    || kind == "aggTrade";
  if (market_ == binance::market::usdm)
    known_kind = known_kind || kind == "markPrice" || kind == "markPrice@1s";
  if (!known_kind)
    return false;
  for (const auto& [name, s] : symbols_)
    if (s.stream == sym)
      return true;
  return false;
}

std::vector<std::string> binance_core::market_streams() const {
  std::vector<std::string> kinds{"depth", "depth@100ms", "bookTicker", "aggTrade"};
  if (market_ == binance::market::usdm) {
    kinds.emplace_back("markPrice");
    kinds.emplace_back("markPrice@1s");
  }
  std::vector<std::string> out;
  for (const auto& [name, s] : symbols_)
    for (const auto& k : kinds)
      out.push_back(s.stream + "@" + k);
  return out;
}

bool binance_core::listen_key_valid(std::string_view key, nanos now) const {
  if (key.empty())
    return false;
  for (const auto& a : accounts_)
    if (a.listen_key == key)
      return a.listen_expiry > now;
  return false;
}

std::vector<std::string> binance_core::expired_listen_keys() {
  return std::exchange(closed_keys_, {});
}

// -- faults -------------------------------------------------------------------

std::string binance_core::inject(fault f, const std::string& arg, nanos now) {
  auto number = [&]() -> std::optional<int64_t> {
    if (arg.empty())
      return 1;
    auto n = parse_int(arg);
    if (!n || *n <= 0)
      return std::nullopt;
    return n;
  };
  if (f == fault::seq_gap) {
    auto i = symbols_.find(upper(arg));
    if (i == symbols_.end())
      return "seq_gap: unknown symbol '" + arg + "'";
    i->second.market.skip_next_sequence();
    return "seq_gap: the next depth diff of " + i->first + " skips one update id";
  }
  auto n = number();
  if (!n)
    return std::string{to_string(f)} + ": bad argument '" + arg
           + "' (expected a positive integer)";
  auto count = static_cast<uint64_t>(*n);
  auto text = std::to_string(*n);
  switch (f) {
    case fault::rate_limit_429:
      fault_429_left_ = count;
      return "rate_limit_429: the next " + text + " requests are answered 429";
    case fault::ban_418:
      ban_until_ = now + *n * ns_per_s;
      return "ban_418: every request is answered 418 for " + text + " s";
    case fault::unknown_503:
      fault_503_left_ = count;
      return "unknown_503: the next " + text
             + " orders execute but are answered 503";
    case fault::malformed:
      malformed_left_ = count;
      return "malformed: the next " + text
             + " market frames are preceded by a truncated copy";
    case fault::stall:
      stall_until_ = now + *n * ns_per_s;
      return "stall: no market data frames for " + text + " s";
    case fault::seq_gap:
      break;
  }
  return "unknown fault";
}

// -- accessors ----------------------------------------------------------------

std::vector<order_state> binance_core::open_orders(std::string_view api_key) const {
  std::vector<order_state> out;
  auto account = find_account(api_key);
  if (account == no_account)
    return out;
  for (const auto* o : orders_.open_orders(account, {}))
    out.push_back(o->view);
  return out;
}

std::optional<order_state> binance_core::order(uint64_t order_id) const {
  if (const auto* o = orders_.find(order_id))
    return o->view;
  return std::nullopt;
}

std::vector<trade_record> binance_core::trades(std::string_view api_key,
                                               const std::string& symbol,
                                               size_t limit) const {
  auto account = find_account(api_key);
  if (account == no_account)
    return {};
  history_query q;
  q.limit = limit;
  return trades_.query(account, symbol, q);
}

std::vector<asset_balance> binance_core::balances(std::string_view api_key) const {
  auto account = find_account(api_key);
  if (account == no_account)
    return {};
  const auto& a = accounts_[account];
  if (market_ == binance::market::spot)
    return a.spot.balances();
  return {asset_balance{margin_asset_, a.usdm.wallet_balance(), notional{}}};
}

std::optional<position_state> binance_core::position(std::string_view api_key,
                                                     std::string_view symbol) const {
  auto account = find_account(api_key);
  auto i = symbols_.find(std::string{symbol});
  if (account == no_account || i == symbols_.end())
    return std::nullopt;
  return position_of(account, i->second);
}

std::optional<std::string> binance_core::listen_key(std::string_view api_key) const {
  auto account = find_account(api_key);
  if (account == no_account || accounts_[account].listen_key.empty())
    return std::nullopt;
  return accounts_[account].listen_key;
}

const sim::sim_market* binance_core::market(std::string_view symbol) const {
  auto i = symbols_.find(std::string{symbol});
  return i == symbols_.end() ? nullptr : &i->second.market;
}

uint32_t binance_core::used_weight(int64_t wall_ms) const noexcept {
  return limits_.used_weight(wall_ms);
}

size_t binance_core::ws_api_subscriptions(uint64_t conn) const {
  auto i = ws_subs_.find(conn);
  return i == ws_subs_.end() ? 0 : i->second.size();
}

} // namespace agora::xsim
