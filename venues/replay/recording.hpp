#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "messages/time.hpp"

// Recorded market data: gzip text, one message a line,
// "<local receive time, ns since epoch> <raw JSON>" (the format of
// hftbacktest's raw captures, tests/data/recorded/). Pure: no actors.

namespace agora::replay {

/// One recorded message.
struct recorded_line {
  nanos local_time = 0;
  std::string text; ///< The raw JSON, as the feed received it.
};

/// What `recording_reader::next` found.
enum class read_status {
  line,      ///< `out` holds the next well-formed line.
  end,       ///< The file ended cleanly.
  truncated, ///< The file ends mid-member or mid-line (a recorder killed
             ///< while writing): what came before was delivered, the
             ///< partial rest is dropped. Reading stops.
  failed,    ///< A read error or corrupt data (error() says which). Reading stops.
};

/// Reads a recording line by line: gzip (one or more members, as a recorder
/// flushing with Z_SYNC_FLUSH or appending members writes them) or plain
/// text. Malformed lines (no leading integer time, no space, no text) are
/// skipped and counted; the first one is kept for the message. Lines up to
/// `max_line` bytes (a REST snapshot of 5000 levels is ~300 KB).
/// Costs one 256 KiB buffer and the longest line.
class recording_reader {
public:
  static constexpr size_t max_line = 16 * 1024 * 1024;

  /// Opens `path`; null with `*error` naming the file and the cause when it
  /// cannot be opened.
  static std::unique_ptr<recording_reader> open(const std::string& path, std::string* error);

  ~recording_reader();
  recording_reader(const recording_reader&) = delete;
  recording_reader& operator=(const recording_reader&) = delete;

  read_status next(recorded_line& out);

  const std::string& path() const noexcept { return path_; }
  uint64_t lines() const noexcept { return lines_; }       ///< Well-formed lines delivered.
  uint64_t malformed() const noexcept { return malformed_; }
  /// The first malformed line: "line N: why".
  const std::string& first_malformed() const noexcept { return first_malformed_; }
  /// Why reading stopped early (truncated / failed); empty otherwise.
  const std::string& error() const noexcept { return error_; }

private:
  recording_reader(void* gz, std::string path);
  bool fill(); ///< Reads more into buf_; false at the end (or on error).

  void* gz_; ///< gzFile
  std::string path_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool stopped_ = false;
  uint64_t line_no_ = 0;
  uint64_t lines_ = 0;
  uint64_t malformed_ = 0;
  std::string first_malformed_;
  std::string error_;
};

/// Writes recordings in the format recording_reader reads: one gzip file per
/// venue and UTC hour (or day), "<dir>/<venue>-YYYYMMDD-HH.gz"
/// ("<venue>-YYYYMMDD.gz"), one "<ns> <text>" line per message. A file that
/// exists already (a restart within the hour) gets a new gzip member
/// appended. `flush()` ends each file's pending data with Z_SYNC_FLUSH, so
/// a crash loses at most what came after the last flush and the file reads
/// back up to there (as "truncated"). Not thread-safe: one owner.
class recording_writer {
public:
  recording_writer(std::string dir, bool daily);
  ~recording_writer();
  recording_writer(const recording_writer&) = delete;
  recording_writer& operator=(const recording_writer&) = delete;

  /// Appends one message of `venue` received at `t`; opens or rotates the
  /// venue's file as `t` asks. Returns "" or what failed (the file, errno).
  std::string append(const std::string& venue, nanos t, std::string_view text);
  /// Flushes every open file; "" or the first failure.
  std::string flush();
  /// The file a message of `venue` at `t` goes to.
  std::string file_of(const std::string& venue, nanos t) const;

  uint64_t lines() const noexcept { return lines_; }
  uint64_t bytes() const noexcept { return bytes_; }

private:
  struct open_file {
    std::string path;
    void* gz = nullptr; ///< gzFile
  };
  std::string dir_;
  bool daily_;
  std::map<std::string, open_file> files_;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
};

/// Splits "<ns> <text>": the time and the text, or nullopt with `*why`.
std::optional<recorded_line> parse_line(std::string_view line, std::string* why);

/// What a recorded message is, from a cheap look at its text (no full parse).
struct line_kind {
  enum kind_t { stream, snapshot, other } kind = other;
  std::string stream_name; ///< The combined-stream name ("ethusdt@depth@100ms"), if any.
  std::string symbol;  ///< Upper case, from the stream name; empty for a bare snapshot.
};

/// A combined-stream message {"stream":...,"data":{...}}, a REST depth
/// snapshot {"lastUpdateId":...} (bare, or wrapped as stream
/// "<symbol>@depthSnapshot" by `agora record`), or something else.
line_kind classify(std::string_view text);

} // namespace agora::replay
