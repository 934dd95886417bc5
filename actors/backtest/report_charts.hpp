#pragma once

#include <string>

#include "actors/backtest/backtest_report.hpp"

namespace agora::backtest {

/// Draws the report's charts with cairo and writes them into `dir`:
/// equity.png (each strategy's equity and the total), drawdown.png (the
/// total's distance below its running peak), position.png (each strategy's
/// signed position notional at the mark), and report.html: self-contained
/// (the same charts inline as SVG, the metrics, books, files and round-trip
/// tables, no external resource). The same report gives the same files.
/// Returns "" or what could not be written.
std::string write_charts(const report& r, const report_inputs& in, const std::string& dir);

/// report.html's text alone (tests, and write_charts).
std::string report_html(const report& r, const report_inputs& in);

} // namespace agora::backtest
