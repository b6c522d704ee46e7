#include "scenario/watch.h"

namespace runmock::scenario {

namespace fs = std::filesystem;

FileStamps stamp_scenario_files(const std::vector<fs::path>& paths) {
  FileStamps stamps;
  auto stamp = [&stamps](const fs::path& file) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) return;
    auto time = fs::last_write_time(file, ec);
    if (ec) return;
    stamps[file] = {size, time};
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      stamp(path);
      continue;
    }
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      auto ext = it->path().extension().string();
      if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) stamp(it->path());
    }
  }
  return stamps;
}

ScenarioWatcher::ScenarioWatcher(ScenarioRegistry& registry, std::chrono::milliseconds interval,
                                 std::function<void(const LoadResult&)> on_reload)
    : registry_(registry),
      interval_(interval),
      on_reload_(std::move(on_reload)),
      seen_(stamp_scenario_files(registry.paths())),
      thread_([this] { run(); }) {}

ScenarioWatcher::~ScenarioWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ScenarioWatcher::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    FileStamps now = stamp_scenario_files(registry_.paths());
    if (now != seen_) {
      seen_ = std::move(now);
      LoadResult result = registry_.reload();
      if (on_reload_) on_reload_(result);
    }
    lock.lock();
  }
}

}  // namespace runmock::scenario
