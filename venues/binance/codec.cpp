#include "venues/binance/codec.hpp"

#include <cctype>

#include <utility>

#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/none.hpp>
#include <rapidjson/document.h>

#include "venues/binance/reader.hpp"
#include "venues/common/json.hpp"

namespace agora::binance {

using namespace detail;

const char* to_string(codec_errc x) noexcept {
  switch (x) {
    case codec_errc::malformed_json:
      return "malformed_json";
    case codec_errc::missing_field:
      return "missing_field";
    case codec_errc::wrong_type:
      return "wrong_type";
    case codec_errc::bad_decimal:
      return "bad_decimal";
    case codec_errc::unknown_event:
      return "unknown_event";
    case codec_errc::venue_error:
      return "venue_error";
  }
  return "unknown";
}

caf::error make_error(codec_errc code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("binance"),
                    caf::make_message(std::move(detail))};
}

namespace {

/// The members every stream event starts with: "E" (event time, ms) and "s"
/// (the symbol).
caf::error read_event_header(const rapidjson::Value& obj, nanos& venue_time,
                             std::string_view& sym) {
  if (auto err = read_ms(obj, "E", venue_time))
    return err;
  return read_string(obj, "s", sym);
}

caf::expected<stream_event> parse_depth(const rapidjson::Value& obj, market m,
                                        const venue_id& venue,
                                        nanos local_time) {
  book_delta x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  if (auto err = read_event_header(obj, x.venue_time, sym))
    return err;
  if (auto err = read_u64(obj, "U", x.first_update_id))
    return err;
  if (auto err = read_u64(obj, "u", x.last_update_id))
    return err;
  if (m == market::usdm || json::find(obj, "pu") != nullptr)
    if (auto err = read_u64(obj, "pu", x.prev_last_update_id))
      return err;
  if (auto err = read_levels(obj, "b", x.bids))
    return err;
  if (auto err = read_levels(obj, "a", x.asks))
    return err;
  x.symbol = symbol_id{sym};
  return stream_event{std::move(x)};
}

caf::expected<stream_event> parse_book_ticker(const rapidjson::Value& obj,
                                              market m, const venue_id& venue,
                                              nanos local_time) {
  book_ticker x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  if (m == market::usdm || json::find(obj, "E") != nullptr)
    if (auto err = read_ms(obj, "E", x.venue_time))
      return err;
  if (auto err = read_u64(obj, "u", x.update_id))
    return err;
  if (auto err = read_string(obj, "s", sym))
    return err;
  if (auto err = read_decimal_member(obj, "b", x.bid.px))
    return err;
  if (auto err = read_decimal_member(obj, "B", x.bid.qty))
    return err;
  if (auto err = read_decimal_member(obj, "a", x.ask.px))
    return err;
  if (auto err = read_decimal_member(obj, "A", x.ask.qty))
    return err;
  x.symbol = symbol_id{sym};
  return stream_event{std::move(x)};
}

/// aggTrade ("a": aggregate trade id) and trade ("t": trade id) share
/// every other field.
caf::expected<stream_event> parse_trade_event(const rapidjson::Value& obj,
                                              const venue_id& venue, nanos local_time,
                                              const char* id_key) {
  trade_tick x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  bool buyer_is_maker = false;
  if (auto err = read_event_header(obj, x.venue_time, sym))
    return err;
  if (auto err = read_u64(obj, id_key, x.id.value))
    return err;
  if (auto err = read_decimal_member(obj, "p", x.px))
    return err;
  if (auto err = read_decimal_member(obj, "q", x.qty))
    return err;
  if (auto err = read_bool(obj, "m", buyer_is_maker))
    return err;
  x.symbol = symbol_id{sym};
  x.aggressor = buyer_is_maker ? side::sell : side::buy;
  return stream_event{std::move(x)};
}

caf::expected<stream_event> parse_mark_price(const rapidjson::Value& obj,
                                             const venue_id& venue,
                                             nanos local_time) {
  funding_update x;
  x.venue = venue;
  x.local_time = local_time;
  std::string_view sym;
  if (auto err = read_event_header(obj, x.venue_time, sym))
    return err;
  if (auto err = read_decimal_member(obj, "p", x.mark))
    return err;
  if (auto err = read_decimal_member(obj, "i", x.index))
    return err;
  // Delivery contracts send "r":"" and "T":0 (no funding).
  if (json::find(obj, "r") == nullptr)
    return missing("r");
  if (auto err = read_optional_decimal(obj, "r", x.funding_rate, sign::any))
    return err;
  if (auto err = read_ms(obj, "T", x.next_funding_time))
    return err;
  x.symbol = symbol_id{sym};
  return stream_event{std::move(x)};
}

/// Spot's bookTicker payload has no "e": {"u","s","b","B","a","A"}.
bool looks_like_spot_book_ticker(const rapidjson::Value& obj) {
  for (auto key : {"u", "s", "b", "B", "a", "A"})
    if (json::find(obj, key) == nullptr)
      return false;
  return true;
}

/// Finds the filter object with "filterType" == `type`, or null.
const rapidjson::Value* find_filter(const rapidjson::Value& filters,
                                    std::string_view type) {
  for (const auto& f : filters.GetArray()) {
    auto t = json::get_string(f, "filterType");
    if (t && *t == type)
      return &f;
  }
  return nullptr;
}

/// Reads one exchangeInfo symbol. Sets `keep` to false for symbols Agora
/// does not trade (not TRADING, not a perpetual on USD-M, or a filter that
/// disables tick or lot rounding).
caf::error read_spec(const rapidjson::Value& s, market m, instrument_spec& x,
                     bool& keep) {
  keep = false;
  if (!s.IsObject())
    return wrong_type("symbols", "an array of objects");
  std::string_view sym;
  std::string_view status;
  if (auto err = read_string(s, "symbol", sym))
    return err;
  if (auto err = read_string(s, "status", status))
    return err;
  if (m == market::usdm) {
    std::string_view contract;
    if (auto err = read_string(s, "contractType", contract))
      return err;
    if (contract != "PERPETUAL")
      return caf::none;
    x.perpetual = true;
  }
  if (status != "TRADING")
    return caf::none;
  auto filters = json::find(s, "filters");
  if (filters == nullptr)
    return missing("filters");
  if (!filters->IsArray())
    return wrong_type("filters", "an array");
  auto pf = find_filter(*filters, "PRICE_FILTER");
  if (pf == nullptr)
    return missing("PRICE_FILTER");
  if (auto err = read_decimal_member(*pf, "tickSize", x.tick))
    return err;
  auto lf = find_filter(*filters, "LOT_SIZE");
  if (lf == nullptr)
    return missing("LOT_SIZE");
  if (auto err = read_decimal_member(*lf, "stepSize", x.lot))
    return err;
  if (auto nf = find_filter(*filters, "NOTIONAL")) {
    if (auto err = read_decimal_member(*nf, "minNotional", x.min_notional))
      return err;
  } else if (auto mf = find_filter(*filters, "MIN_NOTIONAL")) {
    auto key = json::find(*mf, "minNotional") != nullptr ? "minNotional"
                                                         : "notional";
    if (auto err = read_decimal_member(*mf, key, x.min_notional))
      return err;
  }
  x.symbol = symbol_id{sym};
  keep = x.tick.is_positive() && x.lot.is_positive();
  return caf::none;
}

} // namespace

caf::expected<stream_event> parse_stream(std::string_view text, market m,
                                         const venue_id& venue,
                                         nanos local_time) {
  // The stream is nearly all of a feed's parsing: the frame's values live in
  // buffers on this stack frame (a malloc'd chunk only for a frame larger
  // than them), instead of a 64 KiB heap chunk and a parse stack per frame.
  alignas(std::max_align_t) char pool[16 * 1024];
  alignas(std::max_align_t) char stack[2 * 1024];
  rapidjson::MemoryPoolAllocator<> values(pool, sizeof pool);
  rapidjson::MemoryPoolAllocator<> parse_stack(stack, sizeof stack);
  detail::pooled_document doc(&values, sizeof stack / 2, &parse_stack);
  if (auto err = parse_object(text, doc))
    return err;
  const auto& obj = unwrap(doc);
  if (!obj.IsObject())
    return wrong_type("data", "an object");
  auto e = json::find(obj, "e");
  if (e == nullptr) {
    if (auto code = json::find(obj, "code"); code != nullptr && code->IsInt())
      if (auto msg = json::get_string(obj, "msg"))
        return make_error(codec_errc::venue_error,
                          "code=" + std::to_string(code->GetInt()) + " msg="
                            + std::string{*msg});
    if (json::find(obj, "result") != nullptr || json::find(obj, "id") != nullptr)
      return make_error(codec_errc::unknown_event, "request reply");
    if (looks_like_spot_book_ticker(obj))
      return parse_book_ticker(obj, m, venue, local_time);
    return missing("e");
  }
  if (!e->IsString())
    return wrong_type("e", "a string");
  std::string_view event{e->GetString(), e->GetStringLength()};
  if (event == "depthUpdate")
    return parse_depth(obj, m, venue, local_time);
  if (event == "bookTicker")
    return parse_book_ticker(obj, m, venue, local_time);
  if (event == "aggTrade")
    return parse_trade_event(obj, venue, local_time, "a");
  if (event == "trade")
    return parse_trade_event(obj, venue, local_time, "t");
  if (event == "markPriceUpdate")
    return parse_mark_price(obj, venue, local_time);
  return make_error(codec_errc::unknown_event,
                    "unknown event \"" + std::string{event} + "\"");
}

caf::expected<book_snapshot> parse_depth_snapshot(std::string_view text,
                                                  const venue_id& venue,
                                                  const symbol_id& symbol,
                                                  nanos local_time) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  if (json::find(doc, "code") != nullptr && json::find(doc, "msg") != nullptr
      && json::find(doc, "lastUpdateId") == nullptr)
    return make_error(codec_errc::venue_error, "error body");
  book_snapshot x;
  x.venue = venue;
  x.symbol = symbol;
  x.local_time = local_time;
  if (auto err = read_u64(doc, "lastUpdateId", x.last_update_id))
    return err;
  if (json::find(doc, "E") != nullptr)
    if (auto err = read_ms(doc, "E", x.venue_time))
      return err;
  if (auto err = read_levels(doc, "bids", x.bids))
    return err;
  if (auto err = read_levels(doc, "asks", x.asks))
    return err;
  return x;
}

caf::expected<std::vector<instrument_spec>>
parse_exchange_info(std::string_view text, market m, const venue_id& venue,
                    rate maker_fee, rate taker_fee) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  auto symbols = json::find(doc, "symbols");
  if (symbols == nullptr)
    return missing("symbols");
  if (!symbols->IsArray())
    return wrong_type("symbols", "an array");
  std::vector<instrument_spec> out;
  out.reserve(symbols->Size());
  for (const auto& s : symbols->GetArray()) {
    instrument_spec x;
    x.venue = venue;
    x.maker_fee = maker_fee;
    x.taker_fee = taker_fee;
    bool keep = false;
    if (auto err = read_spec(s, m, x, keep))
      return err;
    if (keep)
      out.push_back(std::move(x));
  }
  return out;
}

caf::expected<std::map<std::string, std::string>> parse_base_assets(std::string_view text) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  auto symbols = json::find(doc, "symbols");
  if (symbols == nullptr)
    return missing("symbols");
  if (!symbols->IsArray())
    return wrong_type("symbols", "an array");
  std::map<std::string, std::string> out;
  for (const auto& s : symbols->GetArray()) {
    auto sym = json::get_string(s, "symbol");
    auto base = json::get_string(s, "baseAsset");
    if (sym && base)
      out.emplace(std::string{*sym}, std::string{*base});
  }
  return out;
}

caf::expected<int64_t> parse_server_time(std::string_view text) {
  rapidjson::Document doc;
  if (auto err = parse_object(text, doc))
    return err;
  int64_t ms = 0;
  if (auto err = read_i64(doc, "serverTime", ms))
    return err;
  if (ms < 0)
    return wrong_type("serverTime", "a millisecond time");
  return ms;
}

std::optional<rest_error> parse_rest_error(std::string_view text) {
  rapidjson::Document doc;
  if (parse_object(text, doc))
    return std::nullopt;
  auto code = json::find(doc, "code");
  auto msg = json::get_string(doc, "msg");
  if (code == nullptr || !code->IsInt() || !msg)
    return std::nullopt;
  return rest_error{code->GetInt(), std::string{*msg}};
}

std::string recorded_snapshot(std::string_view symbol, std::string_view body) {
  std::string out = "{\"stream\":\"";
  for (char c : symbol)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out += "@depthSnapshot\",\"data\":";
  out.append(body.data(), body.size());
  out += '}';
  return out;
}

} // namespace agora::binance
