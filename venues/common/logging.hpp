#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "messages/format.hpp"

namespace agora {

/// Sets up Agora's logging: UTC timestamps to the microsecond, one named
/// logger per subsystem, to stderr and (if `file` is not empty) a file.
/// Returns false and fills `error` if the level name or the file is bad.
bool setup_logging(std::string_view level, const std::string& file,
                   std::string* error);

/// The named logger for a subsystem ("book", "strategy", "gateway", "risk",
/// "venue.sim", "supervisor", "alerts", "control", "service"); created on
/// first use with the common sinks. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

/// Flushes every logger (shutdown, before exit).
void flush_logs();

/// Stops / restarts the thread that flushes every log each second. A process
/// that forks must stop it first: a child would inherit whatever lock that
/// thread held at the fork (the allocator's, a sink's) and hang on it.
void stop_periodic_flush();
void start_periodic_flush();

} // namespace agora
