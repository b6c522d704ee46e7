// Clean shutdown on SIGINT/SIGTERM: `runmock serve` stops the server and exits 0.
//
//   http::ShutdownSignals signals;   // first, before the server starts
//   server.start(...);
//   http::wait_and_stop(signals, server);
//   return 0;
#pragma once

namespace runmock::http {

class Server;

// Catches SIGINT and SIGTERM from construction to destruction (the previous handlers come back
// then). One instance at a time per process; a second throws std::logic_error.
class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until a signal arrives (returns its number) or trigger() is called (returns 0).
  // A signal that came before wait() is not lost.
  int wait();
  // Wakes wait() from any thread (an admin "shutdown", a test).
  void trigger();
};

// Waits for a signal, then stops the server. Returns the signal's number (0 for trigger()).
int wait_and_stop(ShutdownSignals& signals, Server& server);

}  // namespace runmock::http
