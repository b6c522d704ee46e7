// `runmock serve --watch`: reloads the scenarios when a file under their paths changes. A
// background thread compares every scenario file's size, modification time and inode every
// `interval` (no inotify: it works the same on every file system, bind mounts included; the inode
// catches an editor's save by rename even when size and time match) and calls
// ScenarioRegistry::reload(), which keeps the old set when the new one is broken. The thread
// stops when the watcher is destroyed.
//
// A file the set in force was loaded from that is gone (deleted, or between the steps of an
// editor's save) keeps the old set too: there is no reload while it is missing, and one error
// names it (at its first scenario in force). When it is back, the next change reloads; to drop
// its scenarios for good, restart runmock. Each change is reported once (`on_reload`), never once
// per poll.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "scenario/loader.h"

namespace runmock::scenario {

// What the watcher compares: each *.yaml / *.yml file (hidden entries skipped, as the loader does)
// with its size, modification time and inode. A path that cannot be read counts as empty.
struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t modified_ns = 0;
  std::uintmax_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};
using FileStamps = std::map<std::filesystem::path, FileStamp>;
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
  void poll();
  LoadResult report_gone_files(const FileStamps& now) const;

  ScenarioRegistry& registry_;
  std::chrono::milliseconds interval_;
  std::function<void(const LoadResult&)> on_reload_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  FileStamps seen_;                           // as of the last change seen (or the watcher's start)
  std::set<std::filesystem::path> in_force_;  // the files as of the last clean reload (or the start)
  std::thread thread_;
};

}  // namespace runmock::scenario
