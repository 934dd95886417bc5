#include "venues/binance/exchange_info_loader.hpp"

#include <memory>

#include "venues/binance/codec.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/url.hpp"

namespace agora::binance {

specs_loader exchange_info_loader(exchange_info_source src) {
  std::string error;
  auto base = net::parse_url(src.rest_url, &error);
  if (!base)
    return [error = "rest_url " + src.rest_url + ": " + error](specs_callback done) {
      done(caf::make_error(caf::sec::runtime_error, error));
    };
  net::https_options ho;
  ho.base = *base;
  ho.tls = src.tls;
  ho.max_connections = 1;
  // Shared by every copy of the loader; the last copy stops the I/O thread.
  auto client = std::make_shared<net::https_client>(std::move(ho));
  auto target = std::string{src.m == market::spot ? "/api/v3" : "/fapi/v1"} + "/exchangeInfo";
  return [client, target, src](specs_callback done) {
    net::https_request req;
    req.method = "GET";
    req.target = target;
    client->async(std::move(req), [src, done](net::https_response&& r) {
      if (r.outcome != net::send_outcome::complete) {
        done(caf::make_error(caf::sec::runtime_error,
                             "GET exchangeInfo (" + src.rest_url + "): " + r.error));
        return;
      }
      if (r.status != 200) {
        done(caf::make_error(caf::sec::runtime_error,
                             "GET exchangeInfo (" + src.rest_url + "): HTTP "
                               + std::to_string(r.status) + " " + r.body.substr(0, 200)));
        return;
      }
      done(parse_exchange_info(r.body, src.m, src.venue, src.maker_fee, src.taker_fee));
    });
  };
}

} // namespace agora::binance
