#pragma once

#include <string>
#include <vector>

namespace agora::cli {

/// Runs a CLI client command (graph, status, halt, ...) against the control
/// API of a running service. Returns the process exit code.
int run_client(const std::string& command, const std::vector<std::string>& args,
               const std::string& config_path);

/// Runs `agora exchange-sim ...`: the Binance-protocol sim exchange in the
/// foreground, or `exchange-sim fault ...` against a running one. Returns
/// the process exit code.
int run_exchange_sim(const std::vector<std::string>& args);

/// Runs `agora backtest ...` (see its --help). Returns the process exit code.
int run_backtest(const std::vector<std::string>& args, const std::string& config_path);

/// Prints the usage text to stdout.
void print_usage();

} // namespace agora::cli
