#include "http/signals.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <stdexcept>

#include "http/server.h"

namespace runmock::http {

namespace {

// The self-pipe: the handler writes the signal number, wait() reads it.
int g_pipe[2] = {-1, -1};
std::atomic<bool> g_active{false};
struct sigaction g_old_int;
struct sigaction g_old_term;

extern "C" void on_shutdown_signal(int signal) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signal);
  [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  if (g_active.exchange(true)) throw std::logic_error("only one ShutdownSignals at a time");
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_active = false;
    throw std::runtime_error("cannot create the shutdown pipe");
  }
  struct sigaction action{};
  action.sa_handler = on_shutdown_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

ShutdownSignals::~ShutdownSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
  g_active = false;
}

int ShutdownSignals::wait() {
  while (true) {
    pollfd fd{g_pipe[0], POLLIN, 0};
    int ready = ::poll(&fd, 1, -1);
    if (ready < 0 && errno == EINTR) continue;
    unsigned char byte = 0;
    ssize_t n = ::read(g_pipe[0], &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return 0;
  }
}

void ShutdownSignals::trigger() {
  unsigned char byte = 0;
  [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &byte, 1);
}

int wait_and_stop(ShutdownSignals& signals, Server& server) {
  int signal = signals.wait();
  server.stop();
  return signal;
}

}  // namespace runmock::http
