#pragma once

#include <string>
#include <string_view>

#include "messages/time.hpp"

// Private to agora_journal: the pieces of `db::export_csv`.

namespace agora::journal::detail {

/// One RFC 4180 field: as is, or in double quotes (inner quotes doubled)
/// when it holds a comma, a quote, CR or LF.
std::string csv_field(std::string_view text);

/// ISO-8601 UTC to the microsecond, truncated: "2026-11-23T03:25:06.123456Z".
std::string iso8601_utc(nanos t);

} // namespace agora::journal::detail
