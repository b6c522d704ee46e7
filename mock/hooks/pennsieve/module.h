// The pennsieve hook module: pennsieve.workflow (validate_create: the instance, its workflow and
// compute node, and every check of workflow_checks.h), pennsieve.instance (resolve_create:
// find-or-create of the instance, then the run's data and DAG), pennsieve.budget (observe),
// pennsieve.seed (seeding) and pennsieve.error_message (a representation hook).
#pragma once

#include "dialect/hooks.h"

namespace runmock::hooks::pennsieve {

dialect::HookModule module();

}  // namespace runmock::hooks::pennsieve
