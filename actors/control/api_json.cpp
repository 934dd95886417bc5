#include "actors/control/api_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include <fmt/format.h>

namespace agora {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void kv(writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void kv(writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void kv(writer& w, const char* k, uint64_t v) {
  w.Key(k);
  w.Uint64(v);
}

void kv_i(writer& w, const char* k, int64_t v) {
  w.Key(k);
  w.Int64(v);
}

void kv_b(writer& w, const char* k, bool v) {
  w.Key(k);
  w.Bool(v);
}

/// A finite double as a number, anything else as null (RapidJSON would
/// write half a member for NaN or infinity).
void kv_d(writer& w, const char* k, double v) {
  w.Key(k);
  if (std::isfinite(v))
    w.Double(v);
  else
    w.Null();
}

template <class Tag>
void kv(writer& w, const char* k, fixed<Tag> v) {
  kv(w, k, v.to_string());
}

/// `actual - expected` as a decimal, without overflowing.
std::string difference(quantity expected, quantity actual) {
  int64_t raw = 0;
  if (__builtin_sub_overflow(actual.raw(), expected.raw(), &raw))
    return "out of range";
  return quantity::from_raw(raw).to_string();
}

std::string done(rapidjson::StringBuffer& buf) {
  return std::string{buf.GetString(), buf.GetSize()};
}

} // namespace

std::string to_json(const graph_report& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  kv_i(w, "taken_ns", x.taken);
  w.Key("nodes");
  w.StartArray();
  for (auto& n : x.nodes) {
    w.StartObject();
    kv(w, "name", n.name);
    kv(w, "kind", n.kind);
    kv(w, "parent", n.parent);
    kv(w, "state", n.state);
    kv(w, "restarts", n.restarts);
    kv(w, "mailbox", n.mailbox);
    kv(w, "processed", n.processed);
    kv_i(w, "started_ns", n.started);
    kv(w, "detail", n.detail);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string to_json(const status_report& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  kv(w, "state", to_string(x.state));
  kv(w, "state_reason", x.state_reason);
  kv(w, "intents", x.intents);
  kv(w, "denied", x.denied);
  kv(w, "fills", x.fills);
  kv(w, "open_orders", x.open_orders);
  kv(w, "realized_pnl", x.realized_pnl);
  kv(w, "unrealized_pnl", x.unrealized_pnl);
  kv(w, "gross_exposure", x.gross_exposure);
  kv(w, "restarts", x.restarts);
  kv(w, "actors", x.actors);
  kv_i(w, "uptime_ns", x.uptime);
  kv(w, "state_epoch", x.state_epoch);
  kv(w, "pending_acks", x.pending_acks);
  kv_i(w, "last_ack_latency_ns", x.last_ack_latency);
  w.Key("scopes");
  w.StartArray();
  for (auto& s : x.scopes) {
    w.StartObject();
    kv(w, "scope", s.scope.to_string());
    kv(w, "state", to_string(s.state));
    kv(w, "reason", s.reason);
    kv(w, "by", s.by);
    kv_i(w, "since_ns", s.since);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string to_json(const orders_report& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("orders");
  w.StartArray();
  for (auto& o : x.orders) {
    w.StartObject();
    kv(w, "cid", o.cid.value);
    kv(w, "oid", o.oid.value);
    kv(w, "venue", o.venue.str());
    kv(w, "symbol", o.symbol.str());
    kv(w, "side", to_string(o.sd));
    kv(w, "type", to_string(o.type));
    kv(w, "tif", to_string(o.tif));
    kv(w, "price", o.px);
    kv(w, "qty", o.qty);
    kv(w, "cum_qty", o.cum_qty);
    kv(w, "status", to_string(o.status));
    kv(w, "strategy", o.strategy);
    kv_i(w, "created_ns", o.created);
    kv_i(w, "updated_ns", o.updated);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string to_json(const positions_report& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  kv(w, "realized_pnl", x.realized_pnl);
  kv(w, "unrealized_pnl", x.unrealized_pnl);
  kv(w, "gross_exposure", x.gross_exposure);
  w.Key("positions");
  w.StartArray();
  for (auto& p : x.positions) {
    w.StartObject();
    kv(w, "venue", p.venue.str());
    kv(w, "symbol", p.symbol.str());
    kv(w, "qty", p.qty);
    kv(w, "avg_price", p.avg_price);
    kv(w, "mark", p.mark);
    kv(w, "realized_pnl", p.realized_pnl);
    kv(w, "unrealized_pnl", p.unrealized_pnl);
    kv(w, "fees", p.fees);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string to_json(const std::vector<order_filled>& fills) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("fills");
  w.StartArray();
  for (auto& f : fills) {
    w.StartObject();
    kv_i(w, "time_ns", f.venue_time != 0 ? f.venue_time : f.local_time);
    kv(w, "venue", f.venue.str());
    kv(w, "symbol", f.symbol.str());
    kv(w, "cid", f.cid.value);
    kv(w, "oid", f.oid.value);
    kv(w, "tid", f.tid.value);
    kv(w, "side", to_string(f.sd));
    kv(w, "px", f.fill_px);
    kv(w, "qty", f.fill_qty);
    kv(w, "cum_qty", f.cum_qty);
    kv(w, "leaves_qty", f.leaves_qty);
    kv(w, "fee", f.fee);
    kv(w, "liquidity", to_string(f.liq));
    kv(w, "strategy", f.strategy);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string to_json(const std::vector<signal_record>& signals) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("signals");
  w.StartArray();
  for (auto& s : signals) {
    w.StartObject();
    kv_i(w, "time_ns", s.time);
    kv(w, "strategy", s.strategy);
    kv(w, "venue", s.venue.str());
    kv(w, "symbol", s.symbol.str());
    kv(w, "name", s.name);
    kv_d(w, "z", s.z);
    kv_d(w, "rho", s.rho);
    kv_b(w, "acted", s.acted);
    kv(w, "why", s.why);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return done(buf);
}

std::string pnl_json(const std::vector<pnl_record>& snapshots,
                     const status_report& live) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("snapshots");
  w.StartArray();
  for (auto& p : snapshots) {
    w.StartObject();
    kv_i(w, "time_ns", p.time);
    kv(w, "realized", p.realized);
    kv(w, "unrealized", p.unrealized);
    kv(w, "gross_exposure", p.gross_exposure);
    kv(w, "fees", p.fees);
    w.EndObject();
  }
  w.EndArray();
  w.Key("live");
  w.StartObject();
  kv(w, "realized", live.realized_pnl);
  kv(w, "unrealized", live.unrealized_pnl);
  kv(w, "gross_exposure", live.gross_exposure);
  w.EndObject();
  w.EndObject();
  return done(buf);
}

std::string reconcile_json(const std::vector<reconcile_report>& venues,
                           const std::vector<reconcile_record>& recent,
                           const status_report& status) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("venues");
  w.StartArray();
  for (auto& r : venues) {
    w.StartObject();
    kv(w, "venue", r.venue.str());
    kv_i(w, "time_ns", r.time);
    kv_b(w, "complete", r.complete);
    kv(w, "error", r.error);
    kv_b(w, "startup", r.startup);
    kv(w, "orders_recovered", r.orders_recovered);
    kv(w, "orphans_canceled", r.orphans_canceled);
    kv(w, "fills_recovered", r.fills_recovered);
    w.Key("differences");
    w.StartArray();
    for (auto& d : r.differences) {
      w.StartObject();
      kv(w, "key", d.key);
      kv(w, "journal", d.expected);
      kv(w, "venue", d.actual);
      kv(w, "diff", difference(d.expected, d.actual));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("recent");
  w.StartArray();
  for (auto& r : recent) {
    w.StartObject();
    kv_i(w, "time_ns", r.time);
    kv(w, "venue", r.venue.str());
    kv(w, "action", r.action);
    kv(w, "key", r.key);
    kv(w, "expected", r.expected);
    kv(w, "actual", r.actual);
    kv(w, "detail", r.detail);
    kv(w, "by", r.by);
    w.EndObject();
  }
  w.EndArray();
  kv(w, "trading", to_string(status.state));
  kv(w, "reason", status.state_reason);
  w.EndObject();
  return done(buf);
}

std::string json_error(const std::string& what) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  kv(w, "error", what);
  w.EndObject();
  return done(buf);
}

std::string json_result(const std::string& what) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  kv(w, "result", what);
  w.EndObject();
  return done(buf);
}

std::string to_metrics(const status_report& s, const graph_report& g) {
  std::string out;
  auto line = [&out](const char* name, const char* help, const std::string& v) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help,
                       name, name, v);
  };
  line("agora_trading_state", "1 active, 2 reducing, 3 halted",
       std::to_string(static_cast<int>(s.state)));
  line("agora_intents_total", "Order intents from strategies",
       std::to_string(s.intents));
  line("agora_intents_denied_total", "Intents denied by risk",
       std::to_string(s.denied));
  line("agora_fills_total", "Fills", std::to_string(s.fills));
  line("agora_open_orders", "Orders open", std::to_string(s.open_orders));
  line("agora_realized_pnl", "Realized PnL (quote)", s.realized_pnl.to_string());
  line("agora_unrealized_pnl", "Unrealized PnL (quote)",
       s.unrealized_pnl.to_string());
  line("agora_gross_exposure", "Gross exposure (quote)",
       s.gross_exposure.to_string());
  out += "# HELP agora_actor_restarts Restarts per actor\n"
         "# TYPE agora_actor_restarts counter\n";
  for (auto& n : g.nodes)
    out += fmt::format("agora_actor_restarts{{name=\"{}\",kind=\"{}\"}} {}\n",
                       n.name, n.kind, n.restarts);
  out += "# HELP agora_actor_mailbox Mailbox size per actor\n"
         "# TYPE agora_actor_mailbox gauge\n";
  for (auto& n : g.nodes)
    out += fmt::format("agora_actor_mailbox{{name=\"{}\",kind=\"{}\"}} {}\n",
                       n.name, n.kind, n.mailbox);
  return out;
}

} // namespace agora
