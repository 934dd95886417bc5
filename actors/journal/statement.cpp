#include "actors/journal/statement.hpp"

#include <sqlite3.h>

#include "actors/journal/journal_db.hpp"

namespace agora::journal::detail {

void fail(sqlite3* h, std::string_view what, int rc) {
  std::string msg = "journal: ";
  msg += what;
  msg += ": ";
  msg += h != nullptr ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
  throw journal_error(msg, rc);
}

void exec(sqlite3* h, std::string_view sql, std::string_view what) {
  std::string text{sql};
  if (int rc = sqlite3_exec(h, text.c_str(), nullptr, nullptr, nullptr);
      rc != SQLITE_OK)
    fail(h, what, rc);
}

statement::statement(sqlite3* h, sqlite3_stmt* s, std::string_view what) noexcept
  : h_(h), s_(s), what_(what) {
}

statement::~statement() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

statement& statement::bind_int(int i, int64_t v) {
  if (int rc = sqlite3_bind_int64(s_, i, v); rc != SQLITE_OK)
    fail(h_, what_, rc);
  return *this;
}

statement& statement::bind_uint(int i, uint64_t v) {
  return bind_int(i, static_cast<int64_t>(v));
}

statement& statement::bind_real(int i, double v) {
  if (int rc = sqlite3_bind_double(s_, i, v); rc != SQLITE_OK)
    fail(h_, what_, rc);
  return *this;
}

statement& statement::bind_text(int i, std::string_view v) {
  // A null data pointer would bind SQL NULL: an empty view is empty text.
  const char* data = v.data() != nullptr ? v.data() : "";
  if (int rc = sqlite3_bind_text64(s_, i, data, v.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
      rc != SQLITE_OK)
    fail(h_, what_, rc);
  return *this;
}

statement& statement::bind_null(int i) {
  if (int rc = sqlite3_bind_null(s_, i); rc != SQLITE_OK)
    fail(h_, what_, rc);
  return *this;
}

bool statement::step() {
  switch (int rc = sqlite3_step(s_)) {
    case SQLITE_ROW: return true;
    case SQLITE_DONE: return false;
    default: fail(h_, what_, rc);
  }
}

int statement::run() {
  while (step()) {
    // A write returns no rows; a PRAGMA may echo one: ignore it.
  }
  return sqlite3_changes(h_);
}

bool statement::is_null(int col) const noexcept {
  return sqlite3_column_type(s_, col) == SQLITE_NULL;
}

int64_t statement::int_at(int col) const noexcept {
  return sqlite3_column_int64(s_, col);
}

uint64_t statement::uint_at(int col) const noexcept {
  return static_cast<uint64_t>(sqlite3_column_int64(s_, col));
}

double statement::real_at(int col) const noexcept {
  return sqlite3_column_double(s_, col);
}

std::string statement::text_at(int col) const {
  auto* p = sqlite3_column_text(s_, col);
  if (p == nullptr)
    return {};
  auto n = static_cast<size_t>(sqlite3_column_bytes(s_, col));
  return std::string{reinterpret_cast<const char*>(p), n};
}

} // namespace agora::journal::detail
