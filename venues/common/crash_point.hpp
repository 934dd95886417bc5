#pragma once

// Fault injection for the crash test. With AGORA_CRASH_AT="POINT:N" in the
// environment, the N-th pass through `crash_point("POINT")` kills the
// process with SIGKILL (no destructor, no flush: what a kill -9 or a power
// cut of the process leaves). Unset (every real run), a pass costs one
// check of a flag read once at start.
//
// Points: "before_log" (an order or fill about to be written to the intent
// log), "after_log" (written, the order not sent yet), "after_send" (sent,
// SQLite not told yet), "replay" (start-up, handing the log's records to
// SQLite).

namespace agora {

void crash_point(const char* point);

} // namespace agora
