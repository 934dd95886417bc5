#pragma once

#include <map>
#include <optional>

#include "messages/ids.hpp"
#include "messages/market_data.hpp"

namespace agora::replay {

/// The funding times a perpetual's recorded mark-price updates pass.
///
/// Binance USD-M's markPriceUpdate carries the rate that applies at the next
/// funding time `T` ("r") and that time; once a later update names a later
/// `T`, the earlier one has passed and was paid at the last rate and mark
/// announced before it. Updates with no funding time (delivery contracts:
/// "T":0) never make an event; a recording that starts after a funding time
/// or ends before the next one makes none for it. Pure; one per feed.
class funding_schedule {
public:
  /// Takes the next update of its symbol (in data order); returns the
  /// funding event whose time this update shows has passed.
  std::optional<funding_event> on_update(const funding_update& u) {
    auto i = last_.find(u.symbol);
    if (i == last_.end()) {
      last_.emplace(u.symbol, u);
      return std::nullopt;
    }
    std::optional<funding_event> out;
    const auto& l = i->second;
    nanos at = u.venue_time != 0 ? u.venue_time : u.local_time;
    if (l.next_funding_time > 0 && u.next_funding_time > l.next_funding_time
        && at >= l.next_funding_time)
      out = funding_event{l.venue, l.symbol, l.next_funding_time, l.funding_rate, l.mark};
    i->second = u;
    return out;
  }

private:
  std::map<symbol_id, funding_update> last_;
};

} // namespace agora::replay
