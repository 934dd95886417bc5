#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

// The typed configuration of the `agora` service. The JSON form, its key
// names and units are documented with the loader (config/config_loader.hpp);
// config/paper.json is the default configuration, spelled out.

namespace agora::config {

/// CAF scheduler settings.
struct scheduler_config {
  std::string policy = "sharing"; ///< "sharing" or "stealing".
  size_t max_threads = 1;         ///< Worker threads, >= 1.
  size_t max_throughput = 300;    ///< Messages an actor handles per turn, >= 1.
  bool busy_poll = false;         ///< Spin instead of sleeping when idle.

  friend bool operator==(const scheduler_config&, const scheduler_config&) = default;
};

/// The HTTP/JSON control API (loopback only).
struct control_config {
  std::string address = "127.0.0.1"; ///< A loopback literal (127.0.0.0/8 or ::1).
  uint16_t port = 8787;              ///< 0 binds an ephemeral port (tests).
  std::string token_file;            ///< "" -> <data_dir>/control.token.

  friend bool operator==(const control_config&, const control_config&) = default;
};

/// The SQLite journal (orders, fills, signals, ...; crash recovery).
struct journal_config {
  std::string path;                       ///< "" -> <data_dir>/journal.db.
  std::string sync = "normal";            ///< "normal": an order or fill is durable once written to its gateway's intent log, SQLite's WAL written per commit, fsync at checkpoints (survives a process crash); "full": fdatasync of the intent log per order or fill and fsync per SQLite commit (survives power loss); "off" (set by `agora backtest` only, never read from a file): no fsync.
  std::string intent_dir;                 ///< "" -> `intents` next to the journal file; one subdirectory per venue.
  nanos reconcile_interval = 30 * ns_per_s; ///< Venue reconciliation while running.
  nanos pnl_interval = 60 * ns_per_s;       ///< PnL snapshot period.

  friend bool operator==(const journal_config&, const journal_config&) = default;
};

/// Restart intensity and backoff of every supervisor.
struct supervision_config {
  size_t max_restarts = 5;               ///< At most this many restarts ...
  nanos within = 60 * ns_per_s;          ///< ... within this window, then escalate.
  nanos backoff_initial = 200 * ns_per_ms;
  nanos backoff_max = 10 * ns_per_s;

  friend bool operator==(const supervision_config&, const supervision_config&) = default;
};

/// Pre-trade risk limits, in quote currency.
struct risk_config {
  notional max_order_notional = notional::from_units(5000);
  notional max_position_notional = notional::from_units(20000);
  notional max_gross_exposure = notional::from_units(50000);
  /// Circuit breakers (PRODUCT.md section 4): fractions of the equity at the
  /// start of the UTC day; a trip halts trading until an explicit resume.
  notional equity = notional::from_units(10000);
  double daily_loss_limit = 0.02;
  double daily_drawdown_limit = 0.02;
  nanos breaker_override_window = 60 * ns_per_s; ///< A second resume within this lifts a breaker's hold.
  /// Per-group caps: symbol -> group, group -> open positions at most.
  std::map<std::string, std::string> symbol_groups;
  std::map<std::string, uint64_t> max_open_positions_per_group;
  nanos flip_guard_max_age = 60 * ns_per_s; ///< A venue position older than this is not compared.
  /// Macro-event calendar: REDUCING (no new entries, entries cancelled)
  /// from `macro_before` ahead of to `macro_after` behind each listed event
  /// of the listed impacts. "" = none.
  std::string calendar_file;
  nanos macro_before = 15 * 60 * ns_per_s;
  nanos macro_after = 15 * 60 * ns_per_s;
  std::vector<std::string> macro_impacts = {"high"};

  friend bool operator==(const risk_config&, const risk_config&) = default;
};

/// One external alert sink (PRODUCT.md section 6). Secrets (the Telegram
/// bot token, a webhook's Authorization value) come from environment
/// variables, never from the file.
struct alert_sink_config {
  std::string kind;             ///< "telegram" or "webhook".
  std::string name;             ///< For logs and stats; defaults to the kind.
  std::string base_url;         ///< Telegram: "https://api.telegram.org" by default; webhook: the full https URL.
  std::string token_env;        ///< Telegram: "TELEGRAM_BOT_TOKEN" by default; webhook: optional Authorization variable.
  std::string chat_id;          ///< Telegram only (required there).
  alert_level min_level = alert_level::warning;
  std::string ca_file;          ///< Extra trusted CA; "" = system CAs.
  bool verify_tls = true;
  size_t queue_limit = 256;
  nanos timeout = 5 * ns_per_s;
  int max_attempts = 3;
  nanos backoff = 1 * ns_per_s;
  friend bool operator==(const alert_sink_config&, const alert_sink_config&) = default;
};

/// Alert tiers, throttling, the daily summary and the sinks.
struct alerts_config {
  nanos throttle_info = 300 * ns_per_s;     ///< Identical alerts within this are counted, not repeated.
  nanos throttle_warning = 60 * ns_per_s;
  nanos throttle_critical = 10 * ns_per_s;
  int summary_hour_utc = 0;                 ///< The daily INFO summary (the last closed UTC day); -1: off.
  std::vector<alert_sink_config> sinks;
  friend bool operator==(const alerts_config&, const alerts_config&) = default;
};

/// Recording of every venue's raw market data (`agora record`, or while
/// trading): gzip files in the format `agora backtest` replays.
struct record_config {
  std::string dir;             ///< "" = no recording.
  std::string rotate = "hour"; ///< One file per venue and UTC "hour" or "day".

  friend bool operator==(const record_config&, const record_config&) = default;
};

/// Order gateway settings (per venue account).
struct gateway_config {
  double orders_per_minute = 30; ///< Token bucket refill rate, > 0.
  size_t burst = 10;             ///< Token bucket size, >= 1.
  size_t keep_finished = 10000;  ///< Terminal orders kept for queries.

  friend bool operator==(const gateway_config&, const gateway_config&) = default;
};

/// One instrument of the embedded sim exchange. The in-class defaults are
/// those of paper.json's `default_symbol` template; `symbol` has none.
struct sim_symbol_config {
  symbol_id symbol;
  price start_price = price::from_units(100);
  price tick = price::from_raw(1'000'000);          ///< 0.01
  quantity lot = quantity::from_raw(100'000);       ///< 0.001
  notional min_notional = notional::from_units(5);
  rate maker_fee = rate::from_raw(20'000);          ///< 0.0002
  rate taker_fee = rate::from_raw(40'000);          ///< 0.0004
  bool perpetual = false;
  double volatility = 0.00003; ///< Per-step relative volatility of the generator (~50%/yr at 100 ms steps).
  uint64_t seed = 1;
  size_t depth = 50;          ///< Levels per side.
  quantity level_qty = quantity::from_units(50); ///< Typical size of one level.
  /// A perpetual anchored to a spot symbol of the same venue: its fair mid is
  /// the spot's x exp(basis), the basis mean-reverting to `basis_bps` with
  /// `basis_volatility_bps` noise per step and the given half-life.
  symbol_id index_symbol;
  double basis_bps = 0;
  double basis_volatility_bps = 0.3;
  nanos basis_half_life = 60 * ns_per_s;

  friend bool operator==(const sim_symbol_config&, const sim_symbol_config&) = default;
};

/// The embedded sim exchange.
struct sim_venue_config {
  nanos step_interval = 100 * ns_per_ms; ///< Market generator step.
  nanos latency = 1 * ns_per_ms;         ///< One-way order latency.
  nanos jitter = 500 * ns_per_us;        ///< Latency jitter (uniform +/-).
  nanos heartbeat_timeout = 3 * ns_per_s;
  /// Template for symbols spawned at runtime; its `symbol` is empty. Keys
  /// missing from an entry of `symbols` take their values from here.
  sim_symbol_config default_symbol;
  std::vector<sim_symbol_config> symbols;

  friend bool operator==(const sim_venue_config&, const sim_venue_config&) = default;
};

/// A Binance account: spot or USD-M futures, on testnet, mainnet, or a local
/// `agora exchange-sim`. The loader fills empty URLs from the network's
/// defaults (testnet / mainnet); "local" needs them spelled out.
struct binance_venue_config {
  std::string market = "spot";      ///< "spot" or "usdm".
  std::string network = "testnet";  ///< "testnet", "mainnet" or "local".
  std::string rest_url;             ///< e.g. "https://testnet.binance.vision".
  std::string ws_url;               ///< Market streams base, e.g. "wss://stream.testnet.binance.vision".
  std::string ws_api_url;           ///< Spot user data (WebSocket API); unused for usdm.
  std::string ca_file;              ///< Extra trusted CA (exchange-sim's certificate); "" = system CAs.
  bool verify_tls = true;           ///< Certificate and host name checks (never turn off outside tests).
  std::vector<symbol_id> symbols;   ///< Books (and strategies) of this venue.
  std::string api_key_env = "BINANCE_API_KEY";
  std::string api_secret_env = "BINANCE_API_SECRET";
  std::string credentials_file;     ///< A 0600 JSON file {"api_key","secret"}; overrides the env.
  bool live = false;                ///< Must be true (with mode "live") to trade on mainnet.
  /// Where orders go: "venue" (the venue's order API, with credentials) or
  /// "paper" (nothing is sent: fills are simulated against this venue's own
  /// book, no credentials needed; PAPER/SHADOW only, also on mainnet).
  std::string orders = "venue";
  nanos paper_latency = 10 * ns_per_ms; ///< Simulated one-way order latency ("paper").
  nanos paper_jitter = 2 * ns_per_ms;   ///< Plus a uniform draw in [0, jitter).
  rate maker_fee;                   ///< Defaults: spot 0.001, usdm 0.0002.
  rate taker_fee;                   ///< Defaults: spot 0.001, usdm 0.0005.
  int64_t recv_window_ms = 5000;
  size_t depth_limit = 1000;        ///< Levels of the REST snapshot.
  nanos heartbeat_timeout = 30 * ns_per_s; ///< Silent stream this long -> reconnect.
  nanos ping_interval = 15 * ns_per_s;
  nanos listen_key_keepalive = 30 * 60 * ns_per_s; ///< USD-M listenKey PUT interval.
  nanos reconcile_interval = 30 * ns_per_s; ///< Open orders re-read from REST.

  friend bool operator==(const binance_venue_config&, const binance_venue_config&) = default;
};

/// One instrument of a replay venue: what exchangeInfo would say of it.
struct replay_symbol_config {
  symbol_id symbol;
  price tick;
  quantity lot;
  notional min_notional;

  friend bool operator==(const replay_symbol_config&, const replay_symbol_config&) = default;
};

/// A venue played back from recorded market data (`agora backtest` only):
/// its recorded streams are in the Binance format of `market`, and orders
/// fill against the recorded books and trades (the paper matcher).
struct replay_venue_config {
  std::string market = "spot";            ///< "spot" or "usdm": the recorded streams' format.
  std::vector<replay_symbol_config> symbols;
  rate maker_fee;                         ///< Defaults as the binance venue: spot 0.001, usdm 0.0002.
  rate taker_fee;                         ///< spot 0.001, usdm 0.0005.
  nanos paper_latency = 10 * ns_per_ms;   ///< Simulated one-way order latency.
  nanos paper_jitter = 2 * ns_per_ms;     ///< Plus a uniform draw in [0, jitter).

  friend bool operator==(const replay_venue_config&, const replay_venue_config&) = default;
};

/// One venue connection.
struct venue_config {
  venue_id name;
  std::string kind = "sim"; ///< "sim", "binance" or "replay".
  sim_venue_config sim;
  binance_venue_config binance; ///< When kind is "binance".
  replay_venue_config replay;   ///< When kind is "replay".

  friend bool operator==(const venue_config&, const venue_config&) = default;
};

/// Order-book-imbalance mean reversion (PRODUCT.md section 2).
struct mean_reversion_config {
  size_t window = 60;       ///< Bars in the rolling z-score, >= 2.
  double entry_z = 1.25;
  double exit_z = 0.5;      ///< 0 < exit_z < entry_z.
  double stop_loss = 0.01;  ///< Relative adverse move, 0 < x < 1.
  nanos bar_interval = 60 * ns_per_s;
  nanos time_stop = 1800 * ns_per_s;
  nanos time_stop_off_hours = 3600 * ns_per_s;
  int off_hours_start_utc = 22; ///< Hour 0..23.
  int off_hours_end_utc = 6;    ///< Hour 0..23.
  bool allow_short = false;     ///< Only on perpetual symbols.
  notional order_notional = notional::from_units(100);
  /// Maker entries (PRODUCT.md section 3): a resting entry is re-placed at
  /// the touch when the market moves away by more than `reprice_threshold`,
  /// at most every `reprice_min_interval`, at most `max_reprices` times and
  /// within `maker_lifetime`; then it is given up. "thin" symbols default to
  /// 120 s / 15 reprices, "liquid" ones to 30 s / 5.
  std::string liquidity = "liquid";
  nanos maker_lifetime = 30 * ns_per_s;
  double reprice_threshold = 0.001;
  nanos reprice_min_interval = 2 * ns_per_s;
  size_t max_reprices = 5;
  size_t imbalance_levels = 20;

  friend bool operator==(const mean_reversion_config&, const mean_reversion_config&) = default;
};

/// One leg's instrument of a basis strategy.
struct instrument_ref {
  venue_id venue;
  symbol_id symbol;
  friend bool operator==(const instrument_ref&, const instrument_ref&) = default;
};

/// Spot-perpetual basis / funding arbitrage (PRODUCT.md section 2) and its
/// two-leg execution (section 3).
struct basis_config {
  instrument_ref spot;
  instrument_ref perp;
  notional trade_notional = notional::from_units(1000); ///< Quote spent on the spot leg per trade.
  double entry_threshold_bps = 10;  ///< Open when the net yield exceeds this.
  double exit_threshold_bps = 1;    ///< Close when it falls below this (< entry: hysteresis).
  double safety_buffer_bps = 3;
  bool include_funding = true;      ///< The next funding payment counts in the yield ...
  nanos funding_horizon = 8 * 3600 * ns_per_s; ///< ... when due within this.
  bool allow_reverse = false;       ///< Short spot / long perp too (venues that lend spot).
  double slippage_tolerance_bps = 5; ///< IOC leg limits beyond the VWAP walk's worst level.
  nanos leg_deadline = 5 * ns_per_s; ///< Both legs filled within this, or the rest is cancelled and leg risk unwound.
  nanos cooldown = 60 * ns_per_s;   ///< After a round trip (or a trade that did not fill).
  nanos max_quote_skew = 1 * ns_per_s; ///< The two books' last updates at most this far apart.
  nanos retry_backoff = 5 * ns_per_s; ///< A close that did not fill is retried after this.
  nanos unwind_retry = 500 * ns_per_ms; ///< Between emergency unwind attempts.
  int max_unwind_attempts = 3;
  friend bool operator==(const basis_config&, const basis_config&) = default;
};

/// One strategy instance.
struct strategy_config {
  std::string name;
  std::string kind = "mean_reversion"; ///< "mean_reversion" or "basis".
  venue_id venue;
  symbol_id symbol;
  run_mode mode = run_mode::paper;
  mean_reversion_config mean_reversion;
  basis_config basis;               ///< When kind is "basis" (venue/symbol: the perpetual leg's).

  friend bool operator==(const strategy_config&, const strategy_config&) = default;
};

/// The whole service configuration.
struct agora_config {
  std::string data_dir = "var";  ///< Journal, token file.
  std::string log_level = "info"; ///< One of spdlog's level names.
  std::string log_file;           ///< "" logs to stderr only.
  nanos status_interval = 10 * ns_per_s;
  run_mode mode = run_mode::paper;
  scheduler_config scheduler;
  control_config control;
  journal_config journal;
  supervision_config supervision;
  risk_config risk;
  gateway_config gateway;
  alerts_config alerts;
  record_config record;
  std::vector<venue_config> venues;
  std::vector<strategy_config> strategies;
  mean_reversion_config strategy_template; ///< Used by `agora spawn SYMBOL`.

  friend bool operator==(const agora_config&, const agora_config&) = default;
};

/// The default configuration: exactly what config/paper.json says (paper
/// trading on the embedded sim venue with BTCUSDT, ETHUSDT, BTCUSDT-PERP and
/// one fast mean-reversion strategy per symbol).
agora_config default_config();

/// The journal's file: `journal.path`, or `<data_dir>/journal.db`.
std::string journal_file_path(const agora_config& c);
/// Where `venue`'s gateway keeps its intent log: journal.intent_dir/<venue>,
/// by default `intents/<venue>` in the journal file's directory.
std::string intent_dir_path(const agora_config& c, const venue_id& venue);

/// The control API's token file: `control.token_file`, or
/// `<data_dir>/control.token` when that is empty.
std::string token_file_path(const agora_config& c);

} // namespace agora::config
