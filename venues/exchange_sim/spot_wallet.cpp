#include "venues/exchange_sim/spot_wallet.hpp"

namespace agora::xsim {

spot_wallet::spot_wallet(
  const std::vector<std::pair<std::string, notional>>& start) {
  for (const auto& [asset, amount] : start)
    assets_[asset].free += amount;
}

notional spot_wallet::free(const std::string& asset) const noexcept {
  auto i = assets_.find(asset);
  return i == assets_.end() ? notional{} : i->second.free;
}

notional spot_wallet::locked(const std::string& asset) const noexcept {
  auto i = assets_.find(asset);
  return i == assets_.end() ? notional{} : i->second.locked;
}

bool spot_wallet::lock(const std::string& asset, notional amount) {
  auto& e = assets_[asset];
  if (e.free < amount)
    return false;
  e.free -= amount;
  e.locked += amount;
  return true;
}

void spot_wallet::unlock(const std::string& asset, notional amount) {
  auto& e = assets_[asset];
  e.locked -= amount;
  e.free += amount;
}

void spot_wallet::spend_locked(const std::string& asset, notional amount) {
  assets_[asset].locked -= amount;
}

void spot_wallet::add_free(const std::string& asset, notional amount) {
  assets_[asset].free += amount;
}

asset_balance spot_wallet::balance(const std::string& asset) const {
  return {asset, free(asset), locked(asset)};
}

std::vector<asset_balance> spot_wallet::balances() const {
  std::vector<asset_balance> out;
  out.reserve(assets_.size());
  for (const auto& [asset, e] : assets_)
    out.push_back({asset, e.free, e.locked});
  return out;
}

} // namespace agora::xsim
