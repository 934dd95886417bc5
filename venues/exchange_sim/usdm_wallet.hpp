#pragma once

#include <map>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"

namespace agora::xsim {

/// The margin account of one USD-M user: a wallet in the margin asset and
/// one-way (net) positions per symbol. Realized PnL goes into the wallet
/// when a fill reduces a position; commissions come out of the wallet.
class usdm_wallet {
public:
  /// One net position.
  struct position {
    quantity amount;     ///< Signed: > 0 long, < 0 short.
    price entry;         ///< Average entry price of `amount`; 0 when flat.
    notional realized;   ///< Realized PnL on this symbol, before fees.
    notional fees;       ///< Commissions paid on this symbol.
  };

  explicit usdm_wallet(notional wallet_balance);

  notional wallet_balance() const noexcept { return wallet_; }

  /// Applies one fill: a fill on the side of the position (or from flat)
  /// adds to it at the average price; a fill against it realizes
  /// (fill price - entry) x closed amount (sign flipped for shorts) and, if
  /// larger than the position, opens the remainder at the fill price.
  /// Returns the realized PnL of this fill (before the fee).
  notional apply_fill(const std::string& symbol, side sd, price px,
                      quantity qty, notional fee);

  /// The position on `symbol` (a flat default if never traded).
  position get(const std::string& symbol) const;

  /// Every symbol traded so far, by name.
  const std::map<std::string, position>& positions() const noexcept {
    return positions_;
  }

  /// (mark - entry) x amount: the unrealized PnL at `mark`.
  static notional unrealized(const position& p, price mark) noexcept;

private:
  notional wallet_;
  std::map<std::string, position> positions_;
};

} // namespace agora::xsim
