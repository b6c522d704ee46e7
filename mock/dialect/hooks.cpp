#include "dialect/hooks.h"

namespace runmock::dialect {
namespace {

std::pair<std::string, std::string> split_name(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return {"", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

const HookModule* find_module(const std::vector<HookModule>& modules, const std::string& name) {
  for (const auto& m : modules) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace

RepresentHook represent_hook(const std::vector<HookModule>& modules, const std::string& name) {
  auto [module, hook] = split_name(name);
  if (const HookModule* m = find_module(modules, module)) {
    if (auto it = m->represent.find(hook); it != m->represent.end()) return it->second;
  }
  std::string known;
  for (const auto& m : modules) {
    for (const auto& [n, h] : m.represent) known += (known.empty() ? "" : ", ") + m.name + "." + n;
  }
  throw TemplateError("", "no representation hook '" + name + "' (runmock's: " + known + ")");
}

std::set<std::string> stateful_hook_names(const std::vector<HookModule>& modules) {
  std::set<std::string> out;
  for (const auto& m : modules) {
    for (const auto& n : m.stateful) out.insert(m.name + "." + n);
  }
  return out;
}

HookSet make_hooks(const std::vector<HookModule>& modules, const std::set<std::string>& names, const HookEnv& env) {
  std::set<std::string> wanted;
  for (const auto& name : names) wanted.insert(split_name(name).first);
  HookSet all;
  for (const auto& module : wanted) {
    const HookModule* m = find_module(modules, module);
    if (!m || !m->make) continue;
    HookSet made = m->make(env);
    for (auto& [n, h] : made.create) all.create[module + "." + n] = std::move(h);
    for (auto& [n, h] : made.observe) all.observe[module + "." + n] = std::move(h);
    for (auto& [n, h] : made.seed) all.seed[module + "." + n] = std::move(h);
  }
  return all;
}

}  // namespace runmock::dialect
