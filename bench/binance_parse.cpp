// Throughput and latency of binance::parse_stream on depth updates.
//
// Generates 200,000 diff-depth payloads up front, deterministically: half
// spot ("e":"depthUpdate" with "U"/"u", prices and sizes printed with 8
// decimals as spot does), half USD-M (with "T" and "pu", short decimals),
// interleaved, each wrapped in the combined-stream envelope
// {"stream":"btcusdt@depth@100ms","data":{..}} as the feed receives them, each
// carrying 20 levels split between bids and asks. Pass 1 times the whole run
// (messages/s, MB/s); pass 2 times every message with steady_clock for
// percentiles. Prints figures only; asserts nothing about time.

#include "venues/binance/codec.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace agora;
using namespace agora::binance;

namespace {

constexpr size_t message_count = 200'000;
constexpr int levels_per_message = 20;
constexpr uint64_t seed = 0xb1a2'ce00;

struct sample_message {
  std::string text;
  market m = market::spot;
};

/// Formats raw 1e-8 units with exactly `decimals` decimals (spot prints 8).
std::string fixed_text(int64_t raw, int decimals) {
  std::string s = std::to_string(raw / 100'000'000);
  if (decimals > 0) {
    std::string frac = std::to_string(raw % 100'000'000);
    frac.insert(0, 8 - frac.size(), '0');
    s += '.';
    s += frac.substr(0, static_cast<size_t>(decimals));
  }
  return s;
}

std::vector<sample_message> generate() {
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<int> split(1, levels_per_message - 1);
  std::uniform_int_distribution<int64_t> ticks(0, 400);
  std::uniform_int_distribution<int64_t> lots(0, 5'000);
  std::uniform_int_distribution<int> zero(0, 4);
  std::vector<sample_message> out(message_count);
  uint64_t spot_id = 40'000'000'000;
  uint64_t usdm_id = 7'000'000'000'000;
  int64_t ms = 1'700'000'000'000;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool usdm = i % 2 == 1;
    const int decimals_px = usdm ? 1 : 8;
    const int decimals_qty = usdm ? 3 : 8;
    // Tick 0.1 around 65000; lots of 0.001.
    auto level = [&](bool bid) {
      const int64_t t = ticks(rng);
      const int64_t px_raw = (650'000 + (bid ? -1 - t : t)) * 10'000'000;
      const int64_t qty_raw = zero(rng) == 0 ? 0 : (1 + lots(rng)) * 100'000;
      return "[\"" + fixed_text(px_raw, decimals_px) + "\",\""
             + fixed_text(qty_raw, decimals_qty) + "\"]";
    };
    const int bids = split(rng);
    std::string b;
    std::string a;
    for (int k = 0; k < levels_per_message; ++k) {
      auto& side = k < bids ? b : a;
      if (!side.empty())
        side += ',';
      side += level(k < bids);
    }
    ms += 50;
    auto& id = usdm ? usdm_id : spot_id;
    const uint64_t first = id + 1;
    const uint64_t last = id + 1 + (i % 7);
    std::string data = "{\"e\":\"depthUpdate\",\"E\":" + std::to_string(ms);
    if (usdm)
      data += ",\"T\":" + std::to_string(ms - 2);
    data += ",\"s\":\"BTCUSDT\",\"U\":" + std::to_string(first)
            + ",\"u\":" + std::to_string(last);
    if (usdm)
      data += ",\"pu\":" + std::to_string(id);
    data += ",\"b\":[" + b + "],\"a\":[" + a + "]}";
    id = last;
    out[i].text = "{\"stream\":\"btcusdt@depth@100ms\",\"data\":" + data + "}";
    out[i].m = usdm ? market::usdm : market::spot;
  }
  return out;
}

double ms_between(std::chrono::steady_clock::time_point a,
                  std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace

int main() {
  const venue_id venue{"binance"};
  const auto messages = generate();
  size_t bytes = 0;
  for (const auto& m : messages)
    bytes += m.text.size();

  // Warm-up (allocator, caches).
  for (size_t i = 0; i < 10'000; ++i)
    (void) parse_stream(messages[i].text, messages[i].m, venue, 0);

  // Pass 1: throughput.
  size_t ok = 0;
  size_t levels = 0;
  uint64_t checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& m : messages) {
    auto x = parse_stream(m.text, m.m, venue, 0);
    if (x) {
      const auto& d = std::get<book_delta>(*x);
      ++ok;
      levels += d.bids.size() + d.asks.size();
      checksum += d.last_update_id;
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double total_ms = ms_between(t0, t1);

  // Pass 2: per-message latency.
  std::vector<int64_t> samples;
  samples.reserve(messages.size());
  for (const auto& m : messages) {
    const auto a = std::chrono::steady_clock::now();
    auto x = parse_stream(m.text, m.m, venue, 0);
    const auto b = std::chrono::steady_clock::now();
    checksum += x ? 1 : 0;
    samples.push_back(
      std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
  }
  std::sort(samples.begin(), samples.end());
  auto pct = [&](double p) {
    return samples[static_cast<size_t>(p * static_cast<double>(samples.size() - 1))];
  };

  const double secs = total_ms / 1'000.0;
  std::printf("binance_parse: %zu depth updates (half spot, half usdm, "
              "combined-stream wrapped), %d levels each\n",
              messages.size(), levels_per_message);
  std::printf("  parsed ok: %zu of %zu%s (levels %zu, checksum %llu)\n", ok,
              messages.size(),
              ok == messages.size() ? "" : "  (WARNING: parse failures)",
              levels, static_cast<unsigned long long>(checksum));
  std::printf("  input: %.1f MB, %.0f bytes per message\n",
              static_cast<double>(bytes) / 1e6,
              static_cast<double>(bytes) / static_cast<double>(messages.size()));
  std::printf("  total: %.1f ms\n", total_ms);
  std::printf("  messages/s: %.0f\n", static_cast<double>(messages.size()) / secs);
  std::printf("  MB/s: %.1f\n", static_cast<double>(bytes) / 1e6 / secs);
  std::printf("  levels/s: %.0f\n", static_cast<double>(levels) / secs);
  std::printf("  per message: p50 %lld ns, p99 %lld ns, p99.9 %lld ns, "
              "max %lld ns\n",
              static_cast<long long>(pct(0.50)), static_cast<long long>(pct(0.99)),
              static_cast<long long>(pct(0.999)),
              static_cast<long long>(samples.back()));
  return ok == messages.size() ? 0 : 1;
}
