#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>
#include <sys/stat.h>

#include "actors/journal/journal_db.hpp"

namespace agora::journal::test {

/// A fresh directory under /tmp, removed (modes restored first) at scope end.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = "/tmp/agora-journal-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      std::abort();
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); ++it)
      ::chmod(it->path().c_str(), 0755);
    ::chmod(path_.c_str(), 0755);
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const noexcept { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string{name}; }

private:
  std::string path_;
};

inline open_options options(const std::string& path,
                            sync_mode sync = sync_mode::normal) {
  open_options o;
  o.path = path;
  o.sync = sync;
  o.busy_timeout_ms = 200;
  return o;
}

/// Opens or fails the test.
inline std::unique_ptr<db> must_open(const open_options& o) {
  auto r = db::open(o);
  if (!r.journal)
    throw std::runtime_error("open failed: " + r.error);
  return std::move(r.journal);
}

inline price px(std::string_view s) { return *price::parse(s); }
inline quantity qty(std::string_view s) { return *quantity::parse(s); }
inline notional notl(std::string_view s) { return *notional::parse(s); }

inline submit_order make_order(uint64_t cid, std::string_view symbol, side sd,
                               std::string_view price_text,
                               std::string_view qty_text,
                               std::string_view venue = "sim",
                               std::string_view strategy = "pairs") {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = venue_id{venue};
  o.symbol = symbol_id{symbol};
  o.sd = sd;
  o.px = px(price_text);
  o.qty = qty(qty_text);
  o.strategy = std::string{strategy};
  return o;
}

inline order_filled make_fill(const submit_order& o, uint64_t tid,
                              std::string_view fill_qty, std::string_view cum,
                              std::string_view leaves, nanos t) {
  order_filled f;
  f.cid = o.cid;
  f.oid = order_id{9000 + o.cid.value};
  f.venue = o.venue;
  f.symbol = o.symbol;
  f.sd = o.sd;
  f.tid = trade_id{tid};
  f.fill_px = o.px;
  f.fill_qty = qty(fill_qty);
  f.cum_qty = qty(cum);
  f.leaves_qty = qty(leaves);
  f.fee = notl("0.01");
  f.liq = liquidity::maker;
  f.strategy = o.strategy;
  f.venue_time = t - 5;
  f.local_time = t;
  return f;
}

inline agora::order_accepted make_accept(const submit_order& o, uint64_t oid,
                                         nanos t) {
  agora::order_accepted a;
  a.cid = o.cid;
  a.oid = order_id{oid};
  a.venue = o.venue;
  a.symbol = o.symbol;
  a.sd = o.sd;
  a.px = o.px;
  a.qty = o.qty;
  a.strategy = o.strategy;
  a.local_time = t;
  return a;
}

inline cancel_order make_cancel(const submit_order& o, nanos t) {
  cancel_order c;
  c.cid = o.cid;
  c.venue = o.venue;
  c.symbol = o.symbol;
  c.strategy = o.strategy;
  c.local_time = t;
  return c;
}

inline agora::order_rejected make_reject(const submit_order& o, nanos t,
                                         std::string detail = "") {
  agora::order_rejected r;
  r.cid = o.cid;
  r.venue = o.venue;
  r.symbol = o.symbol;
  r.reason = reject_reason::venue_rejected;
  r.detail = std::move(detail);
  r.strategy = o.strategy;
  r.local_time = t;
  return r;
}

inline agora::order_canceled make_canceled(const submit_order& o,
                                           std::string_view cum, nanos t,
                                           cancel_reason why
                                           = cancel_reason::requested) {
  agora::order_canceled c;
  c.cid = o.cid;
  c.oid = order_id{9000 + o.cid.value};
  c.venue = o.venue;
  c.symbol = o.symbol;
  c.sd = o.sd;
  c.cum_qty = qty(cum);
  c.reason = why;
  c.strategy = o.strategy;
  c.local_time = t;
  return c;
}

/// A second, raw connection to a journal file (what another process or the
/// sqlite3 shell would see).
class raw_connection {
public:
  explicit raw_connection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &h_, SQLITE_OPEN_READWRITE, nullptr)
        != SQLITE_OK)
      throw std::runtime_error("raw open failed");
  }
  ~raw_connection() { sqlite3_close_v2(h_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Runs `sql`; returns SQLite's result code.
  int exec(const std::string& sql) {
    return sqlite3_exec(h_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  /// The first column of the first row of `sql` as text (nullopt: no row or NULL).
  std::optional<std::string> text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string{"raw prepare failed: "} + sqlite3_errmsg(h_));
    std::optional<std::string> out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }

  int64_t integer(const std::string& sql) {
    auto t = text(sql);
    return t ? std::stoll(*t) : -1;
  }

private:
  sqlite3* h_ = nullptr;
};

} // namespace agora::journal::test
