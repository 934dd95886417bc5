#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/sec.hpp>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "venues/binance/market.hpp"
#include "venues/common/tls.hpp"

namespace agora::binance {

/// Where a Binance market lists its instruments (public, unsigned).
struct exchange_info_source {
  venue_id venue;
  market m = market::spot;
  std::string rest_url; ///< "https://api.binance.com", a testnet or a local exchange-sim.
  net::tls_client_options tls;
  rate maker_fee;       ///< Fees are not in exchangeInfo.
  rate taker_fee;
};

/// What a load produced: the specs, or why there are none.
using specs_callback = std::function<void(caf::expected<std::vector<instrument_spec>>)>;

/// Loads instrument specs: calls its argument exactly once, from any thread.
using specs_loader = std::function<void(specs_callback)>;

/// A loader that GETs exchangeInfo (`/api/v3` or `/fapi/v1`) over its own
/// keep-alive HTTPS client and parses it (parse_exchange_info). A bad
/// rest_url, a failed request, an HTTP error or an unparsable body is an
/// error naming what went wrong. Needs no credentials: PAPER trading on a
/// real venue reads its instruments with it.
specs_loader exchange_info_loader(exchange_info_source src);

} // namespace agora::binance
