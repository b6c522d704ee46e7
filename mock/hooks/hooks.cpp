#include "hooks/hooks.h"

#include "hooks/emergence/asset_fqn.h"
#include "hooks/pennsieve/module.h"

namespace runmock::hooks {

namespace {

dialect::HookModule emergence_module() {
  dialect::HookModule m;
  m.name = "emergence";
  m.represent["asset_fqn"] = &emergence::add_fqn_parts;
  return m;
}

}  // namespace

const std::vector<dialect::HookModule>& builtin() {
  static const std::vector<dialect::HookModule> modules = {emergence_module(), pennsieve::module()};
  return modules;
}

}  // namespace runmock::hooks
