#include <catch2/catch.hpp>

#include <set>
#include <typeinfo>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "messages/type_ids.hpp"

using namespace agora;

namespace {

price px(int64_t raw) { return price::from_raw(raw); }
quantity qty(int64_t raw) { return quantity::from_raw(raw); }
notional cash(int64_t raw) { return notional::from_raw(raw); }

submit_order sample_order() {
  submit_order x;
  x.cid = client_order_id{42};
  x.venue = venue_id{"sim"};
  x.symbol = symbol_id{"BTCUSDT"};
  x.sd = side::sell;
  x.type = order_type::limit;
  x.tif = time_in_force::post_only;
  x.px = px(6'500'010'000'000);
  x.qty = qty(200'000);
  x.reduce_only = true;
  x.strategy = "mm-1";
  x.local_time = 1'700'000'000'123'456'789;
  return x;
}

book_delta sample_delta() {
  book_delta x;
  x.venue = venue_id{"binance-usdm"};
  x.symbol = symbol_id{"ETHUSDT"};
  x.first_update_id = 1001;
  x.last_update_id = 1005;
  x.prev_last_update_id = 1000;
  x.bids = {{px(340'012'000'000), qty(150'000'000)},
            {px(340'011'000'000), qty(0)}};
  x.asks = {{px(340'013'000'000), qty(1)}};
  x.venue_time = 1'700'000'000'000'000'000;
  x.local_time = 1'700'000'000'000'500'000;
  return x;
}

/// Puts `x` into a caf::message, reads it back and checks it printed the
/// same before and after; returns the message's text.
template <class T>
std::string through_message(const T& x) {
  static_assert(caf::has_type_id<T>::value);
  static_assert(caf::type_id<T>::value >= caf::id_block::agora::begin);
  static_assert(caf::type_id<T>::value < caf::id_block::agora::end);
  auto msg = caf::make_message(x);
  REQUIRE(msg.size() == 1);
  REQUIRE(msg.template match_elements<T>());
  const auto& back = msg.template get_as<T>(0);
  auto text = caf::deep_to_string(x);
  CHECK(caf::deep_to_string(back) == text);
  CHECK_FALSE(text.empty());
  return caf::deep_to_string(msg);
}

template <class T>
std::vector<char> to_bytes(T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  auto err = sink(x);
  REQUIRE_FALSE(err);
  return buf;
}

template <class T>
T from_bytes(const std::vector<char>& buf) {
  T x;
  caf::binary_deserializer source{nullptr, buf};
  auto err = source(x);
  REQUIRE_FALSE(err);
  CHECK(source.remaining() == 0);
  return x;
}

} // namespace

TEST_CASE("type ids of the agora block are distinct and inside the block",
          "[type_ids]") {
  std::set<caf::type_id_t> ids{
    caf::type_id<book_level>::value,
    caf::type_id<instrument_spec>::value,
    caf::type_id<book_snapshot>::value,
    caf::type_id<book_delta>::value,
    caf::type_id<book_delta_batch>::value,
    caf::type_id<trade_tick>::value,
    caf::type_id<top_of_book>::value,
    caf::type_id<book_view>::value,
    caf::type_id<book_stale>::value,
    caf::type_id<bar>::value,
    caf::type_id<submit_order>::value,
    caf::type_id<cancel_order>::value,
    caf::type_id<order_accepted>::value,
    caf::type_id<order_rejected>::value,
    caf::type_id<order_filled>::value,
    caf::type_id<order_canceled>::value,
    caf::type_id<order_view>::value,
    caf::type_id<orders_report>::value,
    caf::type_id<position_view>::value,
    caf::type_id<positions_report>::value,
    caf::type_id<halt_trading>::value,
    caf::type_id<resume_trading>::value,
    caf::type_id<trading_state_changed>::value,
    caf::type_id<trading_state_acknowledged>::value,
    caf::type_id<alert_raised>::value,
    caf::type_id<actor_entry>::value,
    caf::type_id<actor_replaced>::value,
    caf::type_id<child_restarted>::value,
    caf::type_id<actor_stats>::value,
    caf::type_id<graph_node>::value,
    caf::type_id<graph_report>::value,
    caf::type_id<status_report>::value,
    caf::type_id<wire_frame>::value,
    caf::type_id<connection_lost>::value,
    caf::type_id<follow_symbol>::value,
    caf::type_id<unfollow_symbol>::value,
    caf::type_id<snapshot_request>::value,
    caf::type_id<inject_fault>::value,
    caf::type_id<spawn_symbol>::value,
    caf::type_id<stop_symbol>::value,
    caf::type_id<command_failed>::value,
    caf::type_id<std::vector<actor_entry>>::value,
    caf::type_id<std::vector<instrument_spec>>::value,
  };
  CHECK(ids.size() == 43);
  CHECK(*ids.begin() == caf::first_custom_type_id);
  CHECK(*ids.rbegin() < caf::id_block::agora::end);
  CHECK(std::string{caf::type_name<submit_order>::value}
        == "agora::submit_order");
}

TEST_CASE("market data messages travel in a caf::message", "[type_ids]") {
  book_level lvl{px(6'500'010'000'000), qty(200'000)};
  CHECK(through_message(lvl).find("book_level") != std::string::npos);
  instrument_spec spec{venue_id{"sim"},  symbol_id{"BTCUSDT"},
                       px(10'000'000),   qty(100'000),
                       cash(500'000'000), rate::from_raw(10'000),
                       rate::from_raw(40'000), true};
  through_message(spec);
  book_snapshot snap;
  snap.venue = venue_id{"sim"};
  snap.symbol = symbol_id{"BTCUSDT"};
  snap.last_update_id = 7;
  snap.bids = {lvl};
  snap.asks = {{px(6'500'020'000'000), qty(1)}};
  through_message(snap);
  auto delta = sample_delta();
  through_message(delta);
  book_delta_batch batch{symbol_id{"ETHUSDT"}, {delta, delta}};
  auto text = through_message(batch);
  CHECK(text.find("book_delta_batch") != std::string::npos);
  CHECK(text.find("ETHUSDT") != std::string::npos);
  auto msg = caf::make_message(batch);
  const auto& back = msg.get_as<book_delta_batch>(0);
  REQUIRE(back.deltas.size() == 2);
  CHECK(back.deltas[1].bids == delta.bids);
  CHECK(back.deltas[1].last_update_id == 1005);
  through_message(trade_tick{venue_id{"sim"}, symbol_id{"BTCUSDT"},
                             trade_id{9}, px(1), qty(2), side::sell, 3, 4});
  through_message(top_of_book{venue_id{"sim"}, symbol_id{"BTCUSDT"}, lvl, lvl,
                              1, 2});
  book_view view;
  view.bids = {lvl};
  view.mid = px(5);
  view.microprice = 65000.25;
  view.imbalance = -0.5;
  through_message(view);
  through_message(book_stale{venue_id{"sim"}, symbol_id{"BTCUSDT"},
                             stale_reason::crossed_book, "bid >= ask", 11});
  through_message(bar{venue_id{"sim"}, symbol_id{"BTCUSDT"}, 60, 60, px(1),
                      px(4), px(0), px(2), qty(10)});
}

TEST_CASE("order commands, events and reports travel in a caf::message",
          "[type_ids]") {
  auto order = sample_order();
  auto text = through_message(order);
  CHECK(text.find("submit_order") != std::string::npos);
  CHECK(text.find("mm-1") != std::string::npos);
  auto msg = caf::make_message(order);
  const auto& back = msg.get_as<submit_order>(0);
  CHECK(back.cid == client_order_id{42});
  CHECK(back.px == order.px);
  CHECK(back.qty == order.qty);
  CHECK(back.tif == time_in_force::post_only);
  through_message(cancel_order{client_order_id{1}, venue_id{"sim"},
                               symbol_id{"BTCUSDT"}, "mm-1", 5});
  through_message(order_accepted{client_order_id{1}, order_id{77},
                                 venue_id{"sim"}, symbol_id{"BTCUSDT"},
                                 side::buy, px(1), qty(1), "mm-1", 1, 2});
  through_message(order_rejected{client_order_id{1}, venue_id{"sim"},
                                 symbol_id{"BTCUSDT"},
                                 reject_reason::position_cap, "cap 1 BTC",
                                 "mm-1", 1, 2});
  order_filled fill;
  fill.cid = client_order_id{1};
  fill.oid = order_id{77};
  fill.tid = trade_id{5};
  fill.fill_px = px(6'500'000'000'000);
  fill.fill_qty = qty(200'000);
  fill.cum_qty = qty(200'000);
  fill.fee = cash(5'200'000);
  fill.liq = liquidity::maker;
  auto fill_text = through_message(fill);
  CHECK(fill_text.find("order_filled") != std::string::npos);
  auto fill_msg = caf::make_message(fill);
  CHECK(fill_msg.get_as<order_filled>(0).fee == cash(5'200'000));
  through_message(order_canceled{client_order_id{1}, order_id{77},
                                 venue_id{"sim"}, symbol_id{"BTCUSDT"},
                                 side::buy, qty(0), cancel_reason::halt,
                                 "mm-1", 1, 2});
  order_view ov;
  ov.status = order_status::partially_filled;
  through_message(ov);
  through_message(orders_report{{ov, ov}});
  position_view pv;
  pv.qty = qty(-100'000);
  through_message(pv);
  through_message(positions_report{{pv}, cash(1), cash(-2), cash(3)});
}

TEST_CASE("system, directory and control messages travel in a caf::message",
          "[type_ids]") {
  through_message(halt_trading{"drawdown", "risk"});
  through_message(resume_trading{"cli"});
  through_message(trading_state_changed{trading_state::active,
                                        trading_state::halted, "cli", 3, 9});
  through_message(trading_state_acknowledged{"gateway:sim", 3,
                                             trading_state::halted, 2});
  through_message(alert_raised{alert_level::critical, "risk", "halt", 1});
  through_message(actor_entry{"venue:sim/feed", "feed", "venue:sim", {}});
  through_message(actor_replaced{"venue:sim/feed", {}});
  through_message(child_restarted{"feed", 2, "runtime_error"});
  through_message(actor_stats{"running", 1, 2, "k=v"});
  graph_node node{"venue:sim/feed", "feed", "venue:sim", "running", 2, 0, 5,
                  10, ""};
  through_message(node);
  auto text = through_message(graph_report{{node, node}, 77});
  CHECK(text.find("graph_report") != std::string::npos);
  CHECK(text.find("venue:sim/feed") != std::string::npos);
  status_report st;
  st.state = trading_state::reducing;
  st.realized_pnl = cash(-100);
  through_message(st);
  through_message(wire_frame{venue_id{"sim"}, "{\"e\":\"depthUpdate\"}", 3});
  through_message(connection_lost{venue_id{"sim"}, "eof"});
  through_message(follow_symbol{symbol_id{"BTCUSDT"}, {}});
  through_message(unfollow_symbol{symbol_id{"BTCUSDT"}});
  through_message(snapshot_request{symbol_id{"BTCUSDT"}});
  through_message(inject_fault{"stall", symbol_id{"BTCUSDT"}, 5});
  through_message(spawn_symbol{venue_id{"sim"}, symbol_id{"SOLUSDT"}});
  through_message(stop_symbol{venue_id{"sim"}, symbol_id{"SOLUSDT"}});
  through_message(command_failed{"no such symbol"});
  through_message(std::vector<actor_entry>{
    actor_entry{"risk", "risk", "", {}}});
  through_message(std::vector<instrument_spec>{instrument_spec{}});
}

TEST_CASE("atoms of the agora block fit CAF's ten characters",
          "[type_ids]") {
  CHECK(caf::to_string(stats_atom::value) == "stats");
  CHECK(caf::to_string(cancel_all_atom::value) == "cancelall");
  CHECK(caf::to_string(heartbeat_atom::value) == "heartbeat");
  auto msg = caf::make_message(restart_atom_v, uint64_t{3});
  CHECK(msg.match_elements<restart_atom, uint64_t>());
}

TEST_CASE("every message type registers with an actor system config",
          "[type_ids]") {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  caf::actor_system sys{cfg};
  auto& types = sys.types();
  CHECK(types.portable_name(0, &typeid(submit_order)) == "agora::submit_order");
  CHECK(types.portable_name(0, &typeid(graph_report)) == "agora::graph_report");
}

TEST_CASE("submit_order survives a binary round trip field by field",
          "[type_ids][serialization]") {
  auto order = sample_order();
  auto buf = to_bytes(order);
  CHECK_FALSE(buf.empty());
  auto back = from_bytes<submit_order>(buf);
  CHECK(back.cid == order.cid);
  CHECK(back.venue == order.venue);
  CHECK(back.symbol == order.symbol);
  CHECK(back.sd == side::sell);
  CHECK(back.type == order_type::limit);
  CHECK(back.tif == time_in_force::post_only);
  CHECK(back.px.raw() == 6'500'010'000'000);
  CHECK(back.qty.raw() == 200'000);
  CHECK(back.reduce_only);
  CHECK(back.strategy == "mm-1");
  CHECK(back.local_time == 1'700'000'000'123'456'789);
}

TEST_CASE("book_delta survives a binary round trip field by field",
          "[type_ids][serialization]") {
  auto delta = sample_delta();
  auto buf = to_bytes(delta);
  auto back = from_bytes<book_delta>(buf);
  CHECK(back.venue == venue_id{"binance-usdm"});
  CHECK(back.symbol == symbol_id{"ETHUSDT"});
  CHECK(back.first_update_id == 1001);
  CHECK(back.last_update_id == 1005);
  CHECK(back.prev_last_update_id == 1000);
  REQUIRE(back.bids.size() == 2);
  CHECK(back.bids[0] == book_level{px(340'012'000'000), qty(150'000'000)});
  CHECK(back.bids[1].qty.is_zero());
  REQUIRE(back.asks.size() == 1);
  CHECK(back.asks[0].qty.raw() == 1);
  CHECK(back.venue_time == 1'700'000'000'000'000'000);
  CHECK(back.local_time == 1'700'000'000'000'500'000);
}

TEST_CASE("a truncated buffer fails to deserialize instead of inventing data",
          "[type_ids][serialization]") {
  auto buf = to_bytes(sample_delta());
  buf.resize(buf.size() / 2);
  book_delta back;
  caf::binary_deserializer source{nullptr, buf};
  CHECK(source(back));
}
