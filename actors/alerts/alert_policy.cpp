#include "actors/alerts/alert_policy.hpp"

#include <algorithm>
#include <vector>

namespace agora {

namespace {

constexpr nanos ns_per_hour = 3600 * ns_per_s;
constexpr nanos ns_per_day = 24 * ns_per_hour;

/// Index of a level in the per-level arrays; 0 for an unset or unknown one.
size_t index_of(alert_level level) noexcept {
  auto i = static_cast<size_t>(level);
  return i < 4 ? i : 0;
}

/// Floor division: the UTC day number of `t`, also before 1970.
nanos day_of(nanos t) noexcept {
  auto d = t / ns_per_day;
  return (t % ns_per_day < 0) ? d - 1 : d;
}

} // namespace

alert_policy::alert_policy(const alert_settings& settings, size_t max_keys)
    : summary_hour_(settings.summary_hour_utc),
      max_keys_(std::max<size_t>(max_keys, 4)) {
  throttle_[0] = settings.throttle_info;
  throttle_[index_of(alert_level::info)] = settings.throttle_info;
  throttle_[index_of(alert_level::warning)] = settings.throttle_warning;
  throttle_[index_of(alert_level::critical)] = settings.throttle_critical;
}

std::string alert_policy::key_of(const alert_raised& a) {
  std::string k{to_string(a.level)};
  k += '|';
  k += a.source;
  k += '|';
  k += a.key.empty() ? a.text : a.key;
  return k;
}

alert_decision alert_policy::on_alert(const alert_raised& a, nanos now) {
  auto i = index_of(a.level);
  auto window = throttle_[i];
  auto [it, fresh] = recent_.try_emplace(key_of(a));
  auto& r = it->second;
  if (!fresh && now - r.last < r.window) {
    ++r.repeats;
    ++suppressed_[i];
    return {false, 0};
  }
  alert_decision d{true, fresh ? 0 : r.repeats};
  r = recent{now, window, 0};
  ++delivered_[i];
  if (recent_.size() > max_keys_)
    prune(now);
  return d;
}

void alert_policy::prune(nanos now) {
  std::erase_if(recent_, [now](const auto& kv) {
    return now - kv.second.last >= kv.second.window;
  });
  auto target = max_keys_ / 4 * 3;
  if (recent_.size() <= target)
    return;
  // Still crowded with live windows (a storm of distinct alerts): forget
  // the least recently delivered.
  std::vector<nanos> lasts;
  lasts.reserve(recent_.size());
  for (const auto& kv : recent_)
    lasts.push_back(kv.second.last);
  auto excess = recent_.size() - target;
  std::nth_element(lasts.begin(),
                   lasts.begin() + static_cast<std::ptrdiff_t>(excess - 1),
                   lasts.end());
  auto cutoff = lasts[excess - 1];
  // Entries strictly older than the cutoff go first, then ties at the
  // cutoff until the target is met.
  for (auto it = recent_.begin(); it != recent_.end();)
    it = it->second.last < cutoff ? recent_.erase(it) : std::next(it);
  for (auto it = recent_.begin();
       it != recent_.end() && recent_.size() > target;)
    it = it->second.last == cutoff ? recent_.erase(it) : std::next(it);
}

nanos alert_policy::next_summary_after(nanos now) const noexcept {
  if (summary_hour_ < 0 || summary_hour_ > 23)
    return 0;
  auto at = day_of(now) * ns_per_day + summary_hour_ * ns_per_hour;
  return at > now ? at : at + ns_per_day;
}

nanos alert_policy::throttle(alert_level level) const noexcept {
  return throttle_[index_of(level)];
}

uint64_t alert_policy::delivered(alert_level level) const noexcept {
  return delivered_[index_of(level)];
}

uint64_t alert_policy::suppressed(alert_level level) const noexcept {
  return suppressed_[index_of(level)];
}

uint64_t alert_policy::delivered_total() const noexcept {
  uint64_t n = 0;
  for (auto x : delivered_)
    n += x;
  return n;
}

uint64_t alert_policy::suppressed_total() const noexcept {
  uint64_t n = 0;
  for (auto x : suppressed_)
    n += x;
  return n;
}

} // namespace agora
