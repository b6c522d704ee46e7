// pennsieve.budget (an observe hook): a run with an execution budget (executionBudgetUsd > 0) whose
// LLM spend so far (the llmCostUsd its scenario scripts on its visible DAG nodes) passed the budget
// fails at once, with an "executionBudgetUsd: ..." error message.
#pragma once

#include "engine/engine.h"

namespace runmock::hooks::pennsieve {

// The LLM spend of the run's visible DAG nodes, in USD.
double llm_spend(const engine::RunSnapshot& run);

// The run as observed: failed when over its budget.
engine::RunSnapshot enforce_budget(engine::Engine& engine, engine::RunSnapshot run);

}  // namespace runmock::hooks::pennsieve
