#include "hooks/pennsieve/budget.h"

#include <sstream>

namespace runmock::hooks::pennsieve {

double llm_spend(const engine::RunSnapshot& run) {
  double spend = 0;
  for (const auto& item : run.part("dag")) {
    if (item.visible() && item.fields.contains("llmCostUsd") && item.fields["llmCostUsd"].is_number()) spend += item.fields["llmCostUsd"].get<double>();
  }
  return spend;
}

engine::RunSnapshot enforce_budget(engine::Engine& engine, engine::RunSnapshot run) {
  double budget = run.data().value("executionBudgetUsd", 0.0);
  if (budget <= 0 || run.terminal() || run.state() == "CANCELING") return run;
  double spend = llm_spend(run);
  if (spend <= budget) return run;
  std::ostringstream message;
  message.precision(2);
  message << std::fixed << "executionBudgetUsd: execution budget of " << budget << " USD exceeded (LLM spend " << spend << " USD)";
  engine.patch(run.id(), {{"errorMessage", message.str()}});
  auto moved = engine.transition(run.id(), "FAILED", true);
  if (moved.ok()) return moved.run;
  return engine.peek(run.id()).value_or(run);
}

}  // namespace runmock::hooks::pennsieve
