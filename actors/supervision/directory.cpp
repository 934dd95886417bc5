#include "actors/supervision/directory.hpp"

#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

struct entry {
  actor_entry info;
  uint64_t restarts = 0;
  nanos started = 0;
  bool alive = true;
};

struct directory_state {
  const clock_source* clock = nullptr;
  std::map<std::string, entry> entries;
  /// Path -> its subscribers, by address (erased by address on down).
  std::map<std::string, std::map<caf::actor_addr, caf::actor>> subscribers;
  /// Monitored actor -> the paths it was registered under and the paths it
  /// subscribed to, so a down message costs O(log n), not a scan of every
  /// entry and subscription (which made a restart of 10,000 books take
  /// minutes). May hold stale paths; the down handler checks each.
  std::unordered_map<caf::actor_addr, std::vector<std::string>> registered_by;
  std::unordered_map<caf::actor_addr, std::vector<std::string>> subscribed_by;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "directory";
};

using directory_actor = caf::stateful_actor<directory_state>;

bool is_below(const std::string& path, const std::string& prefix) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0
         && path[prefix.size()] == '/';
}

void notify(directory_actor* self, const std::string& path,
            const caf::actor& handle) {
  auto i = self->state.subscribers.find(path);
  if (i == self->state.subscribers.end())
    return;
  for (auto& [addr, sub] : i->second)
    self->send(sub, actor_replaced{path, handle});
}

struct graph_collector {
  graph_report report;
  size_t pending = 0;
  caf::response_promise promise;
};

caf::behavior directory_impl(directory_actor* self, const clock_source* clock) {
  self->state.clock = clock ? clock : &default_clock();
  self->state.log = logger("supervisor");
  install_hygiene(self, "directory", self->state.log);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (auto r = st.registered_by.find(msg.source); r != st.registered_by.end()) {
      for (auto& path : r->second) {
        auto e = st.entries.find(path);
        if (e != st.entries.end() && e->second.alive && e->second.info.handle
            && e->second.info.handle.address() == msg.source)
          e->second.alive = false;
      }
      st.registered_by.erase(r);
    }
    if (auto s = st.subscribed_by.find(msg.source); s != st.subscribed_by.end()) {
      for (auto& path : s->second)
        if (auto subs = st.subscribers.find(path); subs != st.subscribers.end())
          subs->second.erase(msg.source);
      st.subscribed_by.erase(s);
    }
  });
  return {
    [self](register_atom, actor_entry& info, uint64_t restarts) {
      auto& st = self->state;
      ++st.processed;
      self->monitor(info.handle);
      auto path = info.name;
      auto handle = info.handle;
      if (handle)
        st.registered_by[handle.address()].push_back(path);
      st.entries[path] = entry{std::move(info), restarts, st.clock->now(), true};
      notify(self, path, handle);
    },
    [self](caf::delete_atom, const std::string& path) {
      auto& st = self->state;
      ++st.processed;
      for (auto i = st.entries.begin(); i != st.entries.end();) {
        if (i->first == path || is_below(i->first, path)) {
          notify(self, i->first, caf::actor{});
          i = st.entries.erase(i);
        } else {
          ++i;
        }
      }
    },
    [self](lookup_atom, const std::string& path) {
      ++self->state.processed;
      auto i = self->state.entries.find(path);
      if (i == self->state.entries.end() || !i->second.alive)
        return caf::actor{};
      return i->second.info.handle;
    },
    [self](caf::subscribe_atom, const std::string& path) {
      auto& st = self->state;
      ++st.processed;
      auto sub = caf::actor_cast<caf::actor>(self->current_sender());
      if (sub) {
        auto addr = sub.address();
        if (st.subscribers[path].emplace(addr, sub).second) {
          auto& mine = st.subscribed_by[addr];
          if (mine.empty())
            self->monitor(sub); // once per subscriber, not per subscription
          mine.push_back(path);
        }
      }
      auto i = st.entries.find(path);
      if (i == st.entries.end() || !i->second.alive)
        return caf::actor{};
      return i->second.info.handle;
    },
    [self](unsub_atom, const std::string& path) {
      ++self->state.processed;
      auto sub = caf::actor_cast<caf::actor>(self->current_sender());
      auto i = self->state.subscribers.find(path);
      if (i != self->state.subscribers.end() && sub)
        i->second.erase(sub.address());
    },
    [self](list_atom, const std::string& kind) {
      ++self->state.processed;
      std::vector<actor_entry> out;
      for (auto& [path, e] : self->state.entries)
        if (e.alive && (kind.empty() || e.info.kind == kind))
          out.push_back(e.info);
      return out;
    },
    [self](stats_atom) {
      return actor_stats{"running", own_mailbox_size(self),
                         self->state.processed,
                         "names=" + std::to_string(self->state.entries.size())};
    },
    [self](graph_atom) -> caf::result<graph_report> {
      auto& st = self->state;
      ++st.processed;
      auto col = std::make_shared<graph_collector>();
      col->promise = self->make_response_promise();
      col->report.taken = st.clock->now();
      // The directory itself first.
      col->report.nodes.push_back(graph_node{"directory", "directory", "",
                                             "running", 0,
                                             own_mailbox_size(self),
                                             st.processed, 0, ""});
      for (auto& [path, e] : st.entries) {
        graph_node n{path, e.info.kind, e.info.parent,
                     e.alive ? "running" : "down", e.restarts, 0, 0,
                     e.started, ""};
        col->report.nodes.push_back(std::move(n));
      }
      auto finish = [col] {
        if (--col->pending == 0)
          col->promise.deliver(std::move(col->report));
      };
      col->pending = 1; // guard, released below
      size_t index = 0;
      for (auto& [path, e] : st.entries) {
        ++index;
        if (!e.alive || !e.info.handle)
          continue;
        ++col->pending;
        auto slot = index; // node index (0 is the directory)
        self->request<caf::message_priority::high>(e.info.handle,
                                                    std::chrono::milliseconds(500),
                                                    stats_atom_v)
          .then(
            [col, slot, finish](actor_stats& s) {
              auto& n = col->report.nodes[slot];
              n.state = s.state;
              n.mailbox = s.mailbox;
              n.processed = s.processed;
              n.detail = s.detail;
              finish();
            },
            [col, slot, finish](caf::error&) {
              col->report.nodes[slot].state = "unresponsive";
              finish();
            });
      }
      finish();
      return col->promise;
    },
  };
}

} // namespace

caf::actor spawn_directory(caf::actor_system& sys, const clock_source* clock) {
  return sys.spawn(directory_impl, clock);
}

} // namespace agora
