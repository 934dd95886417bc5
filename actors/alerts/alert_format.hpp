#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "messages/system.hpp"

// The words and payloads of alerts: pure functions, no I/O, no clock.

namespace agora {

/// "[CRITICAL] risk: halted: daily loss 2.1% (+3 repeats)"; no suffix when
/// `repeats` is 0, "(+1 repeat)" for one.
std::string alert_message_text(const alert_raised& a, uint64_t repeats);

/// "2026-11-23T07:00:00.123Z": `t` (ns since the epoch, UTC) to the
/// millisecond (truncated).
std::string format_utc_millis(nanos t);

/// "2026-11-23": the UTC date of `t`.
std::string format_utc_date(nanos t);

/// `text` with every byte sequence that is not valid UTF-8 replaced by '?',
/// so that JSON built from it is valid.
std::string valid_utf8(std::string_view text);

/// The Telegram Bot API sendMessage body:
/// {"chat_id":"...","text":"...","disable_notification":true|false}.
std::string telegram_message_json(std::string_view chat_id,
                                  std::string_view text, bool silent);

/// The generic webhook body: {"service":"agora","level":"critical",
/// "source":"...","key":"...","text":"...","time":"2026-11-23T07:00:00.123Z",
/// "repeats":N}; level in lower case, time from `a.local_time`.
std::string webhook_json(const alert_raised& a, uint64_t repeats);

/// "daily summary 2026-11-23: realized PnL 12.5, unrealized -3, fees 0.75,
/// fills 14, round trips 5, win rate 60.0% (3/5), equity 10012.5 (peak
/// 10020)"; the date is the UTC day reported, that of `s.day_start` (of
/// `s.taken` when day_start is 0); a day not closed yet reads "daily summary
/// 2026-11-23 (partial, so far to 14:05:09Z): ..." (the time of `s.taken`,
/// to the second). The win rate is rounded half up to 0.1%, "-" without
/// round trips ("win rate - (0/0)").
std::string daily_summary_text(const daily_summary& s);

} // namespace agora
