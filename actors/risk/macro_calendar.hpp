#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/time.hpp"

namespace agora {

/// Which calendar events close the market for entries, and for how long.
struct macro_settings {
  nanos before
      = 15 * 60 * ns_per_s; ///< The window opens this long before an event.
  nanos after = 15 * 60 * ns_per_s; ///< And closes this long after it.
  std::vector<std::string> impacts = {"high"}; ///< Impacts that open a window.
};

/// One listed event.
struct macro_event {
  nanos time = 0;
  std::string name;
  std::string impact; ///< "high", "medium" or "low".
};

/// A period without new entries: [start, end). Overlapping (or touching)
/// event windows are merged into one, their names joined with " + ".
struct macro_window {
  std::string name;
  nanos start = 0;
  nanos end = 0;

  friend bool operator==(const macro_window&, const macro_window&) = default;
};

class macro_calendar;

/// A parsed calendar, or why the text is not one.
struct macro_calendar_result;

/// The macro-event calendar: windows around listed high-impact events
/// (by default 15 minutes either side). Pure: the risk actor asks it what
/// holds now and when that changes next.
///
/// File format (JSON): {"events":[{"time":"2026-11-23T13:30:00Z",
/// "name":"US CPI","impact":"high"}, ...]}. `time` is ISO 8601
/// (YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or +HH:MM/-HH:MM);
/// `impact` is high, medium or low. Events whose impact is not in the
/// settings are kept in `events()` but open no window.
class macro_calendar {
public:
  macro_calendar() = default;

  /// Builds the windows of `events` (any order).
  macro_calendar(std::vector<macro_event> events, macro_settings settings);

  /// Parses calendar JSON; never throws. The error names the entry index
  /// and field, e.g. "events[2].time: not an ISO 8601 time: \"13:30\"".
  static macro_calendar_result parse(std::string_view json,
                                     macro_settings settings);

  /// Reads and parses the file at `path`; the error starts with the path.
  static macro_calendar_result load(const std::string& path,
                                    macro_settings settings);

  /// The window `now` falls in, if any.
  std::optional<macro_window> window_at(nanos now) const;

  /// The next window start or end strictly after `now`, if any.
  std::optional<nanos> next_change(nanos now) const;

  /// Every event as listed, sorted by time.
  const std::vector<macro_event>& events() const noexcept { return events_; }

  /// The merged windows, sorted.
  const std::vector<macro_window>& windows() const noexcept { return windows_; }

private:
  std::vector<macro_event> events_;
  std::vector<macro_window> windows_;
};

struct macro_calendar_result {
  std::optional<macro_calendar> calendar; ///< Set on success.
  std::string error;                      ///< Set on failure.

  explicit operator bool() const noexcept { return calendar.has_value(); }
};

/// Parses an ISO 8601 time ("2026-11-23T13:30:00Z", optional fraction up to
/// nanoseconds, Z or a +HH:MM / -HH:MM offset) to nanos since the epoch.
std::optional<nanos> parse_iso8601(std::string_view text) noexcept;

/// "13:45Z": the UTC time of day of `t`, to the minute (for reasons).
std::string utc_hhmm(nanos t);

} // namespace agora
