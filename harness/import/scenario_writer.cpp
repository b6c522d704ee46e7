// The default, failing and cancelled scenarios of an imported API (see scenario_writer.h).
#include "import/scenario_writer.h"

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

ordered_json phase(const std::string& state, const std::string& after = "") {
  ordered_json p = {{"state", state}};
  if (!after.empty()) p["after"] = after;
  return p;
}

// The first state, then the running one: what every scenario starts with.
ordered_json opening(const LifecycleDraft& d) {
  ordered_json phases = ordered_json::array({phase(d.first, "1s")});
  if (!d.running.empty()) phases.push_back(phase(d.running, "2s"));
  return phases;
}

ordered_json cancel_branch(const LifecycleDraft& d) {
  ordered_json branch = ordered_json::array();
  if (!d.cancelling.empty()) branch.push_back(phase(d.cancelling, "1s"));
  branch.push_back(phase(d.cancelled));
  return branch;
}

ordered_json scenario(const std::string& name, const std::string& description, ordered_json phases, const LifecycleDraft& d, bool cancellable) {
  ordered_json s = {{"name", name}, {"description", description}};
  if (name == "default") s["default"] = true;
  s["phases"] = std::move(phases);
  if (cancellable) s["actions"] = {{"cancel", cancel_branch(d)}};
  return s;
}

}  // namespace

ordered_json build_scenarios(const std::string& api, const LifecycleDraft& d, bool cancellable, const std::string& error_field, Notes& notes) {
  ordered_json list = ordered_json::array();
  cancellable = cancellable && !d.cancelled.empty();
  const std::string happy_end = !d.succeeded.empty() ? d.succeeded : !d.failed.empty() ? d.failed : d.cancelled;
  ordered_json happy = opening(d);
  happy.push_back(phase(happy_end));
  list.push_back(scenario("default", "A run that ends " + happy_end + " about 3 s after it was created.", happy, d, cancellable));
  if (!d.failed.empty()) {
    ordered_json failing = opening(d);
    ordered_json end = phase(d.failed);
    if (!error_field.empty()) end["set"] = {{error_field, "the run failed (runmock import-openapi's failing scenario)"}};
    failing.push_back(end);
    list.push_back(scenario("failing", "A run that ends " + d.failed + " about 3 s after it was created.", failing, d, cancellable));
  } else {
    notes.cannot("scenario 'failing': the states have none that says failed");
  }
  if (!d.cancelled.empty()) {
    ordered_json cancelled = opening(d);
    for (auto& p : cancel_branch(d)) cancelled.push_back(p);
    list.push_back(scenario("cancelled", "A run that is cancelled (by the server) after about 3 s, ending " + d.cancelled + ".", cancelled, d, cancellable));
  } else {
    notes.cannot("scenario 'cancelled': the states have none that says cancelled");
  }
  std::string names;
  for (const auto& s : list) names += (names.empty() ? "" : ", ") + s["name"].get<std::string>();
  notes.guess("scenarios: " + names + " (ask for one with the header Prefer: scenario=<name>)");
  return {{"api", api}, {"scenarios", list}};
}

}  // namespace runmock::import
