// The admin API under /__runmock/ (beyond health and journal, which the HTTP layer serves):
// scenarios, runs and their timelines, moving runs on by hand, the clock, reset. It answers
// loopback peers only (the HTTP layer's guard), in plain JSON.
#pragma once

#include <map>
#include <string>

#include "engine/engine.h"
#include "http/server.h"
#include "scenario/loader.h"

namespace runmock::admin {

// Registers the routes; engine, scenarios and server must outlive each other's use. `builders`:
// per API, how its dialect builds a run (POST /__runmock/runs seeds runs only for these APIs).
void install(http::Server& server, engine::Engine& engine, scenario::ScenarioRegistry& scenarios,
             std::map<std::string, engine::RunBuilder> builders = {});

// Seeding asks for at most this many runs at once.
inline constexpr std::size_t kMaxSeedCount = 10000;

// A run as the admin API shows it: API, scenario, state, phase, polls, and the timeline.
nlohmann::json describe_run(const engine::RunSnapshot& run);

}  // namespace runmock::admin
