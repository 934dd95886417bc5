#include "actors/backtest/backtest_report.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace agora::backtest {

namespace {

using instrument = std::pair<venue_id, symbol_id>;

struct leg {
  double qty = 0;
  double avg = 0;
};

struct strategy_state {
  std::map<instrument, leg> legs;
  double realized = 0;
  double fees = 0;
  double funding = 0;
  uint64_t funding_payments = 0;
  bool in_trip = false;
  round_trip trip;
  nanos in_market_since = 0;
  nanos in_market = 0;
  double peak = 0;
  double max_dd = 0;
  double max_dd_pct = 0;
  std::vector<double> sampled; ///< Equity at each return-interval boundary.
};

double lot_of(const report_inputs& in, const instrument& i) {
  auto l = in.lots.find(i);
  return l == in.lots.end() ? 1e-12 : l->second.to_double();
}

/// A position of at least one lot (a residual below it counts as flat).
bool held(const leg& l, const report_inputs& in, const instrument& i) {
  return std::fabs(l.qty) >= lot_of(in, i) * (1 - 1e-9);
}

bool flat(const strategy_state& s, const report_inputs& in) {
  for (const auto& [i, l] : s.legs)
    if (held(l, in, i))
      return false;
  return true;
}

/// Applies one fill at average cost; returns the realized PnL it made.
double apply_fill(leg& l, double signed_qty, double px) {
  double realized = 0;
  if (l.qty == 0 || (l.qty > 0) == (signed_qty > 0)) {
    double total = std::fabs(l.qty) + std::fabs(signed_qty);
    l.avg = (l.avg * std::fabs(l.qty) + px * std::fabs(signed_qty)) / total;
    l.qty += signed_qty;
    return 0;
  }
  double closing = std::min(std::fabs(signed_qty), std::fabs(l.qty));
  realized = closing * (px - l.avg) * (l.qty > 0 ? 1 : -1);
  double before = l.qty;
  l.qty += signed_qty;
  if (std::fabs(l.qty) < 1e-12)
    l.qty = 0, l.avg = 0;
  else if ((before > 0) != (l.qty > 0))
    l.avg = px; // flipped: the rest opened at this price
  return realized;
}

double equity_of(const strategy_state& s, const std::map<instrument, double>& marks) {
  double e = s.realized - s.fees + s.funding;
  for (const auto& [i, l] : s.legs) {
    auto m = marks.find(i);
    if (m != marks.end() && l.qty != 0)
      e += l.qty * (m->second - l.avg);
  }
  return e;
}

double notional_of(const strategy_state& s, const std::map<instrument, double>& marks) {
  double n = 0;
  for (const auto& [i, l] : s.legs) {
    auto m = marks.find(i);
    n += l.qty * (m != marks.end() ? m->second : l.avg);
  }
  return n;
}

void track_drawdown(strategy_state& s, double e, double base) {
  s.peak = std::max(s.peak, e);
  double dd = s.peak - e;
  if (dd > s.max_dd) {
    s.max_dd = dd;
    s.max_dd_pct = 100.0 * dd / (base + s.peak);
  }
}

std::string reason_of(const std::string& why) {
  auto c = why.find(':');
  auto r = why.substr(0, c);
  return r.empty() ? std::string{"unspecified"} : r;
}

void ratios(strategy_metrics& m, const std::vector<double>& sampled, double base) {
  if (sampled.size() < 3)
    return;
  std::vector<double> r;
  for (size_t i = 1; i < sampled.size(); ++i)
    r.push_back((sampled[i] - sampled[i - 1]) / base);
  m.returns = r.size();
  double mean = 0;
  for (auto x : r)
    mean += x;
  mean /= static_cast<double>(r.size());
  double var = 0, down = 0;
  for (auto x : r) {
    var += (x - mean) * (x - mean);
    down += std::min(x, 0.0) * std::min(x, 0.0);
  }
  var /= static_cast<double>(r.size() - 1);
  down /= static_cast<double>(r.size());
  if (var > 0)
    m.sharpe = mean / std::sqrt(var);
  if (down > 0)
    m.sortino = mean / std::sqrt(down);
}

} // namespace

std::string iso_time(nanos t) {
  std::time_t secs = static_cast<std::time_t>(t / ns_per_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>((t % ns_per_s) / ns_per_ms));
}

report compute_report(const report_inputs& in) {
  report out;
  std::vector<std::string> names = in.strategies;
  for (const auto& f : in.fills)
    if (std::find(names.begin(), names.end(), f.strategy) == names.end())
      names.push_back(f.strategy);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < names.size(); ++i)
    index[names[i]] = i;
  std::vector<strategy_state> st(names.size());
  strategy_state total_dd; // drawdown of the summed curve
  std::vector<double> total_sampled;
  std::map<instrument, double> marks;
  nanos next_sample = in.trading_from;

  auto sample = [&](nanos t) {
    equity_point p;
    p.time = t;
    double total = 0;
    for (auto& s : st) {
      double e = equity_of(s, marks);
      p.equity.push_back(e);
      p.position_notional.push_back(notional_of(s, marks));
      total += e;
      track_drawdown(s, e, in.equity);
    }
    p.equity.push_back(total);
    track_drawdown(total_dd, total, in.equity);
    if (t >= next_sample && t >= in.trading_from) {
      for (size_t i = 0; i < st.size(); ++i)
        st[i].sampled.push_back(p.equity[i]);
      total_sampled.push_back(total);
      while (next_sample <= t)
        next_sample += in.return_interval;
    }
    out.equity.push_back(std::move(p));
  };

  // Fills, funding times and marks in time order; at one time, fills
  // first (a funding time charges what was held at it), then funding.
  size_t fi = 0, mi = 0, ui = 0;
  constexpr nanos never = std::numeric_limits<nanos>::max();
  while (fi < in.fills.size() || mi < in.marks.size() || ui < in.funding.size()) {
    nanos tf = fi < in.fills.size() ? in.fills[fi].local_time : never;
    nanos tu = ui < in.funding.size() ? in.funding[ui].time : never;
    nanos tm = mi < in.marks.size() ? in.marks[mi].time : never;
    if (tu < tf && tu <= tm) {
      const auto& u = in.funding[ui++];
      instrument key{u.venue, u.symbol};
      double rate = u.funding_rate.to_double();
      double mark = u.mark.to_double();
      for (auto& s : st) {
        auto l = s.legs.find(key);
        if (l == s.legs.end() || !held(l->second, in, key))
          continue;
        double paid = -l->second.qty * mark * rate; // a long pays a positive rate
        s.funding += paid;
        ++s.funding_payments;
        if (s.in_trip)
          s.trip.funding += paid;
        track_drawdown(s, equity_of(s, marks), in.equity);
      }
      continue;
    }
    bool take_fill = tf <= tm;
    if (take_fill) {
      const auto& f = in.fills[fi++];
      auto& s = st[index[f.strategy]];
      instrument key{f.venue, f.symbol};
      bool was_flat = flat(s, in);
      double q = f.fill_qty.to_double() * (f.sd == side::buy ? 1 : -1);
      double px = f.fill_px.to_double();
      double realized = apply_fill(s.legs[key], q, px);
      double fee = f.fee.to_double();
      s.realized += realized;
      s.fees += fee;
      marks[key] = px; // the freshest price known of it until the next sample
      bool now_flat = flat(s, in);
      if (was_flat && !now_flat) {
        s.in_trip = true;
        s.trip = round_trip{f.strategy, f.local_time, 0, 0, 0, 0, 0};
        s.in_market_since = f.local_time;
      }
      if (s.in_trip) {
        s.trip.fills += 1;
        s.trip.pnl += realized;
        s.trip.fees += fee;
      }
      if (!was_flat && now_flat && s.in_trip) {
        s.trip.closed = f.local_time;
        out.trips.push_back(s.trip);
        s.in_trip = false;
        s.in_market += f.local_time - s.in_market_since;
      }
      track_drawdown(s, equity_of(s, marks), in.equity);
      continue;
    }
    nanos t = in.marks[mi].time;
    while (mi < in.marks.size() && in.marks[mi].time == t) {
      const auto& m = in.marks[mi++];
      marks[{m.venue, m.symbol}] = m.mid.to_double();
    }
    sample(t);
  }

  double span = static_cast<double>(std::max<nanos>(in.end - in.trading_from, 1));
  auto fill_metrics = [&](strategy_metrics& m, const strategy_state& s) {
    m.realized = s.realized;
    m.fees = s.fees;
    m.funding = s.funding;
    m.funding_payments = s.funding_payments;
    m.unrealized = equity_of(s, marks) - (s.realized - s.fees + s.funding);
    m.max_drawdown = s.max_dd;
    m.max_drawdown_pct = s.max_dd_pct;
  };
  for (size_t i = 0; i < names.size(); ++i) {
    strategy_metrics m;
    m.name = names[i];
    auto& s = st[i];
    fill_metrics(m, s);
    nanos in_market = s.in_market + (s.in_trip ? in.end - s.in_market_since : 0);
    m.time_in_market = static_cast<double>(in_market) / span;
    ratios(m, s.sampled, in.equity);
    out.strategies.push_back(std::move(m));
  }
  for (const auto& t : out.trips) {
    auto& m = out.strategies[index[t.strategy]];
    ++m.round_trips;
    if (t.net() > 0) {
      ++m.wins;
      m.gross_wins += t.net();
    } else {
      m.gross_losses += -t.net();
    }
  }
  for (const auto& f : in.fills) {
    auto& m = out.strategies[index[f.strategy]];
    ++m.fill_count;
    m.turnover += std::fabs(f.fill_px.to_double() * f.fill_qty.to_double());
  }
  for (const auto& o : in.orders) {
    auto i = index.find(o.view.strategy);
    if (i == index.end())
      continue;
    auto& m = out.strategies[i->second];
    ++m.orders_sent;
    if (o.view.cum_qty.is_positive())
      ++m.orders_filled;
    if (o.view.status == order_status::filled)
      ++m.orders_fully_filled;
  }
  for (const auto& [strategy, detail] : in.rejections) {
    auto i = index.find(strategy);
    if (i != index.end())
      ++out.strategies[i->second].rejected[reason_of(detail)];
  }
  for (const auto& sig : in.signals) {
    auto i = index.find(sig.strategy);
    if (i == index.end())
      continue;
    auto& m = out.strategies[i->second];
    if (sig.acted)
      ++m.signals_acted;
    else
      ++m.blocked[sig.name + ": " + reason_of(sig.why)];
  }
  // The total: sums, and the ratios of the summed curve.
  auto& t = out.total;
  t.name = "total";
  for (const auto& m : out.strategies) {
    t.round_trips += m.round_trips;
    t.wins += m.wins;
    t.gross_wins += m.gross_wins;
    t.gross_losses += m.gross_losses;
    t.realized += m.realized;
    t.fees += m.fees;
    t.funding += m.funding;
    t.funding_payments += m.funding_payments;
    t.unrealized += m.unrealized;
    t.turnover += m.turnover;
    t.fill_count += m.fill_count;
    t.orders_sent += m.orders_sent;
    t.orders_filled += m.orders_filled;
    t.orders_fully_filled += m.orders_fully_filled;
    for (auto& [k, v] : m.rejected)
      t.rejected[k] += v;
    t.signals_acted += m.signals_acted;
    for (auto& [k, v] : m.blocked)
      t.blocked[k] += v;
    t.time_in_market = std::max(t.time_in_market, m.time_in_market);
  }
  t.max_drawdown = total_dd.max_dd;
  t.max_drawdown_pct = total_dd.max_dd_pct;
  ratios(t, total_sampled, in.equity);
  return out;
}

namespace {

using writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void num(writer& w, double x) {
  if (!std::isfinite(x)) {
    w.Null();
    return;
  }
  auto s = fmt::format("{:.8f}", x);
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  if (!s.empty() && s.back() == '.')
    s.pop_back();
  if (s == "-0")
    s = "0";
  w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
}

void num(writer& w, const std::optional<double>& x) {
  if (x)
    num(w, *x);
  else
    w.Null();
}

void key(writer& w, const char* k) { w.Key(k); }

/// `x` when `has`, else null.
void num_if(writer& w, bool has, double x) {
  if (has)
    num(w, x);
  else
    w.Null();
}

void text(writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void counts(writer& w, const std::map<std::string, uint64_t>& m) {
  w.StartObject();
  for (const auto& [k, v] : m) {
    key(w, k.c_str());
    w.Uint64(v);
  }
  w.EndObject();
}

void metrics(writer& w, const strategy_metrics& m, nanos interval, bool funding_data) {
  double annual = std::sqrt(365.0 * 86400.0 * ns_per_s / static_cast<double>(interval));
  w.StartObject();
  key(w, "name"), text(w, m.name);
  key(w, "round_trips"), w.Uint64(m.round_trips);
  key(w, "wins"), w.Uint64(m.wins);
  double trips = static_cast<double>(m.round_trips);
  key(w, "win_rate"), num_if(w, m.round_trips > 0, static_cast<double>(m.wins) / trips);
  key(w, "profit_factor"), num_if(w, m.gross_losses > 0, m.gross_wins / m.gross_losses);
  key(w, "expectancy"), num_if(w, m.round_trips > 0, (m.gross_wins - m.gross_losses) / trips);
  key(w, "realized_pnl_net"), num(w, m.realized - m.fees);
  key(w, "realized_pnl_gross"), num(w, m.realized);
  key(w, "fees"), num(w, m.fees);
  key(w, "funding"), num_if(w, funding_data, m.funding);
  key(w, "funding_payments"), w.Uint64(m.funding_payments);
  key(w, "unrealized_pnl"), num(w, m.unrealized);
  key(w, "net_pnl"), num(w, m.realized - m.fees + m.funding + m.unrealized);
  key(w, "max_drawdown"), num(w, m.max_drawdown);
  key(w, "max_drawdown_pct"), num(w, m.max_drawdown_pct);
  key(w, "sharpe"), num(w, m.sharpe);
  key(w, "sortino"), num(w, m.sortino);
  key(w, "sharpe_annualized"), num_if(w, m.sharpe.has_value(), m.sharpe.value_or(0) * annual);
  key(w, "sortino_annualized"), num_if(w, m.sortino.has_value(), m.sortino.value_or(0) * annual);
  key(w, "returns_sampled"), w.Uint64(m.returns);
  key(w, "time_in_market"), num(w, m.time_in_market);
  key(w, "turnover"), num(w, m.turnover);
  key(w, "fills"), w.Uint64(m.fill_count);
  key(w, "orders");
  w.StartObject();
  key(w, "sent"), w.Uint64(m.orders_sent);
  key(w, "filled"), w.Uint64(m.orders_filled);
  key(w, "fully_filled"), w.Uint64(m.orders_fully_filled);
  uint64_t rejected = 0;
  for (auto& [k, v] : m.rejected)
    rejected += v;
  key(w, "rejected"), w.Uint64(rejected);
  key(w, "rejected_by_reason"), counts(w, m.rejected);
  w.EndObject();
  key(w, "signals");
  w.StartObject();
  key(w, "acted"), w.Uint64(m.signals_acted);
  uint64_t blocked = 0;
  for (auto& [k, v] : m.blocked)
    blocked += v;
  key(w, "blocked"), w.Uint64(blocked);
  key(w, "blocked_by_reason"), counts(w, m.blocked);
  w.EndObject();
  w.EndObject();
}

} // namespace

std::string to_json(const report& r, const report_inputs& in) {
  rapidjson::StringBuffer sb;
  writer w(sb);
  w.SetIndent(' ', 2);
  w.StartObject();
  key(w, "report"), text(w, "agora backtest");
  key(w, "version"), w.Uint(1);
  key(w, "data");
  w.StartObject();
  key(w, "start"), text(w, iso_time(in.start));
  key(w, "end"), text(w, iso_time(in.end));
  key(w, "trading_from"), text(w, iso_time(in.trading_from));
  key(w, "start_ns"), w.Int64(in.start);
  key(w, "end_ns"), w.Int64(in.end);
  key(w, "data_span_seconds"), num(w, static_cast<double>(in.end - in.start) / ns_per_s);
  key(w, "frames"), w.Uint64(in.frames);
  key(w, "files");
  w.StartArray();
  for (const auto& f : in.files) {
    w.StartObject();
    key(w, "path"), text(w, f.path);
    key(w, "venue"), text(w, f.venue.str());
    key(w, "lines"), w.Uint64(f.lines);
    key(w, "malformed"), w.Uint64(f.malformed);
    key(w, "out_of_order"), w.Uint64(f.out_of_order);
    key(w, "first"), text(w, f.first ? iso_time(f.first) : "");
    key(w, "last"), text(w, f.last ? iso_time(f.last) : "");
    key(w, "problem"), text(w, f.problem);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  key(w, "return_interval_seconds"), num(w, static_cast<double>(in.return_interval) / ns_per_s);
  key(w, "annualization"), text(w, "sqrt(365 days / return interval): crypto trades every day");
  key(w, "starting_equity"), num(w, in.equity);
  key(w, "total"), metrics(w, r.total, in.return_interval, in.funding_data);
  key(w, "strategies");
  w.StartArray();
  for (const auto& m : r.strategies)
    metrics(w, m, in.return_interval, in.funding_data);
  w.EndArray();
  key(w, "books");
  w.StartArray();
  for (const auto& b : in.books) {
    w.StartObject();
    key(w, "venue"), text(w, b.venue.str());
    key(w, "symbol"), text(w, b.symbol.str());
    key(w, "fresh_at_end"), w.Bool(b.fresh);
    key(w, "diffs_applied"), w.Uint64(b.diffs_applied);
    key(w, "gaps"), w.Uint64(b.gaps);
    key(w, "resyncs"), w.Uint64(b.resyncs);
    key(w, "crossed"), w.Uint64(b.crossed);
    key(w, "tickers"), w.Uint64(b.tickers);
    key(w, "ticker_checks"), w.Uint64(b.ticker_checked);
    key(w, "ticker_agreed"), w.Uint64(b.ticker_agreed);
    key(w, "first_disagreement"), text(w, b.first_disagreement);
    key(w, "stale_reason"), text(w, b.stale_reason);
    w.EndObject();
  }
  w.EndArray();
  key(w, "feeds");
  w.StartArray();
  for (const auto& f : in.feeds) {
    w.StartObject();
    key(w, "venue"), text(w, f.venue.str());
    key(w, "frames"), w.Uint64(f.frames);
    key(w, "events"), w.Uint64(f.events);
    key(w, "snapshots"), w.Uint64(f.snapshots);
    key(w, "snapshots_served"), w.Uint64(f.snapshots_served);
    key(w, "malformed"), w.Uint64(f.malformed);
    key(w, "ignored"), w.Uint64(f.ignored);
    key(w, "unrouted"), w.Uint64(f.unrouted);
    key(w, "first_malformed"), text(w, f.first_malformed);
    key(w, "funding_updates"), w.Uint64(f.funding_updates);
    key(w, "funding_times"), w.Uint64(f.funding.size());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string s{sb.GetString(), sb.GetSize()};
  s += '\n';
  return s;
}

std::string equity_csv(const report& r) {
  std::string out = "time,time_ns";
  for (const auto& m : r.strategies)
    out += "," + m.name;
  out += ",total";
  for (const auto& m : r.strategies)
    out += "," + m.name + ":position";
  out += '\n';
  for (const auto& p : r.equity) {
    out += iso_time(p.time) + "," + std::to_string(p.time);
    for (auto e : p.equity)
      out += fmt::format(",{:.8f}", e);
    for (auto n : p.position_notional)
      out += fmt::format(",{:.8f}", n);
    out += '\n';
  }
  return out;
}

std::string trades_csv(const report& r) {
  std::string out = "strategy,opened,closed,seconds,fills,pnl,fees,funding,net\n";
  for (const auto& t : r.trips)
    out += fmt::format("{},{},{},{:.3f},{},{:.8f},{:.8f},{:.8f},{:.8f}\n", t.strategy,
                       iso_time(t.opened), iso_time(t.closed),
                       static_cast<double>(t.closed - t.opened) / ns_per_s, t.fills, t.pnl,
                       t.fees, t.funding, t.net());
  return out;
}

std::string summary_text(const report& r, const report_inputs& in) {
  std::string out = fmt::format("backtest {} .. {} ({:.0f} s of data, {} frames)\n",
                                iso_time(in.start), iso_time(in.end),
                                static_cast<double>(in.end - in.start) / ns_per_s, in.frames);
  out += fmt::format("{:<28} {:>6} {:>6} {:>12} {:>10} {:>10} {:>12} {:>10} {:>8} {:>7}\n",
                     "STRATEGY", "TRIPS", "WIN%", "REALIZED_NET", "FEES", "FUNDING", "UNREALIZED",
                     "MAX_DD", "ORDERS", "FILLS");
  auto row = [&](const strategy_metrics& m) {
    out += fmt::format("{:<28} {:>6} {:>6} {:>12.4f} {:>10.4f} {:>10} {:>12.4f} {:>10.4f} {:>8} {:>7}\n",
                       m.name, m.round_trips,
                       m.round_trips ? fmt::format("{:.1f}", 100.0 * static_cast<double>(m.wins)
                                                                 / static_cast<double>(m.round_trips))
                                     : std::string{"-"},
                       m.realized - m.fees, m.fees,
                       in.funding_data ? fmt::format("{:.4f}", m.funding) : std::string{"-"},
                       m.unrealized, m.max_drawdown, m.orders_sent, m.fill_count);
  };
  for (const auto& m : r.strategies)
    row(m);
  row(r.total);
  for (const auto& b : in.books)
    out += fmt::format("book {}/{}: diffs {} gaps {} resyncs {} crossed {}; tickers {}, checked {}, "
                       "agreed {}{}\n",
                       b.venue.str(), b.symbol.str(), b.diffs_applied, b.gaps, b.resyncs, b.crossed, b.tickers,
                       b.ticker_checked, b.ticker_agreed,
                       b.stale_reason.empty() ? "" : "; stale: " + b.stale_reason);
  return out;
}

} // namespace agora::backtest
