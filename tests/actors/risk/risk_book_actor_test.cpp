#include <catch2/catch.hpp>

#include "tests/actors/risk/risk_fixture.hpp"

// The risk book in the actor: breakers, macro windows, scoped states,
// acknowledgement escalation, group caps, the flip guard and emergency
// orders, all under the deterministic scheduler with a manual clock.

namespace {

const symbol_id eth{"ETHUSDT"};

order_filled fill_of(uint64_t cid, const symbol_id& s, side sd, price p,
                     quantity q) {
  order_filled f;
  f.cid = client_order_id{cid};
  f.oid = order_id{cid + 1000};
  f.venue = sim;
  f.symbol = s;
  f.sd = sd;
  f.tid = trade_id{cid + 5000};
  f.fill_px = p;
  f.fill_qty = q;
  f.cum_qty = q;
  f.leaves_qty = quantity{};
  f.strategy = strategy_name;
  return f;
}

/// Tenths of a unit of base asset.
quantity qty_deci(int64_t n) {
  return quantity::from_raw(n * 10'000'000);
}

struct book_fixture : risk_fixture {
  /// The gateway reports a fill to risk.
  void fill(const order_filled& f) {
    caf::anon_send(gateway, relay_atom_v, risk, f);
    sched.run();
  }

  /// The answer to a halt of `scope` ("<no answer>" if none came).
  std::string halt_at(trading_scope scope, std::string reason = "drill") {
    return ask<std::string>(
               risk, halt_trading{std::move(reason), "cli", std::move(scope)})
        .value_or("<no answer>");
  }

  /// The answer to a resume of `scope` by `by`.
  std::string resume_at(trading_scope scope = {}, std::string by = "cli") {
    return ask<std::string>(risk,
                            resume_trading{std::move(by), std::move(scope)})
        .value_or("<no answer>");
  }

  /// Sets the book's bid and ask to `p` (mid = p).
  void quote(price p) {
    top->venue = sim;
    top->symbol = btc;
    top->bid = book_level{p, qty_centi(50)};
    top->ask = book_level{p, qty_centi(50)};
  }
};

} // namespace

TEST_CASE_METHOD(
    book_fixture,
    "the daily loss breaker halts trading globally when fills lose "
    "more than 2% of equity",
    "[risk_actor][breakers]") {
  start_risk(
      [](risk_params& p) { p.book.breakers.daily_drawdown_limit = 0.05; });
  fill(fill_of(1, btc, side::buy, px(60'000), qty_deci(1)));
  // Sold 2000 lower on 0.1: -200, exactly the limit.
  fill(fill_of(2, btc, side::sell, px(58'000), qty_deci(1)));
  CHECK(status().state == trading_state::active);
  fill(fill_of(3, btc, side::buy, px(60'000), qty_deci(1)));
  fill(fill_of(4, btc, side::sell, px(59'999), qty_deci(1))); // -0.1 more
  auto s = status();
  CHECK(s.state == trading_state::halted);
  CHECK(s.state_reason
        == "breaker daily_loss: loss 200.1 > limit 200 (1 x 2% of day start "
           "equity 10000), equity 9799.9");
  auto tripped = alerts_with("breaker daily_loss");
  REQUIRE(tripped.size() == 1);
  CHECK(tripped[0].level == alert_level::critical);
  REQUIRE(strategy_log->changes.size() == 1);
  CHECK(strategy_log->changes[0].to == trading_state::halted);
  REQUIRE(gateway_log->changes.size() == 1);
  CHECK(gateway_log->changes[0].scope.global());
  send_intent(intent(5, px(60'000), qty_centi(1)));
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::trading_halted);
}

TEST_CASE_METHOD(book_fixture, "the drawdown breaker trips on a mark update",
                 "[risk_actor][breakers]") {
  start_risk([](risk_params& p) { p.book.breakers.daily_loss_limit = 0.05; });
  fill(fill_of(1, btc, side::buy, px(60'000), qty_deci(1)));
  quote(px(61'000)); // +100: peak 10100
  advance(1 * ns_per_s);
  CHECK(status().state == trading_state::active);
  quote(px(59'000)); // -100: 200 below the peak, exactly the limit
  advance(1 * ns_per_s);
  CHECK(status().state == trading_state::active);
  quote(px(58'999)); // -100.1
  advance(1 * ns_per_s);
  auto s = status();
  CHECK(s.state == trading_state::halted);
  CHECK(s.state_reason
        == "breaker daily_drawdown: drawdown 200.1 from peak 10100 > limit 200 "
           "(1 x 2% of day start equity 10000), equity 9899.9");
}

TEST_CASE_METHOD(book_fixture,
                 "a resume while a breaker holds is refused once and the same "
                 "operator's repeat lifts it without a re-trip",
                 "[risk_actor][breakers]") {
  start_risk(
      [](risk_params& p) { p.book.breakers.daily_drawdown_limit = 0.05; });
  fill(fill_of(1, btc, side::buy, px(60'000), qty_deci(1)));
  fill(fill_of(2, btc, side::sell, px(57'900), qty_deci(1))); // -210
  REQUIRE(status().state == trading_state::halted);
  auto r = resume_at();
  CHECK(r
        == "refused: breaker daily_loss holds trading halted (loss 210 > limit "
           "200 (1 x 2% of day start equity 10000), equity 9790); resume again "
           "within 60 s to override");
  CHECK(status().state == trading_state::halted);
  // Someone else repeating it does not count (and re-arms for them).
  CHECK(resume_at({}, "other") == r);
  CHECK(resume_at() == r);
  r = resume_at();
  CHECK(r == "ACTIVE");
  CHECK(status().state == trading_state::active);
  // The same loss does not trip again on the next ticks.
  advance(2 * ns_per_s);
  CHECK(status().state == trading_state::active);
  // Another full limit (loss > 400) does.
  fill(fill_of(3, btc, side::buy, px(60'000), qty_deci(1)));
  fill(fill_of(4, btc, side::sell, px(58'000), qty_deci(1))); // -410 in all
  CHECK(status().state == trading_state::halted);
}

TEST_CASE_METHOD(book_fixture,
                 "resume is refused while a reconciliation mismatch holds",
                 "[risk_actor]") {
  start_risk();
  reconcile_report rep;
  rep.venue = sim;
  rep.complete = true;
  rep.differences.push_back(
      reconcile_difference{sim, "BTCUSDT", qty_centi(1), quantity{}});
  caf::anon_send(risk, rep);
  sched.run();
  REQUIRE(status().state == trading_state::halted);
  auto r = resume_at();
  CHECK(r.rfind("refused: reconciliation mismatch on sim", 0) == 0);
  CHECK(status().state == trading_state::halted);
  // A narrower scope is independent of the lock.
  CHECK(halt_at(trading_scopes::venue_scope(sim)) == "HALTED at venue:sim");
  CHECK(resume_at(trading_scopes::venue_scope(sim)) == "ACTIVE at venue:sim");
}

TEST_CASE_METHOD(book_fixture,
                 "a macro window moves trading to REDUCING, cancels resting "
                 "entries and returns to ACTIVE when it ends",
                 "[risk_actor][macro]") {
  auto event = clock.now() + 600 * ns_per_ms;
  macro_settings ms;
  ms.before = 300 * ns_per_ms;
  ms.after = 500 * ns_per_ms;
  start_risk([&](risk_params& p) {
    p.calendar = macro_calendar{{macro_event{event, "US CPI", "high"}}, ms};
  });
  send_intent(intent(1, px(60'000), qty_centi(1)));
  REQUIRE(gateway_log->orders.size() == 1);
  advance(300 * ns_per_ms - 1);
  CHECK(status().state == trading_state::active);
  CHECK(gateway_log->cancels.empty());
  advance(1);
  auto s = status();
  CHECK(s.state == trading_state::reducing);
  CHECK(s.state_reason
        == "macro window: US CPI until " + utc_hhmm(event + ms.after));
  REQUIRE(gateway_log->cancels.size() == 1);
  CHECK(gateway_log->cancels[0].cid == client_order_id{1});
  REQUIRE(strategy_log->changes.size() == 1);
  CHECK(strategy_log->changes[0].to == trading_state::reducing);
  auto opened = alerts_with("macro window: US CPI");
  REQUIRE_FALSE(opened.empty());
  CHECK(opened[0].level == alert_level::warning);
  send_intent(intent(2, px(60'000), qty_centi(1)));
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::reduce_only);
  advance(800 * ns_per_ms - 1);
  CHECK(status().state == trading_state::reducing);
  advance(1);
  s = status();
  CHECK(s.state == trading_state::active);
  CHECK(s.state_reason == "macro window ended: US CPI");
  REQUIRE(strategy_log->changes.size() == 2);
  CHECK(strategy_log->changes[1].to == trading_state::active);
  CHECK(alerts_with("macro window ended")[0].level == alert_level::warning);
  send_intent(intent(3, px(60'000), qty_centi(1)));
  CHECK(gateway_log->orders.size() == 2);
}

TEST_CASE_METHOD(book_fixture,
                 "the end of a macro window never lifts an operator halt",
                 "[risk_actor][macro]") {
  auto event = clock.now() + 600 * ns_per_ms;
  macro_settings ms;
  ms.before = 300 * ns_per_ms;
  ms.after = 500 * ns_per_ms;
  start_risk([&](risk_params& p) {
    p.calendar = macro_calendar{{macro_event{event, "US CPI", "high"}}, ms};
  });
  advance(300 * ns_per_ms);
  REQUIRE(status().state == trading_state::reducing);
  REQUIRE(halt("operator"));
  advance(800 * ns_per_ms);
  auto s = status();
  CHECK(s.state == trading_state::halted);
  CHECK(s.state_reason == "operator");
  CHECK_FALSE(
      alerts_with("macro window ended: US CPI (trading stays HALTED)").empty());
}

TEST_CASE_METHOD(book_fixture,
                 "a bad calendar file is reported before risk starts",
                 "[risk_actor][macro]") {
  risk_params p;
  p.book.calendar_path = "/nonexistent/calendar.json";
  auto err = load_risk_calendar(p);
  REQUIRE(err);
  CHECK(*err == "macro calendar /nonexistent/calendar.json: cannot be read");
  risk_params none;
  CHECK_FALSE(load_risk_calendar(none));
}

TEST_CASE_METHOD(book_fixture,
                 "a scoped halt denies only its scope and reaches only the "
                 "gateway and strategies it concerns",
                 "[risk_actor][scopes]") {
  auto basis_log = std::make_shared<probe_log>();
  auto basis = keep(sys.spawn(probe, basis_log, std::string{"strategy:basis"}));
  script->entries.push_back(
      actor_entry{"strategy:basis", "strategy", "strategies", basis});
  start_risk();
  caf::anon_send(strategy, relay_atom_v, risk, register_atom_v, strategy_name,
                 sim, btc);
  caf::anon_send(basis, relay_atom_v, risk, register_atom_v,
                 std::string{"strategy:basis"}, sim, eth);
  sched.run();
  auto r = halt_at(trading_scopes::symbol_scope(sim, btc), "bad prints");
  CHECK(r == "HALTED at symbol:sim/BTCUSDT");
  REQUIRE(strategy_log->changes.size() == 1);
  CHECK(strategy_log->changes[0].to == trading_state::halted);
  CHECK(strategy_log->changes[0].reason == "bad prints");
  CHECK(strategy_log->changes[0].scope
        == trading_scopes::symbol_scope(sim, btc));
  CHECK(basis_log->changes.empty());
  REQUIRE(gateway_log->changes.size() == 1);
  CHECK(gateway_log->changes[0].scope.to_string() == "symbol:sim/BTCUSDT");
  CHECK(gateway_log->changes[0].to == trading_state::halted);
  acknowledge(strategy, strategy_name, 1, trading_state::halted);
  acknowledge(gateway, gateway_name, 1, trading_state::halted);
  auto s = status();
  CHECK(s.pending_acks == 0);
  CHECK(s.state == trading_state::active);
  REQUIRE(s.scopes.size() == 1);
  CHECK(s.scopes[0].scope.to_string() == "symbol:sim/BTCUSDT");
  CHECK(s.scopes[0].by == "cli");
  send_intent(intent(1, px(60'000), qty_centi(1)));
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::trading_halted);
  CHECK(strategy_log->rejects[0].detail
        == "trading halted at symbol:sim/BTCUSDT: bad prints");
  auto other = intent(2, px(3'000), qty_centi(1));
  other.symbol = eth;
  other.strategy = "strategy:basis";
  caf::anon_send(basis, relay_atom_v, risk, other);
  sched.run();
  REQUIRE(gateway_log->orders.size() == 1);
  CHECK(gateway_log->orders[0].symbol == eth);
  CHECK(resume_at(trading_scopes::symbol_scope(sim, btc))
        == "ACTIVE at symbol:sim/BTCUSDT");
  REQUIRE(strategy_log->changes.size() == 2);
  CHECK(strategy_log->changes[1].from == trading_state::halted);
  CHECK(strategy_log->changes[1].to == trading_state::active);
  CHECK(status().scopes.empty());
}

TEST_CASE_METHOD(
    book_fixture,
    "a strategy learns its effective state when a broader scope is "
    "halted under a narrower one",
    "[risk_actor][scopes]") {
  start_risk();
  caf::anon_send(strategy, relay_atom_v, risk, register_atom_v, strategy_name,
                 sim, btc);
  sched.run();
  CHECK(halt_at(trading_scopes::strategy_scope(strategy_name), "review")
        == "HALTED at strategy:strategy:mr");
  REQUIRE(strategy_log->changes.size() == 1);
  CHECK(strategy_log->changes[0].to == trading_state::halted);
  // The gateway cancels that strategy's orders: strategy changes go to all.
  REQUIRE(gateway_log->changes.size() == 1);
  // The venue halted too: the strategy stays HALTED, the broader scope's
  // reason.
  REQUIRE(ask<std::string>(
      risk, halt_trading{"x", "cli", trading_scopes::venue_scope(sim)}));
  REQUIRE(strategy_log->changes.size() == 2);
  CHECK(strategy_log->changes[1].to == trading_state::halted);
  CHECK(strategy_log->changes[1].reason == "x"); // tie: the broader venue scope
  CHECK(resume_at(trading_scopes::venue_scope(sim)) == "ACTIVE at venue:sim");
  REQUIRE(strategy_log->changes.size() == 3);
  CHECK(strategy_log->changes[2].to == trading_state::halted);
  CHECK(strategy_log->changes[2].reason == "review");
}

TEST_CASE_METHOD(book_fixture,
                 "a halt still unacknowledged after a re-send halts globally",
                 "[risk_actor][acks]") {
  start_risk();
  CHECK(halt_at(trading_scopes::venue_scope(sim)) == "HALTED at venue:sim");
  REQUIRE(gateway_log->changes.size() == 1);
  CHECK(strategy_log->changes.empty()); // no strategy known on sim
  advance(3 * ns_per_s);
  auto missing = alerts_with("not acknowledged by: venue:sim/gateway");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].level == alert_level::critical);
  REQUIRE(gateway_log->changes.size() == 2); // sent once more
  CHECK(gateway_log->changes[1].epoch == 1);
  CHECK(status().state == trading_state::active);
  advance(3 * ns_per_s - 1);
  CHECK(status().state == trading_state::active);
  advance(1);
  auto s = status();
  CHECK(s.state == trading_state::halted);
  CHECK(s.state_reason == "halt not acknowledged by venue:sim/gateway");
  CHECK(s.state_epoch == 2);
}

TEST_CASE_METHOD(book_fixture,
                 "an acknowledgement after the re-send stops the escalation",
                 "[risk_actor][acks]") {
  start_risk();
  REQUIRE(halt_at(trading_scopes::venue_scope(sim)) == "HALTED at venue:sim");
  advance(3 * ns_per_s);
  acknowledge(gateway, gateway_name, 1, trading_state::halted);
  advance(3 * ns_per_s);
  CHECK(status().state == trading_state::active);
  CHECK(status().state_epoch == 1);
}

TEST_CASE_METHOD(
    book_fixture,
    "a group at its cap refuses an intent that opens another position",
    "[risk_actor]") {
  start_risk([](risk_params& p) {
    p.limits.symbol_groups = {{"BTCUSDT", "majors"}, {"ETHUSDT", "majors"}};
    p.limits.max_open_positions_per_group = {{"majors", 1}};
  });
  fill(fill_of(1, btc, side::buy, px(60'000), qty_centi(1)));
  auto o = intent(2, px(3'000), qty_centi(1));
  o.symbol = eth;
  send_intent(o);
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::group_cap);
  CHECK(strategy_log->rejects[0].detail
        == "group majors holds 1 open position(s), max 1");
  send_intent(intent(3, px(60'000), qty_centi(1))); // adds to BTC
  CHECK(gateway_log->orders.size() == 1);
}

TEST_CASE_METHOD(
    book_fixture,
    "the flip guard denies a close the venue cannot have and corrects "
    "our position to the venue's",
    "[risk_actor]") {
  start_risk();
  fill(fill_of(1, btc, side::buy, px(60'000), qty_centi(1)));
  venue_state_report vs;
  vs.venue = sim;
  vs.symbol_keys = {symbol_key{btc, "BTCUSDT"}};
  vs.time = clock.now();
  caf::anon_send(risk, vs);
  sched.run();
  auto close = intent(2, px(60'000), qty_centi(1));
  close.sd = side::sell;
  send_intent(close);
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::position_mismatch);
  CHECK(gateway_log->orders.empty());
  auto p = positions();
  REQUIRE(p.positions.size() == 1);
  CHECK(p.positions[0].qty.is_zero());
  auto a = alerts_with("flip guard");
  REQUIRE(a.size() == 1);
  CHECK(a[0].level == alert_level::critical);
  CHECK(a[0].text
        == "flip guard: sim BTCUSDT venue holds 0, our record was 0.01; "
           "corrected "
           "ours by -0.01 (intent of strategy:mr denied)");
}

TEST_CASE_METHOD(book_fixture, "an emergency unwind passes a global halt",
                 "[risk_actor]") {
  start_risk();
  fill(fill_of(1, btc, side::buy, px(60'000), qty_centi(1)));
  REQUIRE(halt("operator"));
  auto unwind = intent(2, px(59'000), qty_centi(1));
  unwind.sd = side::sell;
  send_intent(unwind);
  REQUIRE(strategy_log->rejects.size() == 1);
  CHECK(strategy_log->rejects[0].reason == reject_reason::trading_halted);
  unwind.cid = client_order_id{3};
  unwind.emergency = true;
  send_intent(unwind);
  REQUIRE(gateway_log->orders.size() == 1);
  CHECK(gateway_log->orders[0].cid == client_order_id{3});
}

TEST_CASE_METHOD(book_fixture,
                 "the daily summary reports the day's fills and round trips",
                 "[risk_actor]") {
  start_risk();
  fill(fill_of(1, btc, side::buy, px(60'000), qty_centi(1)));
  fill(fill_of(2, btc, side::sell, px(61'000), qty_centi(1)));
  auto s = ask<daily_summary>(risk, summary_atom_v);
  REQUIRE(s);
  // No day has closed since risk started: the day so far.
  CHECK(s->partial);
  CHECK(s->taken == clock.now());
  CHECK(s->fills == 2);
  CHECK(s->round_trips == 1);
  CHECK(s->wins == 1);
  CHECK(s->realized_pnl == notional::from_units(10));
  CHECK(s->equity == notional::from_units(10'010));
  CHECK(s->day_start == breakers::day_of(clock.now()));
}

TEST_CASE_METHOD(book_fixture,
                 "after midnight the daily summary reports the closed day: "
                 "fills before midnight counted, fills after not",
                 "[risk_actor]") {
  // The clock starts at 2023-11-14 22:13:20 UTC.
  auto day = breakers::day_of(clock.now());
  auto midnight = day + 86'400 * ns_per_s;
  start_risk();
  quote(px(60'500));
  fill(fill_of(1, btc, side::buy, px(60'000), qty_centi(1)));
  fill(fill_of(2, btc, side::sell, px(61'000), qty_centi(1))); // +10
  fill(fill_of(3, btc, side::buy, px(60'000), qty_centi(1)));  // open
  // Ticks and marks up to the last nanosecond of the day: +5 unrealized.
  advance(midnight - 1 - clock.now());
  auto s = ask<daily_summary>(risk, summary_atom_v);
  REQUIRE(s);
  CHECK(s->partial);
  CHECK(s->day_start == day);
  CHECK(s->fills == 3);
  CHECK(s->unrealized_pnl == notional::from_units(5));

  // At midnight, before any tick or fill rolled the day.
  advance(1);
  s = ask<daily_summary>(risk, summary_atom_v);
  REQUIRE(s);
  CHECK_FALSE(s->partial);
  CHECK(s->day_start == day);
  CHECK(s->taken == midnight);
  CHECK(s->fills == 3);
  CHECK(s->round_trips == 1);

  // Closed at a loss of 10 just after midnight: that fill is the new day's.
  fill(fill_of(4, btc, side::sell, px(59'000), qty_centi(1)));
  advance(5 * ns_per_s);
  s = ask<daily_summary>(risk, summary_atom_v);
  REQUIRE(s);
  CHECK_FALSE(s->partial);
  CHECK(s->day_start == day);
  CHECK(s->taken == midnight + 5 * ns_per_s);
  CHECK(s->fills == 3);
  CHECK(s->round_trips == 1);
  CHECK(s->wins == 1);
  CHECK(s->fees == notional{});
  CHECK(s->realized_pnl == notional::from_units(10));
  CHECK(s->unrealized_pnl == notional::from_units(5));
  CHECK(s->equity == notional::from_units(10'015));
  CHECK(s->peak_equity == notional::from_units(10'015));
}

namespace {

/// A journal that hands risk the fills of earlier runs and no holdings.
caf::behavior journal_probe(caf::event_based_actor* self,
                            std::shared_ptr<std::vector<order_filled>> fills) {
  install_hygiene(self, "journal", logger("risk"));
  return {
      [](record_atom, const risk_event_record&) {},
      [](record_atom, const pnl_record&) {},
      [fills](fills_atom, const std::string&) { return *fills; },
      [](venue_atom, const venue_id& v) {
        return journal_holdings{v, {}, {}, {}};
      },
  };
}

} // namespace

TEST_CASE_METHOD(
    book_fixture,
    "after a restart the breakers start from the day's equity rebuilt "
    "from the journal and hold over a clean reconciliation",
    "[risk_actor][breakers]") {
  // The clock starts at 2023-11-14 22:13:20 UTC.
  auto day = breakers::day_of(clock.now());
  auto fills = std::make_shared<std::vector<order_filled>>();
  auto at = [](order_filled f, nanos t) {
    f.local_time = t;
    return f;
  };
  // Yesterday: -500. Today before the restart: -150.
  fills->push_back(at(fill_of(1, btc, side::buy, px(60'000), qty_deci(1)),
                      day - 3600 * ns_per_s));
  fills->push_back(at(fill_of(2, btc, side::sell, px(55'000), qty_deci(1)),
                      day - 3500 * ns_per_s));
  fills->push_back(at(fill_of(3, btc, side::buy, px(60'000), qty_deci(1)),
                      day + 3600 * ns_per_s));
  fills->push_back(at(fill_of(4, btc, side::sell, px(58'500), qty_deci(1)),
                      day + 3700 * ns_per_s));
  auto journal = keep(sys.spawn(journal_probe, fills));
  // (It takes the records risk journals, as the real journal does.)
  sys.registry().put(journal_name,
                     caf::actor_cast<caf::strong_actor_ptr>(journal));
  start_risk([](risk_params& p) { p.journal = true; });
  // The replay rolled over midnight: the summary is yesterday, closed.
  auto s = ask<daily_summary>(risk, summary_atom_v);
  REQUIRE(s);
  CHECK_FALSE(s->partial);
  CHECK(s->day_start == day - 86'400 * ns_per_s);
  CHECK(s->fills == 2);
  CHECK(s->round_trips == 1);
  CHECK(s->wins == 0);
  CHECK(s->realized_pnl == notional::from_units(-500));
  CHECK(s->equity == notional::from_units(9'500));
  CHECK(s->peak_equity == notional::from_units(10'000));
  REQUIRE(status().state == trading_state::halted); // recovering
  // Another -60: 210 below today's start of 9500 (limit 2% = 190).
  fill(fill_of(5, btc, side::buy, px(60'000), qty_deci(1)));
  fill(fill_of(6, btc, side::sell, px(59'400), qty_deci(1)));
  auto tripped
      = alerts_with("breaker daily_loss: loss 210 > limit 190 (1 x 2% of day "
                    "start equity 9500), equity 9290 (trading already halted");
  CHECK(tripped.size() == 1);
  reconcile_report clean;
  clean.venue = sim;
  clean.complete = true;
  clean.startup = true;
  caf::anon_send(risk, clean);
  sched.run();
  auto st = status();
  CHECK(st.state == trading_state::halted);
  CHECK(st.state_reason.rfind("breaker daily_loss: loss 210", 0) == 0);
  sys.registry().erase(journal_name);
}
