#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "messages/fixed_point.hpp"
#include "venues/exchange_sim/core_types.hpp"

namespace agora::xsim {

/// The balances of one spot account: free and locked per asset. Every
/// amount is a `notional` in 1e-8 units of its own asset (base quantities
/// too). A resting BUY locks quote, a SELL locks base; fills move both.
class spot_wallet {
public:
  explicit spot_wallet(const std::vector<std::pair<std::string, notional>>& start);

  notional free(const std::string& asset) const noexcept;
  notional locked(const std::string& asset) const noexcept;

  /// Moves `amount` from free to locked; false (and no change) if free is
  /// smaller than `amount`.
  bool lock(const std::string& asset, notional amount);

  /// Moves `amount` from locked back to free.
  void unlock(const std::string& asset, notional amount);

  /// Removes `amount` from locked (it was spent).
  void spend_locked(const std::string& asset, notional amount);

  /// Adds to (or, negative, takes from) free.
  void add_free(const std::string& asset, notional amount);

  /// One asset's balance.
  asset_balance balance(const std::string& asset) const;

  /// Every asset the account holds or held, by name.
  std::vector<asset_balance> balances() const;

private:
  struct entry {
    notional free;
    notional locked;
  };

  std::map<std::string, entry> assets_;
};

} // namespace agora::xsim
