// Load-time checks of the payload a scenario scripts (a phase's `set`, its part items, a
// configuration's fields) against the API's contract.
//
// The loader cannot know how each dialect builds its representation, so each API has a checker.
// The loader gives it a sample of the run as the engine would hold it in that phase and the
// fragment the phase itself writes, both in representation space (JSON Pointers as in the run's
// JSON: "/output/tags_applied", "/tasks/2/status"). The checker returns the errors it finds; the
// loader reports each at the `file:line:col` of the scenario value its instance location falls in
// (the phase's `state:` line when it falls outside what the phase wrote).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/script.h"
#include "loader/api_contract.h"
#include "scenario/scenario.h"
#include "validator/validator.h"

namespace runmock::scenario {

struct FragmentContext {
  const std::string& api;
  const engine::Script& script;
  const engine::Phase* phase;                // the phase checked (null for a configuration)
  const Configuration* configuration;        // the configuration checked (null for a phase)
  // The run in this phase as far as the scenario knows it: every field the phases set so far,
  // the state word at the lifecycle's state pointer, the visible part items (their declared
  // fields, state words and fragments) at the part's collection pointer. What the dialect adds
  // (ids, timestamps, request-derived fields) is not there.
  const nlohmann::json& sample;
  // What this phase (or configuration) writes itself, same layout as `sample`.
  const nlohmann::json& fragment;
};

using FragmentChecker = std::function<std::vector<schema::ValidationError>(const FragmentContext&)>;

// The default checker: validates the sample against the response schema of `operation_id` /
// `status` (every response variant is tried; the one with the fewest errors counts) and keeps
// only the errors the fragment is to blame for: errors at a value it writes (the validator
// reports an error at the failing value), except "missing field" kinds of errors (required,
// anyOf, oneOf, dependentRequired, minProperties) on an object it writes, whose other fields the
// dialect fills in. `contract` must outlive it.
FragmentChecker contract_checker(const contracts::ApiContract& contract, std::string operation_id = "getWorkflowRun", int status = 200);

// The run's representation for a phase (helper for checkers that build fuller samples): the
// sample with `base` merged under it (base fields are overwritten by the sample's).
nlohmann::json merge_under(const nlohmann::json& base, const nlohmann::json& sample);

}  // namespace runmock::scenario
