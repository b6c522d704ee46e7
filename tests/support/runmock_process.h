// Starts the real `runmock` binary for end-to-end tests: `runmock serve --port 0 ...` (or
// `runmock proxy ...`) on 127.0.0.1, reads its first lines (the listening URL and, for serve, the
// dev token), and stops it (SIGTERM) when the test is done. Only loopback, and the process never
// outlives the test.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace runmock::testing {

class RunmockProcess {
 public:
  // Runs `binary` with `arguments`; for `serve` and `proxy` (or a test double that prints "...
  // listening on URL" then a second line, as serve does), waits for the listening line.
  explicit RunmockProcess(std::vector<std::string> arguments, bool wait_for_listening = true, std::string binary = RUNMOCK_BINARY) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // The server dies with the test, even when the test crashes.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      close(out[0]);
      close(err[0]);
      std::vector<char*> argv;
      argv.push_back(binary.data());
      for (auto& a : arguments) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    stdout_ = fdopen(out[0], "r");
    stderr_ = fdopen(err[0], "r");
    if (wait_for_listening) {
      const bool proxy = !arguments.empty() && arguments.front() == "proxy";
      listening_line_ = read_line();
      const std::string marker = " listening on ";
      auto at = listening_line_.find(marker);
      if (at == std::string::npos) {
        throw std::runtime_error(binary + " did not start: first line '" + listening_line_ + "', stderr: " + read_stderr());
      }
      url_ = listening_line_.substr(at + marker.size());
      auto colon = url_.rfind(':');
      port_ = std::stoi(url_.substr(colon + 1));
      if (!proxy) token_line_ = read_line();
      // The log lines that follow are drained, so a chatty server never blocks on a full pipe.
      drain_ = std::thread([this] {
        for (std::string line = read_line(); !line.empty() || !feof(stdout_); line = read_line()) {
          std::lock_guard lock(mutex_);
          log_.push_back(std::move(line));
        }
      });
    }
  }

  ~RunmockProcess() {
    stop();
    if (drain_.joinable()) drain_.join();
    if (stdout_) fclose(stdout_);
    if (stderr_) fclose(stderr_);
  }
  RunmockProcess(const RunmockProcess&) = delete;
  RunmockProcess& operator=(const RunmockProcess&) = delete;

  // One line of standard output, without the newline ("" at the end).
  std::string read_line() {
    std::string line;
    int ch;
    while ((ch = fgetc(stdout_)) != EOF && ch != '\n') line.push_back(static_cast<char>(ch));
    return line;
  }
  // Everything on standard error until the process closes it.
  std::string read_stderr() {
    std::string text;
    int ch;
    while ((ch = fgetc(stderr_)) != EOF) text.push_back(static_cast<char>(ch));
    return text;
  }

  // Sends `sig` and returns the exit status (or -signal), waiting at most a few seconds.
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, sig);
    return wait_exit();
  }
  // Waits for the process to end on its own (at most ~10 s, then kills it).
  int wait_exit() {
    if (pid_ <= 0) return exit_status_;
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = 0;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        return exit_status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
    exit_status_ = -SIGKILL;
    return exit_status_;
  }

  // The request log lines read so far.
  std::vector<std::string> log_lines() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& listening_line() const { return listening_line_; }
  const std::string& token_line() const { return token_line_; }
  // The dev token printed on the second line.
  std::string token() const {
    const std::string prefix = "runmock dev token: ";
    return token_line_.rfind(prefix, 0) == 0 ? token_line_.substr(prefix.size()) : "";
  }

 private:
  pid_t pid_ = 0;
  int exit_status_ = -1;
  FILE* stdout_ = nullptr;
  FILE* stderr_ = nullptr;
  std::string listening_line_;
  std::string token_line_;
  std::string url_;
  int port_ = 0;
  std::thread drain_;
  mutable std::mutex mutex_;
  std::vector<std::string> log_;
};

}  // namespace runmock::testing
