#include "venues/exchange_sim/order_store.hpp"

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

void order_store::closed(uint64_t order_id) {
  closed_.push_back(order_id);
  while (closed_.size() > max_closed_) {
    auto old = closed_.front();
    closed_.pop_front();
    auto i = orders_.find(old);
    if (i == orders_.end())
      continue;
    auto key = client_key{i->second.account, i->second.view.symbol,
                          i->second.view.client_id};
    auto c = by_client_.find(key);
    if (c != by_client_.end() && c->second == old)
      by_client_.erase(c);
    orders_.erase(i);
  }
}

} // namespace agora::xsim
