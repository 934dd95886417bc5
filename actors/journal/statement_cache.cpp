#include "actors/journal/statement_cache.hpp"

#include <string>

#include <sqlite3.h>

namespace agora::journal::detail {

statement_cache::~statement_cache() {
  for (auto* s : stmts_)
    sqlite3_finalize(s);
}

statement statement_cache::use(sid id) {
  auto& s = stmts_[static_cast<size_t>(id)];
  if (s == nullptr) {
    auto text = sql(id, version);
    int rc = sqlite3_prepare_v3(h_, text.c_str(), static_cast<int>(text.size() + 1),
                                SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
      s = nullptr;  // SQLite leaves no statement behind on failure.
      std::string what = "prepare ";
      what += purpose(id);
      fail(h_, what, rc);
    }
  }
  return statement{h_, s, purpose(id)};
}

} // namespace agora::journal::detail
