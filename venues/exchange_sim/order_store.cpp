#include "venues/exchange_sim/order_store.hpp"

#include <algorithm>
#include <utility>

namespace agora::xsim {

bool order_record::open() const noexcept {
  return view.status == "NEW" || view.status == "PARTIALLY_FILLED";
}

order_store::order_store(size_t max_closed) : max_closed_(max_closed) {
}

order_record& order_store::add(order_record r) {
  auto id = r.view.order_id;
  by_client_[client_key{r.account, r.view.symbol, r.view.client_id}] = id;
  by_symbol_[symbol_key{r.account, r.view.symbol}].insert(id);
  auto [it, inserted] = orders_.insert_or_assign(id, std::move(r));
  return it->second;
}

order_record* order_store::find(uint64_t order_id) noexcept {
  auto i = orders_.find(order_id);
  return i == orders_.end() ? nullptr : &i->second;
}

const order_record* order_store::find(uint64_t order_id) const noexcept {
  auto i = orders_.find(order_id);
  return i == orders_.end() ? nullptr : &i->second;
}

order_record* order_store::find_client(size_t account, const std::string& symbol,
                                       const std::string& client_id) noexcept {
  auto i = by_client_.find(client_key{account, symbol, client_id});
  return i == by_client_.end() ? nullptr : find(i->second);
}

bool order_store::has_open_client(size_t account, const std::string& symbol,
                                  const std::string& client_id) const noexcept {
  auto i = by_client_.find(client_key{account, symbol, client_id});
  if (i == by_client_.end())
    return false;
  auto o = find(i->second);
  return o != nullptr && o->open();
}

std::vector<const order_record*>
order_store::open_orders(size_t account, const std::string& symbol) const {
  std::vector<const order_record*> out;
  for (const auto& [id, r] : orders_)
    if (r.open() && (account == npos || r.account == account)
        && (symbol.empty() || r.view.symbol == symbol))
      out.push_back(&r);
  return out;
}

std::vector<const order_record*>
order_store::history(size_t account, const std::string& symbol,
                     const history_query& q) const {
  std::vector<const order_record*> out;
  auto s = by_symbol_.find(symbol_key{account, symbol});
  if (s == by_symbol_.end() || q.limit == 0)
    return out;
  const auto& ids = s->second;
  auto take = [&](uint64_t id) {
    const auto* o = find(id);
    if (o != nullptr && (!q.start_ms || o->time_ms >= *q.start_ms)
        && (!q.end_ms || o->time_ms <= *q.end_ms))
      out.push_back(o);
  };
  auto first = q.from_id ? ids.lower_bound(*q.from_id) : ids.begin();
  if (q.from_oldest) {
    for (auto i = first; i != ids.end() && out.size() < q.limit; ++i)
      take(*i);
    return out;
  }
  for (auto i = ids.end(); i != first && out.size() < q.limit;)
    take(*--i);
  std::reverse(out.begin(), out.end());
  return out;
}

void order_store::closed(uint64_t order_id) {
  auto closing = orders_.find(order_id);
  if (closing == orders_.end())
    return;
  auto& done = closed_[closing->second.account];
  done.push_back(order_id);
  while (done.size() > max_closed_) {
    auto old = done.front();
    done.pop_front();
    auto i = orders_.find(old);
    if (i == orders_.end())
      continue;
    const auto& r = i->second;
    auto c = by_client_.find(client_key{r.account, r.view.symbol, r.view.client_id});
    if (c != by_client_.end() && c->second == old)
      by_client_.erase(c);
    auto s = by_symbol_.find(symbol_key{r.account, r.view.symbol});
    if (s != by_symbol_.end())
      s->second.erase(old);
    orders_.erase(i);
  }
}

} // namespace agora::xsim
