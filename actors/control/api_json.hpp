#pragma once

#include <string>

#include "messages/market_data.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"

namespace agora {

// JSON renderings of the control API's answers (stable field names: the CLI
// and dashboards read them).

std::string to_json(const graph_report& x);
std::string to_json(const status_report& x);
std::string to_json(const orders_report& x);
std::string to_json(const positions_report& x);

/// {"error": what}
std::string json_error(const std::string& what);

/// {"result": what}
std::string json_result(const std::string& what);

/// Prometheus text exposition of the status and graph.
std::string to_metrics(const status_report& s, const graph_report& g);

} // namespace agora
