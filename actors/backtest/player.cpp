#include "actors/backtest/player.hpp"

#include <algorithm>

namespace agora::backtest {

std::string detect_market(const std::string& path, std::string* error, size_t scan_lines) {
  auto r = replay::recording_reader::open(path, error);
  if (!r)
    return "";
  replay::recorded_line l;
  for (size_t i = 0; i < scan_lines && r->next(l) == replay::read_status::line; ++i) {
    const auto& t = l.text;
    if (t.find("\"markPriceUpdate\"") != std::string::npos)
      return "usdm";
    if (t.find("\"depthUpdate\"") != std::string::npos)
      return t.find("\"pu\":") != std::string::npos ? "usdm" : "spot";
    if (t.find("@bookTicker\"") != std::string::npos)
      return t.find("\"e\":\"bookTicker\"") != std::string::npos ? "usdm" : "spot";
  }
  if (!r->error().empty())
    *error = r->error();
  return "";
}

std::variant<std::vector<data_source>, std::string>
assign_sources(const std::vector<std::string>& args, const config::agora_config& cfg) {
  std::vector<data_source> out;
  for (const auto& a : args) {
    data_source s;
    s.path = a;
    if (auto eq = a.find('='); eq != std::string::npos) {
      venue_id named{a.substr(0, eq)};
      for (const auto& v : cfg.venues)
        if (v.name == named && v.kind == "replay") {
          s.venue = named;
          s.path = a.substr(eq + 1);
        }
    }
    if (!s.venue.valid()) {
      std::string error;
      auto m = detect_market(s.path, &error);
      if (m.empty())
        return error.empty() ? s.path + ": no depth diff or bookTicker in its first lines: cannot "
                                        "tell its market; write VENUE=" + s.path
                             : error;
      std::vector<venue_id> candidates;
      for (const auto& v : cfg.venues)
        if (v.kind == "replay" && v.replay.market == m)
          candidates.push_back(v.name);
      if (candidates.size() != 1) {
        std::string names;
        for (auto& c : candidates)
          names += (names.empty() ? "" : ", ") + c.str();
        return s.path + ": holds " + m + " streams and the config has "
               + (candidates.empty() ? std::string{"no replay venue of market \"" + m + "\""}
                                     : "several (" + names + ")")
               + "; write VENUE=" + s.path + " to choose";
      }
      s.venue = candidates.front();
    }
    out.push_back(std::move(s));
  }
  if (out.empty())
    return std::string{"no data: give --data PATH... (recorded .gz files)"};
  return out;
}

std::unique_ptr<player> player::open(const std::vector<data_source>& sources,
                                     std::string* error) {
  std::unique_ptr<player> p{new player};
  for (const auto& s : sources) {
    file f;
    f.source = s;
    f.stats.path = s.path;
    f.stats.venue = s.venue;
    f.reader = replay::recording_reader::open(s.path, error);
    if (!f.reader)
      return nullptr;
    p->files_.push_back(std::move(f));
  }
  for (auto& f : p->files_) {
    p->advance(f);
    if (!f.has_line) {
      *error = f.source.path + ": no readable line"
               + (f.stats.problem.empty() ? std::string{} : " (" + f.stats.problem + ")");
      return nullptr;
    }
  }
  return p;
}

void player::advance(file& f) {
  auto status = f.reader->next(f.line);
  f.has_line = status == replay::read_status::line;
  if (f.has_line) {
    if (f.stats.lines > 0 && f.line.local_time < f.stats.last) {
      ++f.stats.out_of_order;
      f.line.local_time = f.stats.last;
    }
    if (f.stats.lines == 0)
      f.stats.first = f.line.local_time;
    f.stats.last = f.line.local_time;
    ++f.stats.lines;
  }
  f.stats.malformed = f.reader->malformed();
  std::string problem = f.reader->error();
  if (!f.reader->first_malformed().empty())
    problem += (problem.empty() ? "" : "; ") + std::string{"first malformed "}
               + f.reader->first_malformed();
  f.stats.problem = problem;
}

player::file* player::earliest() {
  file* best = nullptr;
  for (auto& f : files_)
    if (f.has_line && (!best || f.line.local_time < best->line.local_time))
      best = &f;
  return best;
}

bool player::next(frame& out) {
  auto* f = earliest();
  if (!f)
    return false;
  out.venue = f->source.venue;
  out.time = f->line.local_time;
  out.text = std::move(f->line.text);
  advance(*f);
  return true;
}

bool player::venue_done(const venue_id& venue) const {
  for (const auto& f : files_)
    if (f.has_line && f.source.venue == venue)
      return false;
  return true;
}

std::vector<file_stats> player::stats() const {
  std::vector<file_stats> out;
  for (const auto& f : files_)
    out.push_back(f.stats);
  return out;
}

} // namespace agora::backtest
