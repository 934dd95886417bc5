#pragma once

// A Binance client for integration tests that checks Agora against the
// venue's own records: it talks to a running `agora exchange-sim` (or any
// Binance-protocol venue) over HTTPS like any client would, with the
// account's key and secret, and reads the order and trade history, the
// holdings and the open orders, or places a manual order as a human on the
// website would. Blocking; for test threads only. Every failure (transport,
// a non-200 answer, an answer that does not parse) throws
// std::runtime_error with the venue's answer, so it can be used from helpers
// outside a Catch2 section.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "messages/fixed_point.hpp"
#include "venues/binance/signing.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/json.hpp"
#include "venues/common/url.hpp"

namespace agora::itest {

/// One order as the venue reports it (allOrders, openOrders, a new order).
struct probe_order {
  std::string symbol;
  std::string client_id;
  uint64_t order_id = 0;
  std::string status; ///< NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, ...
  std::string side;   ///< BUY or SELL.
  quantity orig_qty;
  quantity executed_qty;
};

/// One execution of the account as the venue reports it (myTrades /
/// userTrades).
struct probe_trade {
  std::string symbol;
  uint64_t id = 0; ///< The venue's trade id (the user stream's "t").
  uint64_t order_id = 0;
  bool buyer = false;
  price px;
  quantity qty;
};

/// A signed REST client of one venue account (spot or USD-M).
class venue_probe {
public:
  /// `base_url`: "https://127.0.0.1:PORT"; `ca_file`: the PEM certificate
  /// to trust (the exchange-sim's <data dir>/cert.pem).
  venue_probe(std::string base_url, bool usdm, std::string api_key, std::string secret,
              std::string ca_file)
    : usdm_(usdm), api_key_(std::move(api_key)), secret_(std::move(secret)) {
    std::string err;
    auto base = net::parse_url(base_url, &err);
    if (!base)
      throw std::runtime_error("venue_probe: bad base url '" + base_url + "': " + err);
    net::https_options opts;
    opts.base = *base;
    opts.tls.verify = true;
    opts.tls.ca_file = std::move(ca_file);
    opts.max_connections = 1;
    client_ = std::make_unique<net::https_client>(std::move(opts));
  }

  /// Every order of the account on `symbol`, oldest first: GET allOrders,
  /// paged with orderId until a short page.
  std::vector<probe_order> all_orders(const std::string& symbol) {
    std::vector<probe_order> out;
    uint64_t next = 0;
    for (;;) {
      auto doc = get(api("allOrders"), "symbol=" + symbol + "&orderId=" + std::to_string(next)
                                         + "&limit=" + std::to_string(page));
      auto items = array_of(doc, "allOrders");
      for (const auto& v : items->GetArray())
        out.push_back(order_of(v, "allOrders"));
      if (items->Size() < page)
        return out;
      next = out.back().order_id + 1;
    }
  }

  /// Every execution of the account on `symbol`, oldest first, each once:
  /// GET myTrades (spot) / userTrades (USD-M), paged with fromId.
  std::vector<probe_trade> trades(const std::string& symbol) {
    const char* what = usdm_ ? "userTrades" : "myTrades";
    std::vector<probe_trade> out;
    std::set<std::pair<uint64_t, uint64_t>> seen; // (trade id, order id)
    uint64_t next = 0;
    for (;;) {
      auto doc = get(api(what), "symbol=" + symbol + "&fromId=" + std::to_string(next)
                                  + "&limit=" + std::to_string(page));
      auto items = array_of(doc, what);
      size_t added = 0;
      for (const auto& v : items->GetArray()) {
        probe_trade t;
        t.symbol = text(v, "symbol", what);
        t.id = u64(v, "id", what);
        t.order_id = u64(v, "orderId", what);
        auto buyer = json::get_bool(v, usdm_ ? "buyer" : "isBuyer");
        auto px = json::get_decimal<price>(v, "price");
        auto qty = json::get_decimal<quantity>(v, "qty");
        if (!buyer || !px || !qty)
          throw std::runtime_error(std::string{"venue_probe: bad "} + what + " element");
        t.buyer = *buyer;
        t.px = *px;
        t.qty = *qty;
        // The next page starts at the last id again (two executions may
        // share a trade id): skip what was already seen.
        if (seen.insert({t.id, t.order_id}).second) {
          out.push_back(std::move(t));
          ++added;
        }
      }
      if (items->Size() < page)
        return out;
      if (added == 0)
        throw std::runtime_error(std::string{"venue_probe: "} + what
                                 + " paging made no progress");
      next = out.back().id;
    }
  }

  /// Spot: every asset of the account -> free + locked. USD-M: every symbol
  /// with a position -> its signed positionAmt (flat symbols left out).
  std::map<std::string, quantity> holdings() {
    std::map<std::string, quantity> out;
    if (!usdm_) {
      auto doc = get("/api/v3/account", "");
      auto* balances = json::get_array(doc, "balances");
      if (balances == nullptr)
        throw std::runtime_error("venue_probe: account answer without balances");
      for (const auto& b : balances->GetArray()) {
        auto free = json::get_decimal<quantity>(b, "free");
        auto locked = json::get_decimal<quantity>(b, "locked");
        if (!free || !locked)
          throw std::runtime_error("venue_probe: bad balance");
        out[text(b, "asset", "account")] = *free + *locked;
      }
      return out;
    }
    auto doc = get("/fapi/v2/positionRisk", "");
    auto items = array_of(doc, "positionRisk");
    for (const auto& p : items->GetArray()) {
      auto amount = json::get_decimal<quantity>(p, "positionAmt");
      if (!amount)
        throw std::runtime_error("venue_probe: bad positionAmt");
      if (!amount->is_zero())
        out[text(p, "symbol", "positionRisk")] = *amount;
    }
    return out;
  }

  /// Places an order directly on the venue (a manual order, outside Agora)
  /// and returns its state right after placement (newOrderRespType RESULT).
  probe_order place(const std::string& symbol, const std::string& side,
                    const std::string& type, const std::string& qty,
                    const std::string& price, const std::string& client_id,
                    const std::string& tif = "GTC") {
    binance::query_builder q;
    q.add("symbol", symbol).add("side", side).add("type", type).add("quantity", qty);
    if (!price.empty())
      q.add("price", price);
    if (type == "LIMIT")
      q.add("timeInForce", tif);
    q.add("newClientOrderId", client_id).add("newOrderRespType", "RESULT");
    auto doc = send("POST", api("order"), q.str());
    return order_of(doc, "order");
  }

  /// The account's open orders on `symbol`.
  std::vector<probe_order> open_orders(const std::string& symbol) {
    auto doc = get(api("openOrders"), "symbol=" + symbol);
    auto items = array_of(doc, "openOrders");
    std::vector<probe_order> out;
    for (const auto& v : items->GetArray())
      out.push_back(order_of(v, "openOrders"));
    return out;
  }

private:
  static constexpr rapidjson::SizeType page = 1000;

  /// "/api/v3/<tail>" or "/fapi/v1/<tail>".
  std::string api(const std::string& tail) const {
    return (usdm_ ? "/fapi/v1/" : "/api/v3/") + tail;
  }

  rapidjson::Document get(const std::string& path, const std::string& query) {
    return send("GET", path, query);
  }

  /// Sends a SIGNED request (every parameter in the query string) and
  /// parses the 200 answer.
  rapidjson::Document send(const std::string& method, const std::string& path,
                           const std::string& query) {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    auto q = (query.empty() ? std::string{} : query + "&") + "recvWindow=10000&timestamp="
             + std::to_string(now_ms);
    net::https_request req;
    req.method = method;
    req.target = path + "?" + binance::signed_query(q, {}, secret_);
    req.headers.push_back({"X-MBX-APIKEY", api_key_});
    auto r = client_->call(std::move(req));
    auto what = method + " " + path;
    if (r.outcome != net::send_outcome::complete)
      throw std::runtime_error("venue_probe " + what + ": " + r.error);
    if (r.status != 200)
      throw std::runtime_error("venue_probe " + what + ": HTTP " + std::to_string(r.status)
                               + " " + r.body);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str(), r.body.size());
    if (doc.HasParseError())
      throw std::runtime_error("venue_probe " + what + ": not JSON: " + r.body);
    return doc;
  }

  static const rapidjson::Value* array_of(const rapidjson::Document& doc, const char* what) {
    if (!doc.IsArray())
      throw std::runtime_error(std::string{"venue_probe: "} + what + " answer is not an array");
    return &doc;
  }

  static std::string text(const rapidjson::Value& v, const char* key, const char* what) {
    auto s = json::get_string(v, key);
    if (!s)
      throw std::runtime_error(std::string{"venue_probe: "} + what + " element without "
                               + key);
    return std::string{*s};
  }

  static uint64_t u64(const rapidjson::Value& v, const char* key, const char* what) {
    auto n = json::get_u64(v, key);
    if (!n)
      throw std::runtime_error(std::string{"venue_probe: "} + what + " element without "
                               + key);
    return *n;
  }

  static probe_order order_of(const rapidjson::Value& v, const char* what) {
    probe_order o;
    o.symbol = text(v, "symbol", what);
    o.client_id = text(v, "clientOrderId", what);
    o.order_id = u64(v, "orderId", what);
    o.status = text(v, "status", what);
    o.side = text(v, "side", what);
    auto orig = json::get_decimal<quantity>(v, "origQty");
    auto executed = json::get_decimal<quantity>(v, "executedQty");
    if (!orig || !executed)
      throw std::runtime_error(std::string{"venue_probe: "} + what
                               + " element without origQty / executedQty");
    o.orig_qty = *orig;
    o.executed_qty = *executed;
    return o;
  }

  bool usdm_;
  std::string api_key_;
  std::string secret_;
  std::unique_ptr<net::https_client> client_;
};

} // namespace agora::itest
