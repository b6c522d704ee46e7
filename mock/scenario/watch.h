// `runmock serve --watch`: reloads the scenarios when a file under their paths changes. A
// background thread compares every scenario file's size and modification time every `interval`
// (no inotify: it works the same on every file system, bind mounts and editors' rename-on-save
// included) and calls ScenarioRegistry::reload(), which keeps the old set when the new one is
// broken. The thread stops when the watcher is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "scenario/loader.h"

namespace runmock::scenario {

// What the watcher compares: each *.yaml / *.yml file (hidden entries skipped, as the loader does)
// with its size and modification time. A path that cannot be read counts as empty.
using FileStamps = std::map<std::filesystem::path, std::pair<std::uintmax_t, std::filesystem::file_time_type>>;
FileStamps stamp_scenario_files(const std::vector<std::filesystem::path>& paths);

class ScenarioWatcher {
 public:
  // `on_reload` gets each reload's result (from the watcher's thread).
  ScenarioWatcher(ScenarioRegistry& registry, std::chrono::milliseconds interval, std::function<void(const LoadResult&)> on_reload);
  ~ScenarioWatcher();
  ScenarioWatcher(const ScenarioWatcher&) = delete;
  ScenarioWatcher& operator=(const ScenarioWatcher&) = delete;

 private:
  void run();

  ScenarioRegistry& registry_;
  std::chrono::milliseconds interval_;
  std::function<void(const LoadResult&)> on_reload_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  FileStamps seen_;  // as of the last reload (or the watcher's start)
  std::thread thread_;
};

}  // namespace runmock::scenario
