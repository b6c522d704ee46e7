#include "dialects/run_context.h"

namespace runmock::dialects {

void describe_run(http::RequestContext& ctx, const engine::RunSnapshot& run, const scenario::ScenarioSet& scenarios) {
  ctx.run_id = run.id();
  ctx.scenario = run.scenario();
  if (const auto* scenario = scenarios.find(run.api(), run.scenario())) ctx.source = scenario->where.to_string();
  if (const engine::Phase* phase = run.phase()) ctx.fault = phase->fault;
}

}  // namespace runmock::dialects
