#include "venues/common/logging.hpp"

#include <mutex>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace agora {

namespace {

std::mutex mtx;
std::vector<spdlog::sink_ptr> sinks;
spdlog::level::level_enum level = spdlog::level::info;
constexpr const char* pattern = "%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ [%n] %v";

void ensure_sinks_locked() {
  if (sinks.empty()) {
    auto s = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    s->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        pattern, spdlog::pattern_time_type::utc));
    sinks.push_back(s);
  }
}

} // namespace

bool setup_logging(std::string_view level_name, const std::string& file,
                   std::string* error) {
  auto lvl = spdlog::level::from_str(std::string{level_name});
  if (lvl == spdlog::level::off && level_name != "off") {
    if (error)
      *error = "unknown log level '" + std::string{level_name} + "'";
    return false;
  }
  std::lock_guard<std::mutex> guard{mtx};
  level = lvl;
  ensure_sinks_locked();
  if (!file.empty()) {
    try {
      auto s = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
      s->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        pattern, spdlog::pattern_time_type::utc));
      sinks.push_back(s);
    } catch (const spdlog::spdlog_ex& ex) {
      if (error)
        *error = std::string{"cannot open log file: "} + ex.what();
      return false;
    }
  }
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks() = sinks;
    l->set_level(level);
  });
  spdlog::flush_every(std::chrono::seconds(1));
  return true;
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto l = spdlog::get(name))
    return l;
  std::lock_guard<std::mutex> guard{mtx};
  if (auto l = spdlog::get(name))
    return l;
  ensure_sinks_locked();
  auto l = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  l->set_level(level);
  l->flush_on(spdlog::level::warn);
  spdlog::register_logger(l);
  return l;
}

void stop_periodic_flush() {
  spdlog::flush_every(std::chrono::seconds(0)); // joins the flusher thread
}

void start_periodic_flush() { spdlog::flush_every(std::chrono::seconds(1)); }

void flush_logs() {
  spdlog::apply_all(
    [](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
}

} // namespace agora
