#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "venues/binance/market.hpp"
#include "venues/exchange_sim/core_types.hpp"

namespace agora::xsim {

/// How `agora exchange-sim` runs.
struct server_options {
  std::string address = "127.0.0.1"; ///< Loopback only.
  uint16_t spot_port = 9443;         ///< 0 = ephemeral.
  uint16_t usdm_port = 9444;         ///< 0 = ephemeral.
  std::string data_dir = "var/exchange-sim"; ///< cert.pem, key.pem, credentials.json, ports.
  bool tls = true;                   ///< false: plain HTTP/WS (benchmarks of the protocol only).
  nanos step_interval = 100 * ns_per_ms;
  uint64_t seed = 1;
  std::string api_key;               ///< "" = generate one (written to credentials.json).
  std::string secret;
  nanos listen_key_ttl = 3600 * ns_per_s;
  /// Request weight per minute and IP; 0: Binance's (spot 6000, USD-M 2400).
  uint32_t weight_limit_1m = 0;
};

/// The default listings: spot BTCUSDT, ETHUSDT; USD-M BTCUSDT, ETHUSDT
/// (perpetuals), with Binance-like filters and fees.
std::vector<listed_symbol> default_listings(binance::market m, uint64_t seed);

/// The sim exchange served over Binance's REST + WebSocket protocol: one
/// HTTPS/WSS listener per market (spot, USD-M), each in front of one
/// `binance_core`, a stepping thread that advances both markets and pushes
/// their frames, and a small operations API beside Binance's paths:
///   POST /agora/fault?kind=K&arg=A   inject a fault (kinds of `fault`, plus
///                                    "drop": close every WebSocket abruptly)
///   GET  /agora/status               ports, connections, frames sent.
///
/// Thread-safety: start() and stop() from one thread; everything else is
/// internal (each core is guarded by its own mutex).
class exchange_server {
public:
  explicit exchange_server(server_options opts);
  ~exchange_server();

  exchange_server(const exchange_server&) = delete;
  exchange_server& operator=(const exchange_server&) = delete;

  /// Writes the certificate (if TLS) and the credentials file, binds both
  /// listeners and starts stepping. False with `*error` on failure.
  bool start(std::string* error);

  /// Stops stepping and closes both listeners. Idempotent.
  void stop();

  uint16_t port(binance::market m) const noexcept;

  /// Injects a fault on market `m`; returns what was done (or why not).
  std::string inject(binance::market m, const std::string& kind, const std::string& arg);

  /// The credentials clients must use.
  const std::string& api_key() const noexcept;
  const std::string& secret() const noexcept;

  /// Path of the PEM certificate clients must trust ("" without TLS).
  std::string cert_file() const;

  /// Frames pushed to WebSocket clients so far (both markets).
  uint64_t frames_sent() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace agora::xsim
