#include "hooks/pennsieve/module.h"

#include <memory>

#include "hooks/pennsieve/budget.h"
#include "hooks/pennsieve/catalog.h"
#include "hooks/pennsieve/error_message.h"
#include "hooks/pennsieve/instances.h"
#include "hooks/pennsieve/run_data.h"
#include "hooks/pennsieve/workflow_checks.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;
using dialect::CreateDraft;

namespace {

std::optional<http::Response> answer(CreateDraft& draft, const std::optional<Problem>& problem) {
  if (!problem) return std::nullopt;
  return draft.ctx.error(problem->status, "", problem->message);
}

// The instance a create names (mode 1) or configures (mode 2), with the field to blame.
std::optional<Problem> instance_of(const CreateDraft& draft, const InstanceBook& book, json& instance, std::string& field) {
  const json& b = draft.body;
  if (b.contains("workflowInstanceId")) {
    field = "workflowInstanceId";
    std::string id = b["workflowInstanceId"].get<std::string>();
    auto found = book.find(*draft.set, id);
    if (!found) return Problem{404, "workflowInstanceId: no workflow instance '" + id + "'"};
    instance = std::move(*found);
    return std::nullopt;
  }
  field = "workflowInstanceConfiguration.workflowId";
  instance = b["workflowInstanceConfiguration"];
  if (!instance.contains("processorConfigs")) instance["processorConfigs"] = json::array();
  return std::nullopt;
}

std::optional<http::Response> validate(CreateDraft& draft, const InstanceBook& book) {
  json instance;
  std::string field;
  if (auto r = answer(draft, instance_of(draft, book, instance, field))) return r;
  const json& b = draft.body;
  std::string workflow_id = instance.value("workflowId", "");
  std::string compute_node_id = instance.value("computeNodeId", "");
  const json* workflow = spec_of(*draft.set, "workflow", workflow_id);
  if (auto r = answer(draft, check_workflow(workflow, workflow_id, field))) return r;
  const json* compute_node = spec_of(*draft.set, "compute-node", compute_node_id);
  std::string node_field = b.contains("workflowInstanceId") ? "workflowInstanceId" : "workflowInstanceConfiguration.computeNodeId";
  if (auto r = answer(draft, check_compute_node(compute_node, compute_node_id, node_field))) return r;
  const json dag = workflow->value("dag", json::array());
  Nodes nodes = nodes_of(dag);
  if (!b.contains("workflowInstanceId")) {
    if (auto r = answer(draft, check_processor_configs(instance, nodes, workflow_id))) return r;
  }
  if (auto r = answer(draft, check_node_keys(b, dag, nodes, workflow_id))) return r;
  if (auto r = answer(draft, check_processor_params(b, dag))) return r;
  json data_targets;
  if (auto r = answer(draft, enrich_data_targets(b, dag, *draft.set, data_targets))) return r;
  if (auto r = answer(draft, check_layers(b, *compute_node, compute_node_id))) return r;
  draft.state = {{"instance", instance}, {"workflow", *workflow}, {"workflow_id", workflow_id}, {"data_targets", data_targets}};
  return std::nullopt;
}

std::optional<http::Response> resolve(CreateDraft& draft, InstanceBook& book) {
  const json& instance = draft.state["instance"];
  std::string id = draft.body.contains("workflowInstanceId") ? draft.body["workflowInstanceId"].get<std::string>() : book.find_or_create(*draft.set, instance);
  if (const auto* config = draft.set->configuration(kApi, draft.state["workflow_id"].get<std::string>())) draft.selection_configuration = config->fields;
  RunData made = make_run_data(id, instance, draft.state["workflow"], draft.body, draft.state["data_targets"], draft.now);
  draft.data = std::move(made.data);
  draft.parts["dag"] = std::move(made.dag);
  return std::nullopt;
}

std::string seed_tenant(const engine::SeedSpec& spec) {
  if (spec.tenant.is_null()) return "runmock-dev";
  if (!spec.tenant.is_string() || spec.tenant.get_ref<const std::string&>().empty()) {
    throw std::invalid_argument("tenant: a pennsieve tenant is the token's sub (else client_id), a non-empty string");
  }
  return spec.tenant.get<std::string>();
}

engine::CreateRequest seed(const dialect::HookEnv& env, const engine::SeedSpec& spec) {
  std::string tenant = seed_tenant(spec);
  auto set = env.scenarios.current();
  json body = spec.request.is_null() ? json::object() : spec.request;
  if (!body.is_object()) throw std::invalid_argument("request: the create body's fields, as an object");
  if (!body.contains("workflowInstanceId")) {
    for (const auto* c : set->configurations(kApi)) {
      if (c->fields.value("kind", "") == "instance") {
        body["workflowInstanceId"] = c->id;
        break;
      }
    }
  }
  if (!body.contains("workflowInstanceId") || !body["workflowInstanceId"].is_string()) {
    throw std::invalid_argument("request.workflowInstanceId: the id of a workflow instance declared in the scenarios' configurations");
  }
  std::string instance_id = body["workflowInstanceId"].get<std::string>();
  const json* instance = spec_of(*set, "instance", instance_id);
  if (!instance) throw std::invalid_argument("request.workflowInstanceId: no declared workflow instance '" + instance_id + "'");
  const json* workflow = spec_of(*set, "workflow", instance->value("workflowId", ""));
  if (!workflow) throw std::invalid_argument("request.workflowInstanceId: the instance's workflow '" + instance->value("workflowId", "") + "' is not declared");
  RunData made = make_run_data(instance_id, *instance, *workflow, body, body.value("dataTargets", json::object()), spec.created_at);
  engine::CreateRequest create;
  create.api = kApi;
  create.tenant = tenant;
  create.script = spec.script;
  create.data = std::move(made.data);
  create.parts["dag"] = std::move(made.dag);
  return create;
}

}  // namespace

dialect::HookModule module() {
  dialect::HookModule m;
  m.name = "pennsieve";
  m.represent["error_message"] = &add_error_message;
  m.stateful = {"workflow", "instance", "budget", "seed"};
  m.make = [](const dialect::HookEnv& env) {
    auto book = std::make_shared<InstanceBook>();
    dialect::HookSet hooks;
    hooks.create["workflow"] = [book](CreateDraft& draft) { return validate(draft, *book); };
    hooks.create["instance"] = [book](CreateDraft& draft) { return resolve(draft, *book); };
    engine::Engine* engine = &env.engine;
    hooks.observe["budget"] = [engine](engine::RunSnapshot run) { return enforce_budget(*engine, std::move(run)); };
    dialect::HookEnv copy = env;
    hooks.seed["seed"] = [copy](const engine::SeedSpec& spec) { return seed(copy, spec); };
    return hooks;
  };
  return m;
}

}  // namespace runmock::hooks::pennsieve
