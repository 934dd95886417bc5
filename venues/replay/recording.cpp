#include "venues/replay/recording.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <zlib.h>

namespace agora::replay {

namespace {

constexpr unsigned chunk = 256 * 1024;

gzFile as_gz(void* p) { return static_cast<gzFile>(p); }

std::string upper(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

} // namespace

std::optional<recorded_line> parse_line(std::string_view line, std::string* why) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  size_t i = 0;
  int64_t t = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') {
    if (t > (INT64_MAX - 9) / 10) {
      *why = "time out of range";
      return std::nullopt;
    }
    t = t * 10 + (line[i] - '0');
    ++i;
  }
  if (i == 0) {
    *why = "expected a receive time (ns since the epoch) at the start";
    return std::nullopt;
  }
  if (i >= line.size() || line[i] != ' ') {
    *why = "expected a space after the receive time";
    return std::nullopt;
  }
  auto text = line.substr(i + 1);
  if (text.empty() || text.front() != '{') {
    *why = "expected a JSON object after the receive time";
    return std::nullopt;
  }
  return recorded_line{t, std::string{text}};
}

line_kind classify(std::string_view text) {
  line_kind k;
  constexpr std::string_view stream_key = "{\"stream\":\"";
  constexpr std::string_view snapshot_key = "\"lastUpdateId\"";
  if (text.substr(0, stream_key.size()) == stream_key) {
    auto rest = text.substr(stream_key.size());
    auto end = rest.find('"');
    if (end == std::string_view::npos)
      return k;
    k.stream_name = std::string{rest.substr(0, end)};
    auto at = k.stream_name.find('@');
    k.symbol = upper(std::string_view{k.stream_name}.substr(0, at));
    k.kind = k.stream_name.size() > at && std::string_view{k.stream_name}.substr(at + 1) == "depthSnapshot"
               ? line_kind::snapshot
               : line_kind::stream;
    return k;
  }
  if (text.substr(0, 64).find(snapshot_key) != std::string_view::npos)
    k.kind = line_kind::snapshot;
  return k;
}

std::unique_ptr<recording_reader> recording_reader::open(const std::string& path,
                                                         std::string* error) {
  errno = 0;
  auto gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    *error = path + ": cannot open: "
             + (errno != 0 ? std::string{std::strerror(errno)} : std::string{"out of memory"});
    return nullptr;
  }
  gzbuffer(gz, chunk);
  return std::unique_ptr<recording_reader>(new recording_reader(gz, path));
}

recording_reader::recording_reader(void* gz, std::string path)
  : gz_(gz), path_(std::move(path)) {
  buf_.reserve(2 * chunk);
}

recording_reader::~recording_reader() { gzclose(as_gz(gz_)); }

bool recording_reader::fill() {
  if (eof_)
    return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  auto old = buf_.size();
  buf_.resize(old + chunk);
  int n = gzread(as_gz(gz_), buf_.data() + old, chunk);
  if (n < 0) {
    buf_.resize(old);
    int code = 0;
    const char* msg = gzerror(as_gz(gz_), &code);
    error_ = path_ + ": " + (msg ? msg : "read error");
    eof_ = true;
    stopped_ = true;
    return false;
  }
  buf_.resize(old + static_cast<size_t>(n));
  if (n == 0) {
    eof_ = true;
    int code = 0;
    const char* msg = gzerror(as_gz(gz_), &code);
    // zlib reports a member cut short as Z_BUF_ERROR ("unexpected end of file").
    if (code == Z_BUF_ERROR)
      error_ = path_ + ": truncated (" + std::string{msg ? msg : "unexpected end of file"}
               + "): the rest of the file is lost";
    else if (code != Z_OK && code != Z_STREAM_END)
      error_ = path_ + ": " + (msg ? msg : "corrupt data");
    return false;
  }
  return true;
}

read_status recording_reader::next(recorded_line& out) {
  for (;;) {
    if (stopped_)
      return read_status::failed;
    auto nl = buf_.find('\n', pos_);
    while (nl == std::string::npos) {
      if (buf_.size() - pos_ > max_line) {
        error_ = path_ + ": line " + std::to_string(line_no_ + 1) + " is longer than "
                 + std::to_string(max_line) + " bytes";
        stopped_ = true;
        return read_status::failed;
      }
      auto searched = buf_.size() - pos_;
      if (!fill()) {
        if (stopped_)
          return read_status::failed;
        if (!error_.empty()) {
          // Truncated: a partial last line (if any) is dropped.
          if (pos_ < buf_.size())
            error_ += "; a partial last line of " + std::to_string(buf_.size() - pos_)
                      + " bytes was skipped";
          pos_ = buf_.size();
          stopped_ = true;
          return read_status::truncated;
        }
        if (pos_ >= buf_.size())
          return read_status::end;
        nl = buf_.size(); // a last line without its newline
        break;
      }
      nl = buf_.find('\n', pos_ + searched);
    }
    std::string_view line{buf_.data() + pos_, nl - pos_};
    pos_ = std::min(nl + 1, buf_.size());
    ++line_no_;
    if (line.empty() || line == "\r")
      continue;
    std::string why;
    auto parsed = parse_line(line, &why);
    if (!parsed) {
      if (malformed_++ == 0)
        first_malformed_ = "line " + std::to_string(line_no_) + ": " + why;
      continue;
    }
    out = std::move(*parsed);
    ++lines_;
    return read_status::line;
  }
}

recording_writer::recording_writer(std::string dir, bool daily)
  : dir_(std::move(dir)), daily_(daily) {}

recording_writer::~recording_writer() {
  for (auto& [venue, f] : files_)
    if (f.gz)
      gzclose(as_gz(f.gz));
}

std::string recording_writer::file_of(const std::string& venue, nanos t) const {
  std::time_t secs = static_cast<std::time_t>(t / ns_per_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, daily_ ? "%Y%m%d" : "%Y%m%d-%H", &tm);
  return dir_ + "/" + venue + "-" + stamp + ".gz";
}

std::string recording_writer::append(const std::string& venue, nanos t, std::string_view text) {
  auto& f = files_[venue];
  auto path = file_of(venue, t);
  if (f.gz == nullptr || f.path != path) {
    if (f.gz != nullptr) {
      gzclose(as_gz(f.gz));
      f.gz = nullptr;
    }
    errno = 0;
    f.gz = gzopen(path.c_str(), "ab");
    if (f.gz == nullptr)
      return path + ": cannot open for writing: "
             + (errno != 0 ? std::string{std::strerror(errno)} : std::string{"out of memory"});
    f.path = path;
  }
  auto line = std::to_string(t);
  line += ' ';
  line.append(text.data(), text.size());
  line += '\n';
  if (gzwrite(as_gz(f.gz), line.data(), static_cast<unsigned>(line.size()))
      != static_cast<int>(line.size())) {
    int code = 0;
    const char* msg = gzerror(as_gz(f.gz), &code);
    std::string why = code == Z_ERRNO ? std::strerror(errno) : (msg ? msg : "write error");
    gzclose(as_gz(f.gz));
    f.gz = nullptr;
    return path + ": cannot write: " + why;
  }
  ++lines_;
  bytes_ += line.size();
  return "";
}

std::string recording_writer::flush() {
  std::string first;
  for (auto& [venue, f] : files_) {
    if (f.gz == nullptr)
      continue;
    if (gzflush(as_gz(f.gz), Z_SYNC_FLUSH) != Z_OK && first.empty()) {
      int code = 0;
      const char* msg = gzerror(as_gz(f.gz), &code);
      first = f.path + ": cannot flush: "
              + (code == Z_ERRNO ? std::string{std::strerror(errno)}
                                 : std::string{msg ? msg : "error"});
      gzclose(as_gz(f.gz));
      f.gz = nullptr;
    }
  }
  return first;
}

} // namespace agora::replay
