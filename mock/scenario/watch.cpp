#include "scenario/watch.h"

#include <sys/stat.h>

namespace runmock::scenario {

namespace fs = std::filesystem;

namespace {

std::set<fs::path> files_of(const FileStamps& stamps) {
  std::set<fs::path> files;
  for (const auto& [file, stamp] : stamps) files.insert(file);
  return files;
}

// Where the set in force first defines something from `file` (a scenario, else a configuration);
// the file alone when nothing of it is in force any more.
SourceLocation first_definition(const ScenarioSet& set, const std::string& file) {
  for (const auto& api : set.apis()) {
    for (const auto* scenario : set.scenarios(api)) {
      if (scenario->where.file == file) return scenario->where;
    }
    for (const auto* configuration : set.configurations(api)) {
      if (configuration->where.file == file) return configuration->where;
    }
  }
  return {file, 0, 0};
}

}  // namespace

FileStamps stamp_scenario_files(const std::vector<fs::path>& paths) {
  FileStamps stamps;
  auto stamp = [&stamps](const fs::path& file) {
    struct stat status {};
    if (::stat(file.c_str(), &status) != 0) return;
    stamps[file] = {static_cast<std::uintmax_t>(status.st_size), std::int64_t{status.st_mtim.tv_sec} * 1'000'000'000 + status.st_mtim.tv_nsec,
                    static_cast<std::uintmax_t>(status.st_ino)};
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
      in_force_(files_of(seen_)),
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
    poll();
    lock.lock();
  }
}

void ScenarioWatcher::poll() {
  FileStamps now = stamp_scenario_files(registry_.paths());
  if (now == seen_) return;
  seen_ = now;
  LoadResult result = report_gone_files(now);
  if (result.errors.empty()) {
    result = registry_.reload();
    if (result.ok()) in_force_ = files_of(now);
  }
  if (on_reload_) on_reload_(result);
}

// Reloading without a file would drop its scenarios between the steps of an editor's save (move
// the old file away, write the new one) or under a test still using them, so a missing file is
// an error until it is back.
LoadResult ScenarioWatcher::report_gone_files(const FileStamps& now) const {
  LoadResult result;
  auto set = registry_.current();
  for (const auto& file : in_force_) {
    if (now.count(file)) continue;
    result.errors.push_back(
        {first_definition(*set, file.string()), "the file is gone; what it defines stays in force until it is back (restart runmock to drop it)"});
  }
  return result;
}

}  // namespace runmock::scenario
