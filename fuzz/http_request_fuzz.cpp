// A raw HTTP request through the whole server, in-process: the connection pool's reader, admission,
// routing, every bundled API's dialect, the contract checks, faults and the journal. One mock (all
// bundled APIs and scenarios, manual clock) listens on a free loopback port from the first input on;
// each input is one connection: its bytes are sent, the sending side is shut, and the answer is
// read until the server closes (a server that neither answers nor closes within 2 s is a hang).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "app/mock_app.h"
#include "fuzz_support.h"

namespace {

using namespace std::chrono_literals;
namespace app = runmock::app;

app::MockApp& mock() {
  static app::MockApp* instance = [] {
    app::MockOptions options;
    options.server.port = 0;
    options.server.log_format = runmock::http::LogFormat::off;
    options.server.header_timeout = 200ms;
    options.server.read_timeout = 200ms;
    options.server.keep_alive_timeout = 200ms;
    options.server.write_timeout = 500ms;
    options.clock = "manual";
    options.max_runs = 2000;
    options.contracts_dir = RUNMOCK_SOURCE_DIR "/contracts";
    auto* made = new app::MockApp(options);  // lives as long as the process: every input uses it
    made->server().set_log_sink([](std::string_view) {});
    made->start();
    return made;
  }();
  return *instance;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  runmock::fuzz::check(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0, "the mock accepts a connection");
  return fd;
}

// Reads until the server closes; false when it neither answered nor closed in time.
bool read_until_closed(int fd) {
  auto deadline = std::chrono::steady_clock::now() + 2s;
  char buffer[16384];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return 0;
  int fd = connect_to(mock().server().port());
  std::size_t sent = 0;
  while (sent < size) {
    ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server refused the rest (a closed connection)
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  bool closed = read_until_closed(fd);
  ::close(fd);
  runmock::fuzz::check(closed, "the server answers or closes every connection");
  runmock::fuzz::check(mock().server().running(), "the server keeps running");
  return 0;
}
