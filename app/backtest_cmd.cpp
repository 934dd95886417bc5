// `agora backtest`: the service's tree over recorded market data.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/backtest/backtest.hpp"
#include "app/cli.hpp"
#include "config/config_loader.hpp"
#include "venues/common/logging.hpp"

namespace agora::cli {

namespace {

constexpr const char* backtest_usage =
  R"(usage: agora --config FILE backtest --data PATH... [--from T] [--to T] [--report DIR]
                                    [--speed max|N] [--log-level LEVEL]
                                    [--set KEY=V1,V2,... [--set ...] [--sort METRIC] [--jobs N]]

Plays recorded market data (gzip lines "<receive ns> <raw JSON>", e.g. tests/data/recorded/)
through the same feed parsers, books, strategies, risk, gateways and journal as `agora run`,
on a virtual clock driven by the recorded receive times; orders fill against the recorded
books and trades (queue position, taker walks, post-only rejects, latency, fees). Every
mode is PAPER. The same data and config give the same fills and a byte-identical report.json.

  --config FILE     the configuration; its venues must be of kind "replay"
                    (see config/backtest-eth.json)
  --data PATH...    recorded files, merged by receive time; VENUE=PATH names the venue,
                    otherwise the file's market (spot / usdm) picks the replay venue
  --from T          trading starts at T; earlier data warms books and bars up (trading halted)
  --to T            data after T is not played
                    T: 2024-08-08T23:56:00Z (UTC, seconds and fraction optional) or ns since the epoch
  --report DIR      write report.json, equity.csv, trades.csv, perf.json and journal.db into DIR
  --speed max|N     max (default): as fast as the machine allows; N: N times the recorded pace
  --log-level L     trace, debug, info, warn (default; error in a sweep), error, critical, off
  --set KEY=V1,V2   parameter sweep: KEY is a config path (strategy_template.entry_z,
                    strategies[0].mean_reversion.window, venues[1].replay.taker_fee); every
                    combination of the --set values runs in its own process, up to
                    --jobs at once (default: the core count), each point's report in
                    DIR/<KEY=V,...>/; one table sorted by --sort: net_pnl (default), sharpe,
                    sortino, win_rate, profit_factor, expectancy, max_drawdown (smallest
                    first), fees, round_trips, fills

exit codes: 0 done, 1 the actor tree failed (see the log), 2 bad arguments or configuration,
            3 no usable data (missing, unreadable or empty file, unknown market),
            4 the journal or the report could not be written
)";

void err(const std::string& s) { std::fprintf(stderr, "agora backtest: %s\n", s.c_str()); }

bool parse_time(const std::string& s, nanos* out) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    if (s.size() > 19)
      return false;
    *out = std::strtoll(s.c_str(), nullptr, 10);
    return true;
  }
  std::tm tm{};
  int consumed = 0;
  int sec = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &consumed)
      != 5)
    return false;
  std::string rest = s.substr(static_cast<size_t>(consumed));
  nanos frac = 0;
  if (!rest.empty() && rest[0] == ':') {
    int n = 0;
    if (std::sscanf(rest.c_str(), ":%2d%n", &sec, &n) != 1)
      return false;
    rest = rest.substr(static_cast<size_t>(n));
    if (!rest.empty() && rest[0] == '.') {
      size_t i = 1;
      nanos scale = ns_per_s / 10;
      for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i, scale /= 10)
        frac += (rest[i] - '0') * scale;
      rest = rest.substr(i);
    }
  }
  if (rest != "Z" && !rest.empty())
    return false;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23
      || tm.tm_min > 59 || sec > 60)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_sec = sec;
  *out = static_cast<nanos>(timegm(&tm)) * ns_per_s + frac;
  return true;
}

struct sweep_axis {
  std::string key;
  std::vector<std::string> values;
};

struct sweep_point {
  std::vector<config::config_override> settings;
  std::string label;
  backtest::backtest_result result;
};

std::vector<sweep_point> grid_of(const std::vector<sweep_axis>& axes) {
  std::vector<sweep_point> out{sweep_point{}};
  for (const auto& a : axes) {
    std::vector<sweep_point> next;
    for (const auto& p : out)
      for (const auto& v : a.values) {
        auto q = p;
        q.settings.push_back({a.key, v});
        q.label += (q.label.empty() ? "" : ",") + a.key + "=" + v;
        next.push_back(std::move(q));
      }
    out = std::move(next);
  }
  return out;
}

/// The value of `metric` (and whether larger is better); nullopt: unknown metric.
std::optional<double> metric_of(const backtest::strategy_metrics& m, const std::string& metric) {
  double trips = static_cast<double>(m.round_trips);
  if (metric == "net_pnl")
    return m.realized - m.fees + m.funding + m.unrealized;
  if (metric == "sharpe")
    return m.sharpe.value_or(-1e300);
  if (metric == "sortino")
    return m.sortino.value_or(-1e300);
  if (metric == "win_rate")
    return m.round_trips ? static_cast<double>(m.wins) / trips : 0.0;
  if (metric == "profit_factor")
    return m.gross_losses > 0 ? m.gross_wins / m.gross_losses : (m.gross_wins > 0 ? 1e300 : 0.0);
  if (metric == "expectancy")
    return m.round_trips ? (m.gross_wins - m.gross_losses) / trips : 0.0;
  if (metric == "max_drawdown")
    return -m.max_drawdown;
  if (metric == "fees")
    return m.fees;
  if (metric == "round_trips")
    return trips;
  if (metric == "fills")
    return static_cast<double>(m.fill_count);
  return std::nullopt;
}

/// A point's totals, as its process sends them back: the exit code, the
/// error, then the figures the table and the sort need.
std::string encode_totals(const backtest::backtest_result& r) {
  const auto& m = r.result.total;
  auto out = fmt::format("{} {} {} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {} "
                         "{:.17g} {} {:.17g} {} {:.17g}\n",
                         r.code, m.round_trips, m.wins, m.gross_wins, m.gross_losses, m.realized,
                         m.fees, m.funding, m.unrealized, m.max_drawdown, m.sharpe ? 1 : 0,
                         m.sharpe.value_or(0), m.sortino ? 1 : 0, m.sortino.value_or(0),
                         m.fill_count, r.wall_seconds);
  return out + r.error;
}

bool decode_totals(const std::string& text, backtest::backtest_result& r) {
  auto& m = r.result.total;
  int code = 0, has_sharpe = 0, has_sortino = 0;
  unsigned long long trips = 0, wins = 0, fills = 0;
  double sharpe = 0, sortino = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d %llu %llu %lf %lf %lf %lf %lf %lf %lf %d %lf %d %lf %llu %lf\n%n",
                  &code, &trips, &wins, &m.gross_wins, &m.gross_losses, &m.realized, &m.fees,
                  &m.funding, &m.unrealized, &m.max_drawdown, &has_sharpe, &sharpe, &has_sortino,
                  &sortino, &fills, &r.wall_seconds, &used)
      != 16)
    return false;
  r.code = code;
  m.round_trips = trips;
  m.wins = wins;
  m.fill_count = fills;
  if (has_sharpe)
    m.sharpe = sharpe;
  if (has_sortino)
    m.sortino = sortino;
  r.error = text.substr(static_cast<size_t>(used));
  return true;
}

int run_sweep(const std::string& config_path, const std::vector<sweep_axis>& axes,
              const backtest::backtest_options& base, const std::string& sort, size_t jobs) {
  auto points = grid_of(axes);
  // Every point's config is read and validated before anything runs.
  std::vector<config::agora_config> configs;
  for (const auto& p : points) {
    auto loaded = config::load_config_file(config_path, p.settings);
    if (auto* e = std::get_if<config::config_error>(&loaded)) {
      err("--set " + p.label + ": " + config::to_string(*e));
      return backtest::bad_arguments;
    }
    configs.push_back(std::get<config::agora_config>(loaded));
  }
  std::fprintf(stderr, "agora backtest: sweep of %zu points, %zu at once\n", points.size(), jobs);
  // One child process per point (its own actor system and address space),
  // `jobs` at once; each sends its totals back through a pipe.
  struct running {
    size_t index;
    int fd;
  };
  std::map<pid_t, running> children;
  size_t next = 0;
  int failed_code = 0;
  auto collect = [&] {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    auto i = children.find(pid);
    if (i == children.end())
      return;
    auto& p = points[i->second.index];
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(i->second.fd, buf, sizeof buf)) > 0;)
      text.append(buf, static_cast<size_t>(n));
    ::close(i->second.fd);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : backtest::failed;
    if (!decode_totals(text, p.result) || code != backtest::ok) {
      p.result.code = code != backtest::ok ? code : backtest::failed;
      if (p.result.error.empty())
        p.result.error = "the point's process ended without a result (exit status "
                         + std::to_string(status) + ")";
      if (failed_code == 0)
        failed_code = p.result.code;
    }
    children.erase(i);
  };
  std::fflush(nullptr);
  // Forked below: no thread of ours may run here meanwhile (a child would
  // inherit its locks, held, and hang on the first allocation).
  stop_periodic_flush();
  while (next < points.size() || !children.empty()) {
    if (next < points.size() && children.size() < jobs) {
      int fds[2];
      if (::pipe(fds) != 0) {
        err(std::string{"pipe: "} + std::strerror(errno));
        return backtest::failed;
      }
      size_t i = next++;
      pid_t pid = ::fork();
      if (pid < 0) {
        err(std::string{"fork: "} + std::strerror(errno));
        return backtest::failed;
      }
      if (pid == 0) {
        ::close(fds[0]);
        start_periodic_flush();
        auto o = base;
        if (!base.report_dir.empty()) {
          auto folder = points[i].label;
          std::replace(folder.begin(), folder.end(), '/', '_');
          o.report_dir = (std::filesystem::path{base.report_dir} / folder).string();
        }
        auto r = backtest::run_backtest(configs[i], o);
        auto out = encode_totals(r);
        for (size_t done = 0; done < out.size();) {
          auto n = ::write(fds[1], out.data() + done, out.size() - done);
          if (n <= 0)
            break;
          done += static_cast<size_t>(n);
        }
        flush_logs();
        ::_exit(r.code);
      }
      ::close(fds[1]);
      children[pid] = running{i, fds[0]};
      continue;
    }
    collect();
  }
  for (const auto& p : points)
    if (p.result.code != backtest::ok) {
      err(p.label + ": " + p.result.error);
      return failed_code;
    }
  std::stable_sort(points.begin(), points.end(), [&](const sweep_point& a, const sweep_point& b) {
    return *metric_of(a.result.result.total, sort) > *metric_of(b.result.result.total, sort);
  });
  size_t width = 5;
  for (const auto& p : points)
    width = std::max(width, p.label.size());
  auto line = fmt::format("{:<{}} {:>6} {:>6} {:>12} {:>10} {:>10} {:>9} {:>7} {:>7}\n", "POINT",
                          width, "TRIPS", "WIN%", "NET_PNL", "FEES", "MAX_DD", "SHARPE", "FILLS",
                          "WALL_S");
  std::fputs(line.c_str(), stdout);
  for (const auto& p : points) {
    const auto& m = p.result.result.total;
    auto row = fmt::format(
      "{:<{}} {:>6} {:>6} {:>12.4f} {:>10.4f} {:>10.4f} {:>9} {:>7} {:>7.2f}\n", p.label, width,
      m.round_trips,
      m.round_trips ? fmt::format("{:.1f}", 100.0 * static_cast<double>(m.wins)
                                              / static_cast<double>(m.round_trips))
                    : std::string{"-"},
      m.realized - m.fees + m.funding + m.unrealized, m.fees, m.max_drawdown,
      m.sharpe ? fmt::format("{:.3f}", *m.sharpe) : std::string{"-"}, m.fill_count,
      p.result.wall_seconds);
    std::fputs(row.c_str(), stdout);
  }
  std::fputs(fmt::format("sorted by {}{}\n", sort,
                         base.report_dir.empty() ? std::string{}
                                                 : "; reports in " + base.report_dir + "/<POINT>/")
               .c_str(),
             stdout);
  return 0;
}

} // namespace

int run_backtest(const std::vector<std::string>& args, const std::string& config_path) {
  backtest::backtest_options o;
  std::string log_level;
  std::vector<sweep_axis> axes;
  std::string sort = "net_pnl";
  size_t jobs = static_cast<size_t>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](const char* what) -> const std::string* {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
        err(a + " needs " + what + " (see agora backtest --help)");
        return nullptr;
      }
      return &args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(backtest_usage, stdout);
      return 0;
    } else if (a == "--data") {
      size_t before = o.data.size();
      while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
        o.data.push_back(args[++i]);
      if (o.data.size() == before) {
        err("--data needs one or more recorded files (see agora backtest --help)");
        return backtest::bad_arguments;
      }
    } else if (a == "--from" || a == "--to") {
      auto v = value("a time (2024-08-08T23:56:00Z or ns since the epoch)");
      if (!v)
        return backtest::bad_arguments;
      if (!parse_time(*v, a == "--from" ? &o.from : &o.to)) {
        err(a + ": expected a UTC time such as 2024-08-08T23:56:00Z or ns since the epoch, got '"
            + *v + "'");
        return backtest::bad_arguments;
      }
    } else if (a == "--report") {
      auto v = value("a folder");
      if (!v)
        return backtest::bad_arguments;
      o.report_dir = *v;
    } else if (a == "--speed") {
      auto v = value("max or a number > 0");
      if (!v)
        return backtest::bad_arguments;
      if (*v == "max") {
        o.speed = 0;
      } else {
        char* end = nullptr;
        o.speed = std::strtod(v->c_str(), &end);
        if (end == v->c_str() || *end != '\0' || !(o.speed > 0) || o.speed > 1e9) {
          err("--speed: expected max or a number > 0, got '" + *v + "'");
          return backtest::bad_arguments;
        }
      }
    } else if (a == "--set") {
      auto v = value("KEY=V1,V2,...");
      if (!v)
        return backtest::bad_arguments;
      auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v->size()) {
        err("--set: expected KEY=V1,V2,... (e.g. strategy_template.entry_z=1.0,1.25,1.5), got '"
            + *v + "'");
        return backtest::bad_arguments;
      }
      sweep_axis axis{v->substr(0, eq), {}};
      std::string rest = v->substr(eq + 1);
      for (size_t start = 0;;) {
        auto comma = rest.find(',', start);
        auto item = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty()) {
          err("--set " + axis.key + ": an empty value in '" + rest + "'");
          return backtest::bad_arguments;
        }
        axis.values.push_back(item);
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
      axes.push_back(std::move(axis));
    } else if (a == "--sort") {
      auto v = value("a metric");
      if (!v)
        return backtest::bad_arguments;
      if (!metric_of(backtest::strategy_metrics{}, *v)) {
        err("--sort: expected one of net_pnl, sharpe, sortino, win_rate, profit_factor, "
            "expectancy, max_drawdown, fees, round_trips, fills; got '" + *v + "'");
        return backtest::bad_arguments;
      }
      sort = *v;
    } else if (a == "--jobs") {
      auto v = value("a number of parallel runs");
      if (!v)
        return backtest::bad_arguments;
      char* end = nullptr;
      auto n = std::strtoul(v->c_str(), &end, 10);
      if (end == v->c_str() || *end != '\0' || n < 1 || n > 256) {
        err("--jobs: expected a number in 1..256, got '" + *v + "'");
        return backtest::bad_arguments;
      }
      jobs = n;
    } else if (a == "--log-level") {
      auto v = value("a level");
      if (!v)
        return backtest::bad_arguments;
      log_level = *v;
    } else {
      err("unknown argument '" + a + "' (see agora backtest --help)");
      return backtest::bad_arguments;
    }
  }
  if (config_path.empty()) {
    err("needs --config FILE with venues of kind \"replay\" (e.g. --config "
        "config/backtest-eth.json; see agora backtest --help)");
    return backtest::bad_arguments;
  }
  if (o.data.empty()) {
    err("needs --data PATH... (recorded files; see agora backtest --help)");
    return backtest::bad_arguments;
  }
  if (o.from != 0 && o.to != 0 && o.to <= o.from) {
    err("--to must be after --from");
    return backtest::bad_arguments;
  }
  if (log_level.empty())
    log_level = axes.empty() ? "warn" : "error";
  std::string error;
  if (!setup_logging(log_level, "", &error)) {
    err("--log-level: " + error);
    return backtest::bad_arguments;
  }
  if (!axes.empty()) {
    int code = run_sweep(config_path, axes, o, sort, jobs);
    flush_logs();
    return code;
  }
  auto loaded = config::load_config_file(config_path);
  if (auto* e = std::get_if<config::config_error>(&loaded)) {
    err(config::to_string(*e));
    return backtest::bad_arguments;
  }
  auto cfg = std::get<config::agora_config>(loaded);
  auto r = backtest::run_backtest(std::move(cfg), o);
  flush_logs();
  if (r.code != backtest::ok) {
    err(r.error);
    return r.code;
  }
  std::fputs(backtest::summary_text(r.result, r.inputs).c_str(), stdout);
  std::fputs(fmt::format("played {} frames in {:.3f} s ({:.0f} frames/s)\n", r.inputs.frames,
                         r.wall_seconds, r.frames_per_second)
               .c_str(),
             stdout);
  if (!o.report_dir.empty())
    std::fputs(fmt::format("report: {}/report.json (also equity.csv, trades.csv, perf.json, "
                           "journal.db)\n",
                           o.report_dir)
                 .c_str(),
               stdout);
  return 0;
}

} // namespace agora::cli
