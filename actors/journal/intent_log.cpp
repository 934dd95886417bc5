#include "actors/journal/intent_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <zlib.h>

namespace agora::journal {

namespace {

namespace fs = std::filesystem;

constexpr char magic[8] = {'A', 'G', 'O', 'R', 'A', 'I', 'L', '1'};

void put_u32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_u64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint32_t crc_of(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(p), n));
}

std::string errno_text(int e) { return std::strerror(e); }

/// "intents-00000000000000000042.log" -> 42; false for any other name.
bool parse_segment_name(const std::string& name, uint64_t& first) {
  constexpr std::string_view prefix = "intents-", suffix = ".log";
  if (name.size() != prefix.size() + 20 + suffix.size() || name.rfind(prefix, 0) != 0
      || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  first = 0;
  for (size_t i = prefix.size(); i < prefix.size() + 20; ++i) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    first = first * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return true;
}

bool read_whole(const std::string& path, std::string& out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read: " + errno_text(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = path + ": read failed";
    return false;
  }
  return true;
}

bool write_all(int fd, const char* p, size_t n, int* err) {
  while (n > 0) {
    auto w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      *err = errno;
      return false;
    }
    if (w == 0) {
      *err = ENOSPC;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool sync_dir(const std::string& dir, std::string* error) {
  int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) {
    *error = dir + ": cannot open the directory to sync it: " + errno_text(errno);
    return false;
  }
  bool ok = ::fsync(d) == 0;
  if (!ok)
    *error = dir + ": fsync of the directory failed: " + errno_text(errno);
  ::close(d);
  return ok;
}

/// Moves bytes [from, end) of `path` into `<path>.torn-<from>` and cuts the
/// file at `from`. Returns the bytes moved; sets `error` when it could not.
uint64_t move_aside(const std::string& path, const std::string& content, uint64_t from,
                    std::string* error) {
  auto aside = path + ".torn-" + std::to_string(from);
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    out.write(content.data() + from, static_cast<std::streamsize>(content.size() - from));
    if (!out) {
      *error = aside + ": cannot keep the torn tail aside: " + errno_text(errno);
      return 0;
    }
  }
  if (::truncate(path.c_str(), static_cast<off_t>(from)) != 0) {
    *error = path + ": cannot cut the torn tail: " + errno_text(errno);
    return 0;
  }
  return content.size() - from;
}

} // namespace

std::string intent_segment_name(uint64_t first) {
  return fmt::format("intents-{:020d}.log", first);
}

std::unique_ptr<intent_log> intent_log::open(const intent_log_options& o, intent_recovery* out,
                                             std::string* error) {
  intent_recovery local;
  if (out == nullptr)
    out = &local;
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) {
    *error = o.dir + ": cannot create the intent log's directory: " + ec.message();
    return nullptr;
  }
  std::unique_ptr<intent_log> log{new intent_log(o)};
  auto mark_path = (fs::path{o.dir} / "released").string();
  log->mark_fd_ = ::open(mark_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (log->mark_fd_ < 0) {
    *error = mark_path + ": cannot open the intent log's mark: " + errno_text(errno);
    return nullptr;
  }
  {
    char m[16];
    auto n = ::pread(log->mark_fd_, m, sizeof m, 0);
    if (n == static_cast<ssize_t>(sizeof m) && get_u32(m + 8) == crc_of(m, 8)
        && get_u32(m + 12) == 0)
      log->released_ = get_u64(m);
    else if (n != 0)
      out->warnings.push_back(mark_path + ": an unreadable mark; every record in the log "
                                          "is handed over again");
  }
  std::vector<segment> found;
  for (auto it = fs::directory_iterator(o.dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    uint64_t first = 0;
    auto name = it->path().filename().string();
    if (parse_segment_name(name, first))
      found.push_back(segment{first, it->path().string(), 0});
  }
  if (ec) {
    *error = o.dir + ": cannot list the intent log: " + ec.message();
    return nullptr;
  }
  std::sort(found.begin(), found.end(),
            [](const segment& a, const segment& b) { return a.first < b.first; });
  uint64_t expected = found.empty() ? 1 : found.front().first;
  bool ended = false; // a tear was found: later segments are moved aside whole
  std::string content;
  for (auto& s : found) {
    if (!read_whole(s.path, content, error))
      return nullptr;
    auto tear = [&](uint64_t at, const std::string& why) {
      std::string e;
      auto moved = move_aside(s.path, content, at, &e);
      if (!e.empty()) {
        *error = e;
        return false;
      }
      out->dropped_bytes += moved;
      out->warnings.push_back(fmt::format("{}: {} at byte {}; {} bytes moved aside into {}.torn-{}",
                                          s.path, why, at, moved, s.path, at));
      ended = true;
      return true;
    };
    if (ended) {
      if (!tear(0, "follows a torn record"))
        return nullptr;
      fs::remove(s.path, ec);
      continue;
    }
    if (content.size() < segment_header_bytes
        || std::memcmp(content.data(), magic, sizeof magic) != 0
        || get_u64(content.data() + 8) != s.first || s.first != expected) {
      // A segment whose header never reached the disk whole (or is not ours).
      if (!tear(0, content.size() < segment_header_bytes ? "a segment header cut short"
                                                         : "a segment header that does not match"))
        return nullptr;
      fs::remove(s.path, ec);
      continue;
    }
    size_t pos = segment_header_bytes;
    while (pos < content.size()) {
      const char* p = content.data() + pos;
      size_t left = content.size() - pos;
      std::string why;
      uint32_t len = left >= header_bytes ? get_u32(p) : 0;
      if (left < header_bytes)
        why = "a record header cut short";
      else if (len > max_payload)
        why = fmt::format("a record claiming {} bytes", len);
      else if (left < header_bytes + len)
        why = "a record cut short";
      else if (get_u32(p + 4) != crc_of(p + 8, header_bytes - 8 + len))
        why = "a record whose checksum does not match";
      else if (get_u64(p + 8) != expected)
        why = fmt::format("record {} where {} was due", get_u64(p + 8), expected);
      if (!why.empty()) {
        if (!tear(pos, why))
          return nullptr;
        break;
      }
      out->records.push_back(intent_record{expected, static_cast<intent_kind>(get_u32(p + 16)),
                                           std::string{p + header_bytes, len}});
      ++expected;
      pos += header_bytes + len;
    }
    s.size = pos;
    log->segments_.push_back(s);
  }
  log->next_seq_ = expected;
  if (log->released_ >= expected) {
    // A mark past the log's end is not this log's (or the log was cut):
    // hand over everything there is.
    out->warnings.push_back(fmt::format("{}: a mark ({}) past the log's end ({}); every "
                                          "record is handed over again",
                                          mark_path, log->released_, expected - 1));
    log->released_ = 0;
    if (::ftruncate(log->mark_fd_, 0) != 0) {
      *error = mark_path + ": cannot reset the mark: " + errno_text(errno);
      return nullptr;
    }
  }
  if (log->released_ > 0) {
    auto r = log->released_;
    std::erase_if(out->records, [r](const intent_record& x) { return x.seq <= r; });
  }
  out->released = log->released_;
  if (log->segments_.empty()) {
    if (!log->start_segment(expected, error))
      return nullptr;
  } else {
    auto& last = log->segments_.back();
    log->fd_ = ::open(last.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (log->fd_ < 0) {
      *error = last.path + ": cannot open for appending: " + errno_text(errno);
      return nullptr;
    }
  }
  return log;
}

intent_log::~intent_log() {
  if (fd_ >= 0)
    ::close(fd_);
  if (mark_fd_ >= 0)
    ::close(mark_fd_);
}

bool intent_log::start_segment(uint64_t first, std::string* error) {
  auto path = (fs::path{opts_.dir} / intent_segment_name(first)).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = path + ": cannot create: " + errno_text(errno);
    return false;
  }
  char head[segment_header_bytes];
  std::memcpy(head, magic, sizeof magic);
  put_u64(head + 8, first);
  int err = 0;
  if (!write_all(fd, head, sizeof head, &err)
      || (opts_.sync_files && ::fdatasync(fd) != 0 && (err = errno) != 0)) {
    *error = path + ": cannot write the segment header: " + errno_text(err);
    ::close(fd);
    ::unlink(path.c_str());
    return false;
  }
  if (opts_.sync_files && !sync_dir(opts_.dir, error)) {
    ::close(fd);
    ::unlink(path.c_str());
    return false;
  }
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
  segments_.push_back(segment{first, path, segment_header_bytes});
  return true;
}

uint64_t intent_log::append(intent_kind kind, std::string_view payload, std::string* error) {
  if (payload.size() > max_payload) {
    *error = fmt::format("intent record of {} bytes exceeds the {} byte limit", payload.size(),
                         max_payload);
    return 0;
  }
  auto& cur = segments_.back();
  if (cur.size > segment_header_bytes && cur.size + header_bytes + payload.size() > opts_.segment_bytes) {
    // The records of the segment left behind must survive a power loss too.
    if (opts_.sync_files && ::fdatasync(fd_) != 0) {
      *error = cur.path + ": fdatasync failed: " + errno_text(errno);
      return 0;
    }
    if (!start_segment(next_seq_, error))
      return 0;
  }
  auto& seg = segments_.back();
  buffer_.resize(header_bytes + payload.size());
  char* p = buffer_.data();
  put_u32(p, static_cast<uint32_t>(payload.size()));
  put_u64(p + 8, next_seq_);
  put_u32(p + 16, static_cast<uint32_t>(kind));
  put_u32(p + 20, 0);
  if (!payload.empty())
    std::memcpy(p + header_bytes, payload.data(), payload.size());
  put_u32(p + 4, crc_of(p + 8, buffer_.size() - 8));
  int err = 0;
  if (!write_all(fd_, p, buffer_.size(), &err)) {
    // Nothing half-written stays: the next append starts clean.
    if (::ftruncate(fd_, static_cast<off_t>(seg.size)) != 0)
      *error = seg.path + ": write failed (" + errno_text(err)
               + ") and the partial record could not be cut: " + errno_text(errno);
    else
      *error = seg.path + ": write failed: " + errno_text(err)
               + (err == ENOSPC ? " (the disk is full)" : "");
    return 0;
  }
  seg.size += buffer_.size();
  return next_seq_++;
}

bool intent_log::sync(std::string* error) {
  if (::fdatasync(fd_) != 0) {
    *error = segments_.back().path + ": fdatasync failed: " + errno_text(errno);
    return false;
  }
  return true;
}

bool intent_log::release(uint64_t upto, std::string* error) {
  if (upto >= next_seq_)
    upto = next_seq_ - 1;
  if (upto <= released_)
    return true;
  char m[16];
  put_u64(m, upto);
  put_u32(m + 8, crc_of(m, 8));
  put_u32(m + 12, 0);
  if (::pwrite(mark_fd_, m, sizeof m, 0) != static_cast<ssize_t>(sizeof m)) {
    if (error != nullptr)
      *error = opts_.dir + "/released: cannot write the mark: " + errno_text(errno);
    return false;
  }
  released_ = upto;
  // Segment i holds [first_i, first_{i+1}); it may go once all are <= upto.
  size_t drop = 0;
  while (drop + 1 < segments_.size() && segments_[drop + 1].first - 1 <= upto)
    ++drop;
  for (size_t i = 0; i < drop; ++i)
    ::unlink(segments_[i].path.c_str());
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(drop));
  return true;
}

uint64_t intent_log::bytes() const noexcept {
  uint64_t n = 0;
  for (const auto& s : segments_)
    n += s.size;
  return n;
}

} // namespace agora::journal
