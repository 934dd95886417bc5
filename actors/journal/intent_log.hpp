#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The intent log: the durable path of orders and fills, in-line on the
// thread that owns it (a gateway), ahead of SQLite.
//
// An append-only, checksummed log in a directory of segment files. Each
// append is one write() of one record, so a record is in the page cache
// (durable against a kill -9 of the process) when append returns; `sync()`
// adds an fdatasync for durability against power loss. SQLite, the
// queryable store, is fed from the same events asynchronously; once it
// holds every record up to a sequence number the owner calls `release`, and
// segments wholly below it are deleted, so the log stays a few segments
// long, and the mark is kept in the file `released` (u64 sequence number,
// u32 CRC-32 of it, u32 0: one pwrite). Recovery (`open`) returns the
// records past the mark: the ones SQLite may not have yet (some of them it
// may have: the owner hands them over idempotently).
//
// Layout (little-endian). A segment `intents-<first seq, 20 digits>.log`
// starts with a 16-byte header: "AGORAIL1" and the u64 sequence number of
// its first record. Each record: u32 payload length, u32 CRC-32 (zlib) of
// everything after it (sequence, kind, reserved, payload), u64 sequence
// number (one more than the record before), u32 kind, u32 reserved (0),
// then the payload. 24 bytes of header per record.
//
// A torn or corrupt record (short, oversized, checksum or sequence wrong)
// ends the log: it and everything after it are moved aside into
// `<segment>.torn-<offset>` (kept, never deleted, for inspection), the
// segment is cut back to its last good record, and `open` reports a
// warning naming the bytes dropped. Appends are sequential and the file is
// cut on open, so only the last write before a crash can be torn: a record
// that was acknowledged (its append returned) is never dropped unless the
// disk itself changed it.
//
// Not thread-safe: one owner appends and releases.

namespace agora::journal {

enum class intent_kind : uint32_t { order = 1, fill = 2, cancel = 3, test = 99 };

struct intent_record {
  uint64_t seq = 0;
  intent_kind kind = intent_kind::test;
  std::string payload;
};

struct intent_log_options {
  std::string dir;                       ///< Created if missing.
  uint64_t segment_bytes = 64ull << 20;  ///< A segment rolls over past this size.
  /// Power-loss durability for the files themselves: a new segment and the
  /// directory entry are fdatasync'd when created. Records still need sync().
  bool sync_files = false;
};

/// What `open` found.
struct intent_recovery {
  std::vector<intent_record> records;   ///< Intact records past the mark, oldest first.
  uint64_t released = 0;                ///< The mark read (0: none or unreadable).
  std::vector<std::string> warnings;    ///< A torn tail moved aside, a stray file.
  uint64_t dropped_bytes = 0;           ///< Moved aside into .torn-* files.
};

class intent_log {
public:
  /// Largest payload accepted (a record claiming more is corrupt).
  static constexpr uint32_t max_payload = 1u << 20;
  static constexpr size_t header_bytes = 24;
  static constexpr size_t segment_header_bytes = 16;

  /// Opens (creating the directory and a first segment when empty) and
  /// recovers. On failure returns null and sets `error` (cause and path).
  static std::unique_ptr<intent_log> open(const intent_log_options& o, intent_recovery* out,
                                          std::string* error);

  ~intent_log();
  intent_log(const intent_log&) = delete;
  intent_log& operator=(const intent_log&) = delete;

  /// Writes one record with one write() and returns its sequence number, or
  /// 0 with `error` set (a full disk, an I/O error): the log is then cut back
  /// to before the record, so a failed append leaves nothing behind and the
  /// next one may succeed.
  uint64_t append(intent_kind kind, std::string_view payload, std::string* error);

  /// fdatasync of the current segment: every record appended so far survives
  /// a power loss. False with `error` on failure.
  bool sync(std::string* error);

  /// Records up to `upto` are stored elsewhere (SQLite committed them):
  /// the mark moves there (one pwrite; the next open returns only later
  /// records) and segments holding only such records are deleted. The
  /// current segment is kept. False with `error` when the mark could not
  /// be written (the records are then handed over again after a restart,
  /// which is harmless).
  bool release(uint64_t upto, std::string* error = nullptr);
  /// The mark: every record up to it is stored elsewhere.
  uint64_t released() const noexcept { return released_; }

  /// The sequence number the next append gets.
  uint64_t next_seq() const noexcept { return next_seq_; }
  /// Segments on disk (the current one included).
  size_t segments() const noexcept { return segments_.size(); }
  /// Bytes in the log's segments.
  uint64_t bytes() const noexcept;
  const std::string& dir() const noexcept { return opts_.dir; }

private:
  struct segment {
    uint64_t first = 0; ///< Sequence number of its first record.
    std::string path;
    uint64_t size = 0;
  };

  explicit intent_log(intent_log_options o) : opts_(std::move(o)) {}
  bool start_segment(uint64_t first, std::string* error);

  intent_log_options opts_;
  std::vector<segment> segments_; ///< Oldest first; the last is written.
  int fd_ = -1;                   ///< The last segment's.
  int mark_fd_ = -1;              ///< The `released` file.
  uint64_t released_ = 0;
  uint64_t next_seq_ = 1;
  std::string buffer_;            ///< One record being written (reused).
};

/// The segment file name of a segment whose first record is `first`.
std::string intent_segment_name(uint64_t first);

} // namespace agora::journal
