#include "venues/exchange_sim/trade_history.hpp"

#include <algorithm>

namespace agora::xsim {

trade_history::trade_history(size_t max_per_account)
  : max_per_account_(max_per_account) {
}

void trade_history::add(size_t account, const std::string& symbol,
                        const trade_record& t) {
  if (max_per_account_ == 0)
    return;
  auto& log = accounts_[account];
  auto it = log.by_symbol.try_emplace(symbol).first;
  it->second.push_back(t);
  // Map keys never move, and a symbol's entry is never erased.
  log.arrival.push_back(&it->first);
  while (log.arrival.size() > max_per_account_) {
    const auto* oldest = log.arrival.front();
    log.arrival.pop_front();
    log.by_symbol.find(*oldest)->second.pop_front();
  }
}

std::vector<trade_record> trade_history::query(size_t account,
                                               const std::string& symbol,
                                               const history_query& q) const {
  std::vector<trade_record> out;
  auto a = accounts_.find(account);
  if (a == accounts_.end() || q.limit == 0)
    return out;
  auto s = a->second.by_symbol.find(symbol);
  if (s == a->second.by_symbol.end())
    return out;
  const auto& trades = s->second;
  auto pass = [&](const trade_record& t) {
    return (!q.order_id || t.order_id == *q.order_id)
           && (!q.start_ms || t.time_ms >= *q.start_ms)
           && (!q.end_ms || t.time_ms <= *q.end_ms);
  };
  auto first = trades.begin();
  if (q.from_id)
    first = std::lower_bound(trades.begin(), trades.end(), *q.from_id,
                             [](const trade_record& t, uint64_t id) { return t.id < id; });
  if (q.from_oldest) {
    for (auto i = first; i != trades.end() && out.size() < q.limit; ++i)
      if (pass(*i))
        out.push_back(*i);
    return out;
  }
  for (auto i = trades.end(); i != first && out.size() < q.limit;) {
    --i;
    if (pass(*i))
      out.push_back(*i);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

size_t trade_history::size(size_t account) const noexcept {
  auto a = accounts_.find(account);
  return a == accounts_.end() ? 0 : a->second.arrival.size();
}

} // namespace agora::xsim
