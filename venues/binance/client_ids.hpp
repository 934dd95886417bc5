#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "messages/ids.hpp"

namespace agora::binance {

/// Encodes an Agora client order id as Binance's newClientOrderId: "ag-"
/// followed by the decimal value (at most 23 characters, inside Binance's
/// ^[.A-Z:/a-z0-9_-]{1,36}$).
std::string encode_client_id(client_order_id cid);

/// Decodes a Binance client order id made by encode_client_id. Returns
/// nullopt for ids that are not ours (manual trades, web UI ids, liquidation
/// "autoclose-..." ids), for leading zeros, for zero and for values beyond
/// 64 bits.
std::optional<client_order_id> decode_client_id(std::string_view text) noexcept;

} // namespace agora::binance
