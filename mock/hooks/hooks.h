// Every hook module runmock has: the per-API C++ that dialect files name (dialect/hooks.h). One
// row per module; adding an API's hooks adds a row here and a folder beside this file.
#pragma once

#include <vector>

#include "dialect/hooks.h"

namespace runmock::hooks {

const std::vector<dialect::HookModule>& builtin();

}  // namespace runmock::hooks
