// What a pennsieve run keeps: its `run` object (the create's fields, the instance's workflow and
// compute node, the enriched dataTargets), the size of its DAG, its organization and budget; and
// its DAG, the definition's nodes with the run's tags and execution targets applied (a copy: the
// definition is untouched).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/time.h"

namespace runmock::hooks::pennsieve {

struct RunData {
  nlohmann::json data;
  std::vector<nlohmann::json> dag;
};

RunData make_run_data(const std::string& instance_id, const nlohmann::json& instance, const nlohmann::json& workflow, const nlohmann::json& body,
                      const nlohmann::json& data_targets, engine::Instant created_at);

}  // namespace runmock::hooks::pennsieve
