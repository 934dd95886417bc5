#pragma once

// Hygiene every Agora actor installs: log unexpected messages and exceptions
// through spdlog instead of CAF's stdout defaults, and answer stats queries
// so `agora graph` can show mailbox sizes.

#include <exception>
#include <memory>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/logging.hpp"

namespace agora {

/// Installs a default handler (log + drop, answering requests with an error)
/// and an exception handler (log, then let the actor die with the error so
/// its supervisor restarts it: never turn a crash into a normal exit).
template <class Self>
void install_hygiene(Self* self, std::string name,
                     std::shared_ptr<spdlog::logger> log) {
  self->set_default_handler(
    [name, log](caf::scheduled_actor*,
                caf::message_view& x) -> caf::result<caf::message> {
      log->warn("unexpected_message actor={} content={}", name,
                caf::to_string(x.content()));
      return caf::sec::unexpected_message;
    });
  // A stray error message (e.g. another actor's default handler answering
  // a message of ours it did not expect) is logged, never fatal: CAF's
  // default would quit the actor with that error.
  self->set_error_handler([name, log](caf::scheduled_actor* s, caf::error& err) {
    log->warn("error_message actor={} error=\"{}\"", name, s->home_system().render(err));
  });
  self->set_exception_handler(
    [name, log](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
      try {
        std::rethrow_exception(eptr);
      } catch (const std::exception& e) {
        log->error("actor_crashed actor={} what=\"{}\"", name, e.what());
      } catch (...) {
        log->error("actor_crashed actor={} what=unknown", name);
      }
      return caf::sec::runtime_error;
    });
}

/// Mailbox size of the calling actor (only an actor may read its own): the
/// messages already taken from the inbox into the actor's queues, which CAF
/// does at every scheduling round. Not `mailbox().size()`: that first moves
/// newly arrived messages over (fifo_inbox::fetch_more), inlining CAF header
/// code that casts a queue's sentinel node to a mailbox element, which
/// UBSan's vptr check reports (and aborts on) whenever a message arrives
/// while the queue is empty.
template <class Self>
uint64_t own_mailbox_size(Self* self) {
  return static_cast<uint64_t>(self->mailbox().queue().total_task_size());
}

} // namespace agora

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace agora {

/// Well-known singletons, kept in CAF's registry under these atoms by their
/// supervisor on every (re)start, so nobody holds a dead handle for long.
inline constexpr caf::atom_value alerts_name = caf::atom("alerts");
inline constexpr caf::atom_value risk_name = caf::atom("risk");
inline constexpr caf::atom_value directory_name = caf::atom("directory");
inline constexpr caf::atom_value root_name = caf::atom("root");
inline constexpr caf::atom_value journal_name = caf::atom("journal");

/// Stable directory names. A supervisor names a child "<parent>/<name>";
/// these spell the names every venue subtree uses, in one place.
inline std::string venue_path(const venue_id& v) { return "venue:" + v.str(); }
inline std::string venue_child_path(const venue_id& v, std::string_view child) {
  return venue_path(v) + "/" + std::string{child};
}
inline std::string book_name(const symbol_id& s) { return "book:" + s.str(); }
inline std::string book_path(const venue_id& v, const symbol_id& s) {
  return venue_child_path(v, book_name(s));
}
/// The name of the strategy `agora spawn SYMBOL` starts.
inline std::string spawned_strategy_name(const symbol_id& s) {
  return "mr:" + s.str();
}

/// The current handle of a well-known actor, or an invalid handle.
inline caf::actor well_known(caf::actor_system& sys, caf::atom_value name) {
  return caf::actor_cast<caf::actor>(sys.registry().get(name));
}

/// Sends an alert to the alert router (if it is up; alerts never block).
template <class Self>
void raise_alert(Self* self, alert_level level, std::string source,
                 std::string text, nanos now) {
  if (auto a = well_known(self->system(), alerts_name))
    self->send(a, alert_raised{level, std::move(source), std::move(text), now});
}

/// Sends one record to the journal (if it is up), not waiting for it to be
/// written: for what no decision waits on (signals, events, alerts).
/// Orders and fills are journaled with a request instead (see the gateway).
template <class Self, class Record>
void to_journal(Self* self, Record&& r) {
  if (auto j = well_known(self->system(), journal_name))
    self->send(j, record_atom_v, std::forward<Record>(r));
}

} // namespace agora
