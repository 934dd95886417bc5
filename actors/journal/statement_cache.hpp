#pragma once

#include <array>

#include "actors/journal/schema.hpp"
#include "actors/journal/statement.hpp"

struct sqlite3;
struct sqlite3_stmt;

// Private to agora_journal.

namespace agora::journal::detail {

/// The prepared statements of one connection, each prepared on first use
/// (SQLITE_PREPARE_PERSISTENT) against the schema version it was opened at,
/// then reused until the connection closes.
class statement_cache {
public:
  explicit statement_cache(sqlite3* h) noexcept : h_(h) {}
  ~statement_cache();

  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

  /// The statement `id`, ready to bind; throws `journal_error` if it cannot
  /// be prepared.
  statement use(sid id);

  sqlite3* handle() const noexcept { return h_; }

  int version = 0;         ///< Schema version of the open journal.
  bool read_only = false;  ///< Opened with SQLITE_OPEN_READONLY.

private:
  sqlite3* h_;
  std::array<sqlite3_stmt*, static_cast<size_t>(sid::count_)> stmts_{};
};

} // namespace agora::journal::detail
