// The intent log's in-line durable append, as a gateway would make it before
// an order leaves: serialize the order (CAF's binary serializer over its
// inspect overload) and append it with one write() (journal/intent_log).
//
// Three modes on a fresh directory under /tmp each (the page cache of the
// machine's disk; a tmpfs /tmp would flatter the fdatasync rows):
//   write         durable against a kill -9: the record is in the page cache;
//   write+sync    fdatasync after every record (power loss, no grouping);
//   group sync 8  fdatasync once per 8 records (a burst sharing one sync):
//                 the latency of the record that waits for the sync.
// Reported: records/s, per-record latency percentiles (steady_clock around
// serialize + append [+ sync]), the payload size, the segments left after
// releasing as SQLite would. Arguments: records per mode (default 200000;
// the sync modes run a tenth of it). Asserts nothing about time.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <caf/binary_serializer.hpp>

#include "actors/journal/intent_log.hpp"
#include "messages/orders.hpp"

using namespace agora;
using clock_type = std::chrono::steady_clock;

namespace {

submit_order sample_order(uint64_t i) {
  submit_order o;
  o.cid = client_order_id{1'000'000 + i};
  o.venue = venue_id{"binance-usdm"};
  o.symbol = symbol_id{"BTCUSDT"};
  o.sd = i % 2 == 0 ? side::buy : side::sell;
  o.px = price::from_raw(6'500'012'000'000 + static_cast<int64_t>(i % 100) * 1'000'000);
  o.qty = *quantity::parse("0.00153");
  o.strategy = "mr:usdm:BTCUSDT";
  return o;
}

double pct(std::vector<double>& xs, double p) {
  auto k = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
  return xs[k];
}

void run(const char* name, uint64_t n, int sync_every) {
  auto dir = std::filesystem::temp_directory_path()
             / ("agora-bench-intents-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  journal::intent_log_options o;
  o.dir = dir.string();
  o.segment_bytes = 8ull << 20;
  o.sync_files = sync_every > 0;
  std::string error;
  auto log = journal::intent_log::open(o, nullptr, &error);
  if (!log) {
    std::fprintf(stderr, "intent_log_append: %s\n", error.c_str());
    std::exit(1);
  }
  std::vector<char> buf;
  std::vector<double> lat;
  lat.reserve(n);
  size_t payload = 0;
  auto start = clock_type::now();
  std::vector<clock_type::time_point> group;
  for (uint64_t i = 0; i < n; ++i) {
    auto order = sample_order(i);
    auto t0 = clock_type::now();
    buf.clear();
    caf::binary_serializer sink{nullptr, buf};
    if (auto err = sink(order)) {
      std::fprintf(stderr, "intent_log_append: serialize failed\n");
      std::exit(1);
    }
    auto seq = log->append(journal::intent_kind::order, {buf.data(), buf.size()}, &error);
    if (seq == 0) {
      std::fprintf(stderr, "intent_log_append: %s\n", error.c_str());
      std::exit(1);
    }
    payload = buf.size();
    if (sync_every == 0) {
      lat.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    } else {
      group.push_back(t0);
      if (group.size() == static_cast<size_t>(sync_every) || i + 1 == n) {
        if (!log->sync(&error)) {
          std::fprintf(stderr, "intent_log_append: %s\n", error.c_str());
          std::exit(1);
        }
        auto t1 = clock_type::now();
        for (auto& g : group)
          lat.push_back(std::chrono::duration<double, std::micro>(t1 - g).count());
        group.clear();
      }
    }
    if (i % 4096 == 4095)
      log->release(seq - 1024); // SQLite catching up behind
  }
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  auto segments = log->segments();
  log.reset();
  std::filesystem::remove_all(dir);
  double max = *std::max_element(lat.begin(), lat.end());
  std::printf("  %-14s %9.0f rec/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f  p99.99 %8.2f  max %8.2f us"
              "  (%zu B payload, %zu segments left)\n",
              name, static_cast<double>(n) / secs, pct(lat, 50), pct(lat, 99), pct(lat, 99.9),
              pct(lat, 99.99), max, payload, segments);
}

} // namespace

int main(int argc, char** argv) {
  uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  if (n < 100)
    n = 100;
  std::printf("intent_log_append: serialize a submit_order + append, %llu records (sync modes "
              "%llu), %s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(n / 10),
              std::filesystem::temp_directory_path().c_str());
  run("write", n, 0);
  run("write+sync", n / 10, 1);
  run("group sync 8", n / 10, 8);
  return 0;
}
