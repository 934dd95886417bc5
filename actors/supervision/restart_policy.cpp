#include "actors/supervision/restart_policy.hpp"

namespace agora {

restart_policy::restart_policy(restart_params params) : params_(params) {
  // nothing else
}

void restart_policy::expire(nanos now) {
  while (!restarts_.empty() && restarts_.front() <= now - params_.within)
    restarts_.pop_front();
}

size_t restart_policy::recent(nanos now) {
  expire(now);
  return restarts_.size();
}

restart_decision restart_policy::on_failure(nanos now,
                                            size_t child_recent_failures) {
  expire(now);
  restart_decision result;
  if (restarts_.size() >= params_.max_restarts) {
    result.escalate = true;
    return result;
  }
  restarts_.push_back(now);
  result.delay = backoff(child_recent_failures == 0 ? 1 : child_recent_failures);
  return result;
}

nanos restart_policy::backoff(size_t n) const noexcept {
  nanos delay = params_.backoff_initial;
  for (size_t i = 1; i < n; ++i) {
    if (delay >= params_.backoff_max / 2)
      return params_.backoff_max;
    delay *= 2;
  }
  return delay < params_.backoff_max ? delay : params_.backoff_max;
}

size_t failure_window::record(nanos now, nanos within) {
  while (!times_.empty() && times_.front() <= now - within)
    times_.pop_front();
  times_.push_back(now);
  return times_.size();
}

} // namespace agora
