#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

// Private to agora_journal.

namespace agora::journal::detail {

/// Throws `journal_error` "journal: <what>: <sqlite message>" for the
/// failure `rc` of a call on `h`.
[[noreturn]] void fail(sqlite3* h, std::string_view what, int rc);

/// Runs `sql` (one or more statements, no parameters, rows discarded);
/// throws `journal_error` naming `what` on failure. For open, migrations and
/// other cold paths; hot paths use prepared statements.
void exec(sqlite3* h, std::string_view sql, std::string_view what);

/// One use of a prepared statement: bind, step, read columns. Resets the
/// statement and clears its bindings when it goes out of scope, so the
/// prepared statement is ready for the next use. Every failure throws
/// `journal_error` naming `what`.
class statement {
public:
  statement(sqlite3* h, sqlite3_stmt* s, std::string_view what) noexcept;
  ~statement();

  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind_int(int i, int64_t v);
  /// Stores the bit pattern of `v` (ids above 2^63 read back unchanged).
  statement& bind_uint(int i, uint64_t v);
  statement& bind_real(int i, double v);
  statement& bind_text(int i, std::string_view v);
  statement& bind_null(int i);

  /// Steps once: true when a row is ready, false when done.
  bool step();
  /// Steps a statement that returns no rows; returns the rows it changed.
  int run();

  bool is_null(int col) const noexcept;
  int64_t int_at(int col) const noexcept;
  uint64_t uint_at(int col) const noexcept;
  double real_at(int col) const noexcept;
  std::string text_at(int col) const;

private:
  sqlite3* h_;
  sqlite3_stmt* s_;
  std::string_view what_;
};

} // namespace agora::journal::detail
