// The admin API under /__runmock/ (beyond health and journal, which the HTTP layer serves):
// scenarios, runs and their timelines, moving runs on by hand, the clock, reset. It answers
// loopback peers only (the HTTP layer's guard), in plain JSON.
#pragma once

#include "engine/engine.h"
#include "http/server.h"
#include "scenario/loader.h"

namespace runmock::admin {

// Registers the routes; engine, scenarios and server must outlive each other's use.
void install(http::Server& server, engine::Engine& engine, scenario::ScenarioRegistry& scenarios);

// A run as the admin API shows it: API, scenario, state, phase, polls, and the timeline.
nlohmann::json describe_run(const engine::RunSnapshot& run);

}  // namespace runmock::admin
