#pragma once

#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "messages/ids.hpp"
#include "messages/system.hpp"
#include "messages/time.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/ws_client.hpp"

namespace agora {

/// WebSocket callbacks that turn a connection's events into messages to
/// `self`: `opened` when the handshake is done, a `wire_frame` (stamped with
/// `clock`) per message, and `connection_lost` when it closes, for whatever
/// reason. They hold the actor weakly: the actor owns the socket, and the
/// socket's thread must not keep it alive.
template <class Self, class Opened>
net::ws_client::callbacks message_bridge(Self* self, venue_id venue,
                                         const clock_source* clock, Opened opened) {
  caf::weak_actor_ptr weak = self->ctrl();
  net::ws_client::callbacks cb;
  cb.on_open = [weak, opened] {
    if (auto me = caf::actor_cast<caf::actor>(weak))
      caf::anon_send(me, opened);
  };
  cb.on_message = [weak, venue, clock](std::string&& text) {
    if (auto me = caf::actor_cast<caf::actor>(weak))
      caf::anon_send(me, wire_frame{venue, std::move(text), clock->now()});
  };
  cb.on_closed = [weak, venue](const std::string& reason) {
    if (auto me = caf::actor_cast<caf::actor>(weak))
      caf::anon_send(me, connection_lost{venue, reason});
  };
  return cb;
}

} // namespace agora
