#include "actors/risk/trading_scopes.hpp"

#include <utility>

namespace agora {

trading_scope trading_scopes::symbol_scope(const venue_id& venue,
                                           const symbol_id& symbol) {
  return trading_scope{scope_kind::symbol, venue.str() + "/" + symbol.str()};
}

trading_scope trading_scopes::venue_scope(const venue_id& venue) {
  return trading_scope{scope_kind::venue, venue.str()};
}

trading_scope trading_scopes::strategy_scope(std::string name) {
  return trading_scope{scope_kind::strategy, std::move(name)};
}

bool trading_scopes::set(const trading_scope& scope, trading_state state,
                         std::string reason, std::string by, nanos now) {
  if (scope.global()) {
    if (global_.state == state)
      return false;
    global_ = scoped_state{trading_scope{}, state, std::move(reason),
                           std::move(by), now};
    return true;
  }
  auto i = narrow_.find(scope);
  auto current = i == narrow_.end() ? trading_state::active : i->second.state;
  if (current == state)
    return false;
  if (state == trading_state::active) {
    narrow_.erase(i);
    return true;
  }
  narrow_[scope]
      = scoped_state{scope, state, std::move(reason), std::move(by), now};
  return true;
}

bool trading_scopes::set_reason(const trading_scope& scope, std::string reason,
                                std::string by) {
  scoped_state* x = nullptr;
  if (scope.global()) {
    x = &global_;
  } else {
    auto i = narrow_.find(scope);
    if (i == narrow_.end())
      return false;
    x = &i->second;
  }
  x->reason = std::move(reason);
  x->by = std::move(by);
  return true;
}

scoped_state trading_scopes::get(const trading_scope& scope) const {
  if (scope.global())
    return global_;
  auto i = narrow_.find(scope);
  if (i != narrow_.end())
    return i->second;
  return scoped_state{scope, trading_state::active, {}, {}, 0};
}

scoped_state trading_scopes::effective(const venue_id& venue,
                                       const std::string& strategy,
                                       const symbol_id& symbol) const {
  if (narrow_.empty())
    return global_; // the common case: no scope narrower than global is set
  const scoped_state* best = &global_;
  auto consider = [&](const trading_scope& scope) {
    auto i = narrow_.find(scope);
    // Strictly more restrictive only: on a tie the broader scope stays.
    if (i != narrow_.end()
        && restrictiveness(i->second.state) > restrictiveness(best->state))
      best = &i->second;
  };
  if (venue.valid())
    consider(venue_scope(venue));
  if (!strategy.empty())
    consider(strategy_scope(strategy));
  if (venue.valid() && symbol.valid())
    consider(symbol_scope(venue, symbol));
  return *best;
}

std::vector<scoped_state> trading_scopes::list() const {
  std::vector<scoped_state> out;
  out.reserve(narrow_.size() + 1);
  if (global_.state != trading_state::active)
    out.push_back(global_);
  // The map orders by kind (global < venue < strategy < symbol), then name.
  for (auto& [scope, s] : narrow_)
    out.push_back(s);
  return out;
}

} // namespace agora
