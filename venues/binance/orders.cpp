#include "venues/binance/orders.hpp"

#include <utility>

#include <caf/none.hpp>
#include <rapidjson/document.h>

#include "venues/binance/reader.hpp"
#include "venues/common/json.hpp"

namespace agora::binance {

using namespace detail;

namespace {

exec_type to_exec_type(std::string_view x) noexcept {
  if (x == "NEW")
    return exec_type::new_order;
  if (x == "TRADE" || x == "CALCULATED")
    return exec_type::trade;
  if (x == "CANCELED")
    return exec_type::canceled;
  if (x == "EXPIRED" || x == "TRADE_PREVENTION")
    return exec_type::expired;
  if (x == "REJECTED")
    return exec_type::rejected;
  if (x == "REPLACED" || x == "AMENDMENT")
    return exec_type::amendment;
  return exec_type::other;
}

order_state to_order_state(std::string_view x) noexcept {
  if (x == "NEW")
    return order_state::new_order;
  if (x == "PARTIALLY_FILLED")
    return order_state::partially_filled;
  if (x == "FILLED")
    return order_state::filled;
  if (x == "CANCELED")
    return order_state::canceled;
  if (x == "EXPIRED" || x == "EXPIRED_IN_MATCH")
    return order_state::expired;
  if (x == "REJECTED")
    return order_state::rejected;
  if (x == "PENDING_CANCEL")
    return order_state::pending_cancel;
  return order_state::other;
}

/// A body {"code":..,"msg":..} without `id_key` is a Binance error.
caf::error venue_error_of(const rapidjson::Value& obj, std::string_view id_key) {
  if (!obj.IsObject() || json::find(obj, id_key) != nullptr)
    return caf::none;
  auto code = json::find(obj, "code");
  auto msg = json::get_string(obj, "msg");
  if (code == nullptr || !code->IsInt() || !msg)
    return caf::none;
  return make_error(codec_errc::venue_error,
                    "code=" + std::to_string(code->GetInt())
                      + " msg=" + std::string{*msg});
}

/// Reads an optional string member into `out` (absent or null: unchanged).
caf::error copy_optional_string(const rapidjson::Value& obj,
                                std::string_view key, std::string& out) {
  std::string_view s;
  if (auto err = read_optional_string(obj, key, s))
    return err;
  if (json::find(obj, key) != nullptr)
    out.assign(s);
  return caf::none;
}

/// Reads a REST order object (spot or USD-M; ACK answers carry only the ids).
caf::error read_rest_order(const rapidjson::Value& obj, market m,
                           order_update& x) {
  if (!obj.IsObject())
    return wrong_type("order", "an object");
  std::string_view sym;
  std::string_view cid;
  if (auto err = read_string(obj, "symbol", sym))
    return err;
  if (auto err = read_u64(obj, "orderId", x.order_id))
    return err;
  if (auto err = read_string(obj, "clientOrderId", cid))
    return err;
  x.symbol = symbol_id{sym};
  x.client_id.assign(cid);
  if (auto err = copy_optional_string(obj, "origClientOrderId",
                                      x.orig_client_id))
    return err;
  if (json::find(obj, "side") != nullptr)
    if (auto err = read_side(obj, "side", x.sd))
      return err;
  if (auto err = copy_optional_string(obj, "type", x.type))
    return err;
  if (auto err = copy_optional_string(obj, "timeInForce", x.tif))
    return err;
  if (json::find(obj, "status") != nullptr) {
    std::string_view status;
    if (auto err = read_string(obj, "status", status))
      return err;
    x.state = to_order_state(status);
  }
  if (auto err = read_optional_decimal(obj, "price", x.px))
    return err;
  if (auto err = read_optional_decimal(obj, "origQty", x.qty))
    return err;
  if (auto err = read_optional_decimal(obj, "executedQty", x.cum_qty))
    return err;
  for (auto key : {"transactTime", "updateTime"})
    if (json::find(obj, key) != nullptr) {
      if (auto err = read_ms(obj, key, x.transaction_time))
        return err;
      break;
    }
  if (m == market::usdm && json::find(obj, "reduceOnly") != nullptr)
    if (auto err = read_bool(obj, "reduceOnly", x.reduce_only))
      return err;
  return caf::none;
}

/// Reads the order fields shared by executionReport and ORDER_TRADE_UPDATE's
/// "o" object.
caf::error read_stream_order(const rapidjson::Value& o, order_update& x) {
  std::string_view sym;
  std::string_view cid;
  std::string_view exec;
  std::string_view status;
  if (auto err = read_string(o, "s", sym))
    return err;
  if (auto err = read_string(o, "c", cid))
    return err;
  if (auto err = read_side(o, "S", x.sd))
    return err;
  std::string_view type;
  std::string_view tif;
  if (auto err = read_string(o, "o", type))
    return err;
  if (auto err = read_string(o, "f", tif))
    return err;
  if (auto err = read_decimal_member(o, "q", x.qty))
    return err;
  if (auto err = read_decimal_member(o, "p", x.px))
    return err;
  if (auto err = read_string(o, "x", exec))
    return err;
  if (auto err = read_string(o, "X", status))
    return err;
  if (auto err = read_u64(o, "i", x.order_id))
    return err;
  if (auto err = read_decimal_member(o, "l", x.last_qty))
    return err;
  if (auto err = read_decimal_member(o, "z", x.cum_qty))
    return err;
  if (auto err = read_decimal_member(o, "L", x.last_px))
    return err;
  if (auto err = read_optional_decimal(o, "n", x.fee, sign::any))
    return err;
  if (auto err = copy_optional_string(o, "N", x.fee_asset))
    return err;
  if (auto err = read_ms(o, "T", x.transaction_time))
    return err;
  int64_t tid = 0;
  if (auto err = read_i64(o, "t", tid))
    return err;
  if (auto err = read_bool(o, "m", x.maker))
    return err;
  x.symbol = symbol_id{sym};
  x.client_id.assign(cid);
  x.type.assign(type);
  x.tif.assign(tif);
  x.exec = to_exec_type(exec);
  x.state = to_order_state(status);
  x.trade_id = tid > 0 ? static_cast<uint64_t>(tid) : 0;
  return caf::none;
}

caf::expected<user_event> parse_execution_report(const rapidjson::Value& obj) {
  order_update x;
  if (auto err = read_ms(obj, "E", x.event_time))
    return err;
  if (auto err = read_stream_order(obj, x))
    return err;
  if (auto err = copy_optional_string(obj, "C", x.orig_client_id))
    return err;
  std::string reason;
  if (auto err = copy_optional_string(obj, "r", reason))
    return err;
  if (reason != "NONE")
    x.reject_reason = std::move(reason);
  return user_event{std::move(x)};
}

caf::expected<user_event> parse_order_trade_update(const rapidjson::Value& obj) {
  order_update x;
  if (auto err = read_ms(obj, "E", x.event_time))
    return err;
  auto o = json::find(obj, "o");
  if (o == nullptr)
    return missing("o");
  if (!o->IsObject())
    return wrong_type("o", "an object");
  if (auto err = read_stream_order(*o, x))
    return err;
  if (auto err = read_bool(*o, "R", x.reduce_only))
    return err;
  return user_event{std::move(x)};
}

/// Reads an optional array member (absent: nullptr, no error).
caf::error optional_array(const rapidjson::Value& obj, std::string_view key,
                          const rapidjson::Value*& out) {
  out = json::find(obj, key);
  if (out != nullptr && !out->IsArray())
    return wrong_type(key, "an array");
  return caf::none;
}

caf::error required_array(const rapidjson::Value& obj, std::string_view key,
                          const rapidjson::Value*& out) {
  out = json::find(obj, key);
  if (out == nullptr)
    return missing(key);
  if (!out->IsArray())
    return wrong_type(key, "an array");
  return caf::none;
}

/// Reads balances: `asset_key`, `free_key` and, when non-empty, `locked_key`.
caf::error read_balances(const rapidjson::Value& arr, std::string_view what,
                         std::string_view asset_key, std::string_view free_key,
                         std::string_view locked_key,
                         std::vector<balance>& out) {
  out.reserve(out.size() + arr.Size());
  for (const auto& b : arr.GetArray()) {
    if (!b.IsObject())
      return wrong_type(what, "an array of objects");
    balance x;
    std::string_view asset;
    if (auto err = read_string(b, asset_key, asset))
      return err;
    if (auto err = read_decimal_member(b, free_key, x.free, sign::any))
      return err;
    if (!locked_key.empty())
      if (auto err = read_decimal_member(b, locked_key, x.locked, sign::any))
        return err;
    x.asset.assign(asset);
    out.push_back(std::move(x));
  }
  return caf::none;
}

/// Reads positions with the given member names.
caf::error read_positions(const rapidjson::Value& arr, std::string_view what,
                          std::string_view symbol_key,
                          std::string_view amount_key,
                          std::string_view entry_key, std::string_view pnl_key,
                          std::vector<position>& out) {
  out.reserve(out.size() + arr.Size());
  for (const auto& p : arr.GetArray()) {
    if (!p.IsObject())
      return wrong_type(what, "an array of objects");
    position x;
    std::string_view sym;
    if (auto err = read_string(p, symbol_key, sym))
      return err;
    if (auto err = read_decimal_member(p, amount_key, x.amount, sign::any))
      return err;
    if (auto err = read_decimal_member(p, entry_key, x.entry_price))
      return err;
    if (auto err = read_decimal_member(p, pnl_key, x.unrealized_pnl,
                                       sign::any))
      return err;
    x.symbol = symbol_id{sym};
    out.push_back(std::move(x));
  }
  return caf::none;
}

caf::expected<user_event> parse_outbound_account(const rapidjson::Value& obj) {
  account_update x;
  if (auto err = read_ms(obj, "E", x.event_time))
    return err;
  const rapidjson::Value* arr = nullptr;
  if (auto err = required_array(obj, "B", arr))
    return err;
  if (auto err = read_balances(*arr, "B", "a", "f", "l", x.balances))
    return err;
  return user_event{std::move(x)};
}

caf::expected<user_event> parse_usdm_account_update(const rapidjson::Value& obj) {
  account_update x;
  if (auto err = read_ms(obj, "E", x.event_time))
    return err;
  auto a = json::find(obj, "a");
  if (a == nullptr)
    return missing("a");
  if (!a->IsObject())
    return wrong_type("a", "an object");
  const rapidjson::Value* arr = nullptr;
  if (auto err = optional_array(*a, "B", arr))
    return err;
  if (arr != nullptr)
    if (auto err = read_balances(*arr, "B", "a", "wb", "", x.balances))
      return err;
  if (auto err = optional_array(*a, "P", arr))
    return err;
  if (arr != nullptr)
    if (auto err = read_positions(*arr, "P", "s", "pa", "ep", "up",
                                  x.positions))
      return err;
  return user_event{std::move(x)};
}

caf::expected<user_event> parse_listen_key_expired(const rapidjson::Value& obj) {
  listen_key_expired x;
  std::string_view key;
  if (auto err = read_ms(obj, "E", x.event_time))
    return err;
  if (auto err = read_string(obj, "listenKey", key))
    return err;
  x.listen_key.assign(key);
  return user_event{std::move(x)};
}

} // namespace

caf::expected<order_update> parse_order(std::string_view text, market m) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  if (auto err = venue_error_of(doc, "orderId"))
    return err;
  order_update x;
  if (auto err = read_rest_order(doc, m, x))
    return err;
  return x;
}

caf::expected<std::vector<order_update>> parse_open_orders(std::string_view text,
                                                           market m) {
  rapidjson::Document doc;
  if (auto err = parse_document(text, doc))
    return err;
  if (auto err = venue_error_of(doc, "orderId"))
    return err;
  if (!doc.IsArray())
    return make_error(codec_errc::malformed_json, "top level is not an array");
  std::vector<order_update> out;
  out.reserve(doc.Size());
  for (const auto& o : doc.GetArray()) {
    order_update x;
    if (auto err = read_rest_order(o, m, x))
      return err;
    out.push_back(std::move(x));
  }
  return out;
}

caf::expected<account_update> parse_account(std::string_view text, market m) {
  rapidjson::Document doc;
  if (auto err = parse_document(text, doc))
    return err;
  account_update x;
  if (doc.IsArray()) {
    // GET /fapi/v2/positionRisk
    if (m != market::usdm)
      return make_error(codec_errc::malformed_json,
                        "top level is not an object");
    if (auto err = read_positions(doc, "positions", "symbol", "positionAmt",
                                  "entryPrice", "unRealizedProfit",
                                  x.positions))
      return err;
    return x;
  }
  if (!doc.IsObject())
    return make_error(codec_errc::malformed_json,
                      "top level is not an object or array");
  if (auto err = venue_error_of(doc, m == market::spot ? "balances" : "assets"))
    return err;
  if (json::find(doc, "updateTime") != nullptr)
    if (auto err = read_ms(doc, "updateTime", x.event_time))
      return err;
  const rapidjson::Value* arr = nullptr;
  if (m == market::spot) {
    if (auto err = required_array(doc, "balances", arr))
      return err;
    if (auto err = read_balances(*arr, "balances", "asset", "free", "locked",
                                 x.balances))
      return err;
    return x;
  }
  if (auto err = required_array(doc, "assets", arr))
    return err;
  if (auto err = read_balances(*arr, "assets", "asset", "walletBalance", "",
                               x.balances))
    return err;
  if (auto err = required_array(doc, "positions", arr))
    return err;
  if (auto err = read_positions(*arr, "positions", "symbol", "positionAmt",
                                "entryPrice", "unrealizedProfit", x.positions))
    return err;
  return x;
}

caf::expected<user_event> parse_user_event(std::string_view text, market m) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  const auto& obj = unwrap(doc);
  if (!obj.IsObject())
    return wrong_type("event", "an object");
  std::string_view e;
  if (json::find(obj, "e") == nullptr) {
    if (json::find(obj, "result") != nullptr || json::find(obj, "id") != nullptr)
      return make_error(codec_errc::unknown_event, "request reply");
    return missing("e");
  }
  if (auto err = read_string(obj, "e", e))
    return err;
  if (e == "listenKeyExpired")
    return parse_listen_key_expired(obj);
  if (m == market::spot) {
    if (e == "executionReport")
      return parse_execution_report(obj);
    if (e == "outboundAccountPosition")
      return parse_outbound_account(obj);
  } else {
    if (e == "ORDER_TRADE_UPDATE")
      return parse_order_trade_update(obj);
    if (e == "ACCOUNT_UPDATE")
      return parse_usdm_account_update(obj);
  }
  return make_error(codec_errc::unknown_event,
                    "unknown event \"" + std::string{e} + "\"");
}

} // namespace agora::binance
