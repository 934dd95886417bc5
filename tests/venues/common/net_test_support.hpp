#pragma once

// Helpers for the socket tests: a temporary directory with a self-signed
// certificate, a scripted raw TCP listener on 127.0.0.1, and a waiter.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "venues/common/tls.hpp"

namespace agora::net::test {

/// A fresh directory under $TMPDIR (or /tmp), removed on destruction.
class temp_dir {
public:
  temp_dir() {
    auto base = std::filesystem::temp_directory_path() / "agora-net-XXXXXX";
    std::string pattern = base.string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

/// A temp dir holding cert.pem and key.pem from generate_self_signed.
struct cert_dir {
  cert_dir() {
    std::string error;
    REQUIRE(generate_self_signed(cert(), key(), &error));
    REQUIRE(error.empty());
  }
  std::string cert() const { return dir.file("cert.pem"); }
  std::string key() const { return dir.file("key.pem"); }
  temp_dir dir;
};

/// Waits on a condition with a deadline; notify() after changing state.
class waiter {
public:
  template <class Pred>
  bool wait_for(std::chrono::milliseconds timeout, Pred pred) {
    std::unique_lock<std::mutex> lock{mtx};
    return cv.wait_for(lock, timeout, pred);
  }
  void notify() { cv.notify_all(); }

  std::mutex mtx;

private:
  std::condition_variable cv;
};

/// Sends all of `bytes` to `fd`; false on error.
inline bool send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

/// A TCP listener on 127.0.0.1 whose accepted connections are handed, one
/// at a time, to a script running on the listener's thread. The script gets
/// the socket and a flag that turns true when the listener is being
/// destroyed (scripts that hold a connection must poll it).
class raw_listener {
public:
  using script = std::function<void(int fd, const std::atomic<bool>& stopping)>;

  /// With `listen` false the port is bound but refuses connections.
  explicit raw_listener(script s, bool listen = true) : script_(std::move(s)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    if (!listen)
      return;
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { loop(); });
  }

  ~raw_listener() {
    stopping_ = true;
    if (thread_.joinable())
      thread_.join();
    ::close(fd_);
  }

  raw_listener(const raw_listener&) = delete;
  raw_listener& operator=(const raw_listener&) = delete;

  uint16_t port() const noexcept { return port_; }

  /// Connections accepted so far.
  int accepted() const noexcept { return accepted_.load(); }

  /// Reads from `fd` until the end of an HTTP header block (or close, or
  /// stopping); returns what was read.
  static std::string read_head(int fd, const std::atomic<bool>& stopping) {
    std::string in;
    while (in.find("\r\n\r\n") == std::string::npos && !stopping) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      char buf[4096];
      auto n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0)
        break;
      in.append(buf, static_cast<size_t>(n));
    }
    return in;
  }

  /// Keeps `fd` open until the peer closes it or the listener stops.
  static void hold(int fd, const std::atomic<bool>& stopping) {
    while (!stopping) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      char buf[4096];
      if (::recv(fd, buf, sizeof(buf), 0) <= 0)
        return;
    }
  }

private:
  void loop() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      ++accepted_;
      script_(c, stopping_);
      ::close(c);
    }
  }

  script script_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

} // namespace agora::net::test
