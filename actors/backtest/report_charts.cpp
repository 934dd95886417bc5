#include "actors/backtest/report_charts.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

namespace agora::backtest {

namespace {

constexpr double width = 960;
constexpr double height = 300;

struct rgb {
  double r, g, b;
};

/// Distinct colours for strategies; the total is drawn black and thicker.
constexpr rgb palette[] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17},
                           {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
                           {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}};

struct series {
  std::string name;
  std::vector<double> y;
  rgb color;
  double line = 1.5;
};

struct chart {
  std::string title;
  std::string unit;
  std::vector<nanos> x;
  std::vector<series> lines;
  bool area = false; ///< Fill between the first line and zero.
};

/// 1, 2 or 5 times a power of ten, near span / 5.
double nice_step(double span) {
  if (!(span > 0))
    return 1;
  double raw = span / 5;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p)
      return m * p;
  return 10 * p;
}

void text_at(cairo_t* cr, double x, double y, const std::string& s, double align = 0) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.width, y);
  cairo_show_text(cr, s.c_str());
}

std::string clock_label(nanos t) {
  auto iso = iso_time(t); // 2024-08-08T23:54:14.024Z
  return iso.substr(11, 8);
}

void draw(cairo_t* cr, const chart& c) {
  const double left = 70, right = 16, top = 34, bottom = 34;
  const double pw = width - left - right, ph = height - top - bottom;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 13);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  auto title = c.title + (c.unit.empty() ? "" : " (" + c.unit + ")");
  text_at(cr, left, 20, title);
  cairo_text_extents_t te;
  cairo_text_extents(cr, title.c_str(), &te);
  const double legend_x = left + te.x_advance + 24;
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 10);
  if (c.x.size() < 2) {
    text_at(cr, left + pw / 2, top + ph / 2, "no data", 0.5);
    return;
  }
  double lo = 0, hi = 0;
  for (const auto& s : c.lines)
    for (auto v : s.y) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (hi - lo < 1e-9) {
    hi += 1;
    lo -= 1;
  }
  double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const double x0 = static_cast<double>(c.x.front());
  const double xs = static_cast<double>(std::max<nanos>(c.x.back() - c.x.front(), 1));
  auto px = [&](nanos t) { return left + (static_cast<double>(t) - x0) / xs * pw; };
  auto py = [&](double v) { return top + (hi - v) / (hi - lo) * ph; };
  // Grid and axes.
  cairo_set_line_width(cr, 1);
  double step = nice_step(hi - lo);
  for (double v = std::ceil(lo / step) * step; v <= hi; v += step) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, left, std::round(py(v)) + 0.5);
    cairo_line_to(cr, left + pw, std::round(py(v)) + 0.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    double shown = std::fabs(v) < step / 1e6 ? 0 : v;
    text_at(cr, left - 6, py(v) + 3.5, fmt::format("{:.{}f}", shown, step < 1 ? (step < 0.1 ? 3 : 2) : 0), 1);
  }
  for (int i = 0; i <= 5; ++i) {
    nanos t = c.x.front() + static_cast<nanos>(xs * i / 5);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text_at(cr, px(t), top + ph + 16, clock_label(t), i == 0 ? 0 : (i == 5 ? 1 : 0.5));
  }
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_rectangle(cr, left + 0.5, top + 0.5, pw, ph);
  cairo_stroke(cr);
  if (lo < 0 && hi > 0) {
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_move_to(cr, left, std::round(py(0)) + 0.5);
    cairo_line_to(cr, left + pw, std::round(py(0)) + 0.5);
    cairo_stroke(cr);
  }
  // The series.
  for (size_t k = 0; k < c.lines.size(); ++k) {
    const auto& s = c.lines[k];
    cairo_set_source_rgb(cr, s.color.r, s.color.g, s.color.b);
    cairo_set_line_width(cr, s.line);
    cairo_move_to(cr, px(c.x[0]), py(s.y[0]));
    for (size_t i = 1; i < s.y.size() && i < c.x.size(); ++i)
      cairo_line_to(cr, px(c.x[i]), py(s.y[i]));
    if (c.area && k == 0) {
      cairo_line_to(cr, px(c.x[std::min(s.y.size(), c.x.size()) - 1]), py(0));
      cairo_line_to(cr, px(c.x[0]), py(0));
      cairo_close_path(cr);
      cairo_set_source_rgba(cr, s.color.r, s.color.g, s.color.b, 0.35);
      cairo_fill(cr);
    } else {
      cairo_stroke(cr);
    }
  }
  // The legend, on the title's line.
  double lx = legend_x;
  for (const auto& s : c.lines) {
    cairo_set_source_rgb(cr, s.color.r, s.color.g, s.color.b);
    cairo_rectangle(cr, lx, 14, 12, 4);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    text_at(cr, lx + 16, 20, s.name);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.name.c_str(), &e);
    lx += 16 + e.x_advance + 18;
  }
}

std::vector<chart> charts_of(const report& r) {
  std::vector<chart> out(3);
  out[0].title = "Equity: realized - fees + funding + open position at the mark";
  out[0].unit = "quote";
  out[1].title = "Drawdown of the total equity from its running peak";
  out[1].unit = "quote";
  out[1].area = true;
  out[2].title = "Position notional at the mark (+ long, - short)";
  out[2].unit = "quote";
  for (auto& c : out)
    for (const auto& p : r.equity)
      c.x.push_back(p.time);
  size_t n = r.strategies.size();
  for (size_t k = 0; k < n; ++k) {
    series eq{r.strategies[k].name, {}, palette[k % std::size(palette)]};
    series pos = eq;
    for (const auto& p : r.equity) {
      eq.y.push_back(p.equity[k]);
      pos.y.push_back(p.position_notional[k]);
    }
    out[0].lines.push_back(std::move(eq));
    out[2].lines.push_back(std::move(pos));
  }
  series total{"total", {}, {0, 0, 0}, 2.5};
  series dd{"drawdown", {}, {0.84, 0.15, 0.16}, 1.5};
  double peak = 0;
  for (const auto& p : r.equity) {
    double e = p.equity.back();
    total.y.push_back(e);
    peak = std::max(peak, e);
    dd.y.push_back(e - peak);
  }
  out[0].lines.push_back(std::move(total));
  out[1].lines.push_back(std::move(dd));
  return out;
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string svg_of(const chart& c) {
  std::string out;
  auto* s = cairo_svg_surface_create_for_stream(append, &out, width, height);
  auto* cr = cairo_create(s);
  draw(cr, c);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_surface_destroy(s);
  // The XML declaration is not allowed inside HTML.
  if (auto i = out.find("<svg"); i != std::string::npos)
    out.erase(0, i);
  return out;
}

std::string png_to(const chart& c, const std::string& path) {
  auto* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(width),
                                       static_cast<int>(height));
  auto* cr = cairo_create(s);
  draw(cr, c);
  cairo_destroy(cr);
  auto st = cairo_surface_write_to_png(s, path.c_str());
  cairo_surface_destroy(s);
  return st == CAIRO_STATUS_SUCCESS ? "" : path + ": " + cairo_status_to_string(st);
}

std::string esc(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string fixed(double x, int places = 4) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", x, places) : "-";
}

std::string opt(const std::optional<double>& x) { return x ? fixed(*x, 3) : "-"; }

} // namespace

std::string report_html(const report& r, const report_inputs& in) {
  std::string h;
  h += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Agora backtest "
       + esc(iso_time(in.start)) + "</title>\n<style>body{font-family:sans-serif;margin:24px;"
       "color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;"
       "padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{"
       "text-align:left}.bad{color:#b00}</style></head><body>\n";
  h += "<h1>Agora backtest</h1>\n<p>" + esc(iso_time(in.start)) + " .. " + esc(iso_time(in.end))
       + " (" + fixed(static_cast<double>(in.end - in.start) / ns_per_s, 0) + " s of data, "
       + std::to_string(in.frames) + " recorded messages); trading from "
       + esc(iso_time(in.trading_from)) + "; starting equity " + fixed(in.equity, 2) + ".</p>\n";
  for (const auto& c : charts_of(r))
    h += "<div>" + svg_of(c) + "</div>\n";
  std::vector<const strategy_metrics*> cols;
  for (const auto& m : r.strategies)
    cols.push_back(&m);
  cols.push_back(&r.total);
  h += "<h2>Metrics</h2>\n<table><tr><th>metric</th>";
  for (auto* m : cols)
    h += "<th>" + esc(m->name) + "</th>";
  h += "</tr>\n";
  auto row = [&](const char* name, auto f) {
    h += std::string{"<tr><td>"} + name + "</td>";
    for (auto* m : cols)
      h += "<td>" + f(*m) + "</td>";
    h += "</tr>\n";
  };
  auto trips = [](const strategy_metrics& m) { return static_cast<double>(m.round_trips); };
  row("round trips", [](auto& m) { return std::to_string(m.round_trips); });
  row("win rate %", [&](auto& m) {
    return m.round_trips ? fixed(100.0 * static_cast<double>(m.wins) / trips(m), 1) : "-";
  });
  row("profit factor", [](auto& m) {
    return m.gross_losses > 0 ? fixed(m.gross_wins / m.gross_losses, 3) : "-";
  });
  row("expectancy", [&](auto& m) {
    return m.round_trips ? fixed((m.gross_wins - m.gross_losses) / trips(m)) : "-";
  });
  row("realized PnL net of fees", [](auto& m) { return fixed(m.realized - m.fees); });
  row("fees", [](auto& m) { return fixed(m.fees); });
  row("funding", [&](auto& m) { return in.funding_data ? fixed(m.funding) : std::string{"-"}; });
  row("unrealized PnL", [](auto& m) { return fixed(m.unrealized); });
  row("max drawdown", [](auto& m) { return fixed(m.max_drawdown); });
  row("max drawdown %", [](auto& m) { return fixed(m.max_drawdown_pct, 4); });
  row("Sharpe (per 60 s)", [](auto& m) { return opt(m.sharpe); });
  row("Sortino (per 60 s)", [](auto& m) { return opt(m.sortino); });
  row("time in market %", [](auto& m) { return fixed(100 * m.time_in_market, 1); });
  row("turnover", [](auto& m) { return fixed(m.turnover, 2); });
  row("orders sent / filled", [](auto& m) {
    return std::to_string(m.orders_sent) + " / " + std::to_string(m.orders_filled);
  });
  row("fills", [](auto& m) { return std::to_string(m.fill_count); });
  row("signals acted", [](auto& m) { return std::to_string(m.signals_acted); });
  row("signals blocked", [](auto& m) {
    uint64_t n = 0;
    for (auto& [k, v] : m.blocked)
      n += v;
    return std::to_string(n);
  });
  h += "</table>\n<h2>Books</h2>\n<table><tr><th>book</th><th>diffs</th><th>gaps</th>"
       "<th>resyncs</th><th>crossed</th><th>tickers</th><th>ticker checks</th><th>agreed</th>"
       "<th>at the end</th></tr>\n";
  for (const auto& b : in.books)
    h += "<tr><td>" + esc(b.venue.str() + "/" + b.symbol.str()) + "</td><td>"
         + std::to_string(b.diffs_applied) + "</td><td" + (b.gaps ? " class=bad" : "") + ">"
         + std::to_string(b.gaps) + "</td><td>" + std::to_string(b.resyncs) + "</td><td>"
         + std::to_string(b.crossed) + "</td><td>" + std::to_string(b.tickers) + "</td><td>"
         + std::to_string(b.ticker_checked) + "</td><td"
         + (b.ticker_agreed != b.ticker_checked ? " class=bad" : "") + ">"
         + std::to_string(b.ticker_agreed) + "</td><td>"
         + esc(b.stale_reason.empty() ? "fresh" : b.stale_reason) + "</td></tr>\n";
  h += "</table>\n<h2>Data</h2>\n<table><tr><th>file</th><th>venue</th><th>lines</th>"
       "<th>malformed</th><th>out of order</th><th>first</th><th>last</th><th>note</th></tr>\n";
  for (const auto& f : in.files)
    h += "<tr><td>" + esc(f.path) + "</td><td>" + esc(f.venue.str()) + "</td><td>"
         + std::to_string(f.lines) + "</td><td>" + std::to_string(f.malformed) + "</td><td>"
         + std::to_string(f.out_of_order) + "</td><td>" + esc(f.first ? iso_time(f.first) : "")
         + "</td><td>" + esc(f.last ? iso_time(f.last) : "") + "</td><td>" + esc(f.problem)
         + "</td></tr>\n";
  h += "</table>\n<h2>Round trips</h2>\n<table><tr><th>strategy</th><th>opened</th><th>closed</th>"
       "<th>seconds</th><th>fills</th><th>PnL</th><th>fees</th><th>funding</th><th>net</th></tr>\n";
  for (const auto& t : r.trips)
    h += "<tr><td>" + esc(t.strategy) + "</td><td>" + esc(iso_time(t.opened)) + "</td><td>"
         + esc(iso_time(t.closed)) + "</td><td>"
         + fixed(static_cast<double>(t.closed - t.opened) / ns_per_s, 1) + "</td><td>"
         + std::to_string(t.fills) + "</td><td>" + fixed(t.pnl) + "</td><td>" + fixed(t.fees)
         + "</td><td>" + fixed(t.funding) + "</td><td" + (t.net() < 0 ? " class=bad" : "") + ">"
         + fixed(t.net()) + "</td></tr>\n";
  h += "</table>\n</body></html>\n";
  return h;
}

std::string write_charts(const report& r, const report_inputs& in, const std::string& dir) {
  auto charts = charts_of(r);
  const char* names[] = {"equity.png", "drawdown.png", "position.png"};
  for (size_t i = 0; i < charts.size(); ++i)
    if (auto e = png_to(charts[i], (std::filesystem::path{dir} / names[i]).string()); !e.empty())
      return e;
  auto path = std::filesystem::path{dir} / "report.html";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  auto html = report_html(r, in);
  f.write(html.data(), static_cast<std::streamsize>(html.size()));
  f.close();
  return f ? "" : path.string() + ": cannot write";
}

} // namespace agora::backtest
