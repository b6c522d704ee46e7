// What every dialect tells the HTTP layer about the run an answer shows.
#pragma once

#include "engine/run.h"
#include "http/context.h"
#include "scenario/scenario.h"

namespace runmock::dialects {

// Names the run for the journal and the log (id, scenario), names the scenario file a
// contract-breaking 500 would blame, and hands the layer the fault of the phase the run is in.
void describe_run(http::RequestContext& ctx, const engine::RunSnapshot& run, const scenario::ScenarioSet& scenarios);

}  // namespace runmock::dialects
