#include "venues/sim/wire.hpp"

#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace agora::sim {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_levels(writer& w, const char* key,
                  const std::vector<book_level>& levels) {
  w.Key(key);
  w.StartArray();
  for (const auto& lvl : levels) {
    w.StartArray();
    write_string(w, lvl.px.to_string());
    write_string(w, lvl.qty.to_string());
    w.EndArray();
  }
  w.EndArray();
}

std::string take(rapidjson::StringBuffer& buf) {
  return std::string{buf.GetString(), buf.GetSize()};
}

} // namespace

std::string encode_depth(const book_delta& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("e");
  w.String("depthUpdate");
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  w.Key("s");
  write_string(w, x.symbol.str());
  w.Key("U");
  w.Uint64(x.first_update_id);
  w.Key("u");
  w.Uint64(x.last_update_id);
  if (x.prev_last_update_id != 0) {
    w.Key("pu");
    w.Uint64(x.prev_last_update_id);
  }
  write_levels(w, "b", x.bids);
  write_levels(w, "a", x.asks);
  w.EndObject();
  return take(buf);
}

std::string encode_trade(const trade_tick& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  auto ms = x.venue_time / ns_per_ms;
  w.Key("e");
  w.String("aggTrade");
  w.Key("E");
  w.Int64(ms);
  w.Key("s");
  write_string(w, x.symbol.str());
  w.Key("a");
  w.Uint64(x.id.value);
  w.Key("p");
  write_string(w, x.px.to_string());
  w.Key("q");
  write_string(w, x.qty.to_string());
  w.Key("f");
  w.Uint64(x.id.value);
  w.Key("l");
  w.Uint64(x.id.value);
  w.Key("T");
  w.Int64(ms);
  w.Key("m");
  w.Bool(x.aggressor == side::sell);
  w.Key("M");
  w.Bool(true);
  w.EndObject();
  return take(buf);
}

std::string encode_mark_price(const funding_update& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("e");
  w.String("markPriceUpdate");
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  w.Key("s");
  write_string(w, x.symbol.str());
  w.Key("p");
  write_string(w, x.mark.to_string());
  w.Key("i");
  write_string(w, x.index.to_string());
  w.Key("P");
  write_string(w, x.index.to_string());
  w.Key("r");
  write_string(w, x.funding_rate.to_string());
  w.Key("T");
  w.Int64(x.next_funding_time / ns_per_ms);
  w.EndObject();
  return take(buf);
}

std::string encode_snapshot(const book_snapshot& x) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("lastUpdateId");
  w.Uint64(x.last_update_id);
  w.Key("E");
  w.Int64(x.venue_time / ns_per_ms);
  write_levels(w, "bids", x.bids);
  write_levels(w, "asks", x.asks);
  w.EndObject();
  return take(buf);
}

} // namespace agora::sim
