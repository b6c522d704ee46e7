#include "golden/coverage.h"

#include <algorithm>
#include <cctype>

#include "loader/yaml_json.h"

namespace runmock::golden {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

bool matches(const std::string& templ, const std::string& path) {
  auto want = segments(templ), got = segments(path);
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    bool parameter = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
    if (parameter ? got[i].empty() : want[i] != got[i]) return false;
  }
  return true;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

}  // namespace

Operations::Operations(const std::filesystem::path& source_dir, const std::vector<ApiInfo>& apis) : apis_(apis) {
  for (const auto& api : apis_) {
    nlohmann::json document = contracts::read_document(source_dir / api.contract);
    // value() answers a temporary: kept here, so that items() does not outlive it.
    const nlohmann::json paths = document.value("paths", nlohmann::json::object());
    const nlohmann::json webhooks = document.value("webhooks", nlohmann::json::object());
    for (const auto& [path, item] : paths.items()) {
      for (const auto& [method, operation] : item.items()) {
        if (operation.is_object() && operation.contains("operationId")) {
          operations_.push_back({api.name, upper(method), path, operation["operationId"].get<std::string>(), false});
        }
      }
    }
    for (const auto& [name, item] : webhooks.items()) {
      for (const auto& [method, operation] : item.items()) {
        if (operation.is_object() && operation.contains("operationId")) {
          operations_.push_back({api.name, upper(method), "webhook " + name, operation["operationId"].get<std::string>(), true});
        }
      }
    }
  }
}

const Operation* Operations::match(const std::string& method, const std::string& target) const {
  std::string path = target.substr(0, target.find('?'));
  for (const auto& operation : operations_) {
    if (!operation.webhook && operation.method == method && matches(operation.path, path)) return &operation;
  }
  return nullptr;
}

const Operation* Operations::find(const std::string& api, const std::string& id) const {
  for (const auto& operation : operations_) {
    if (operation.api == api && operation.id == id) return &operation;
  }
  return nullptr;
}

std::string Operations::label(const std::string& method, const std::string& target) const {
  if (const Operation* operation = match(method, target)) return operation->api + " " + operation->id;
  for (const auto& api : apis_) {
    if (target.rfind(api.prefix, 0) == 0) return api.name + " (no operation)";
  }
  return "other (no operation)";
}

std::string Coverage::report(const Operations& operations) const {
  int total = 0;
  std::map<std::string, int> per_api;
  for (const auto& [label, count] : counts_) {
    total += count;
    per_api[label.substr(0, label.find(' '))] += count;
  }
  std::string out = "=== coverage\nexchanges: " + std::to_string(total) + "\n";
  for (const auto& [api, count] : per_api) {
    out += api + ": " + std::to_string(count) + "\n";
    for (const auto& operation : operations.all()) {
      if (operation.api != api) continue;
      auto found = counts_.find(api + " " + operation.id);
      out += "  " + operation.id + " (" + operation.method + " " + operation.path + "): " + std::to_string(found == counts_.end() ? 0 : found->second) + "\n";
    }
    if (auto none = counts_.find(api + " (no operation)"); none != counts_.end()) out += "  (no operation): " + std::to_string(none->second) + "\n";
  }
  return out;
}

std::vector<std::string> Coverage::missing(const Operations& operations) const {
  std::vector<std::string> out;
  for (const auto& operation : operations.all()) {
    if (!counts_.count(operation.api + " " + operation.id)) out.push_back(operation.api + " " + operation.id);
  }
  return out;
}

}  // namespace runmock::golden
