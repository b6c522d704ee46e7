// The import, step by step (see importer.h).
#include "import/importer.h"

#include <regex>
#include <set>

#include "import/dialect_auth.h"
#include "import/dialect_writer.h"
#include "import/document_facts.h"
#include "import/error_responses.h"
#include "import/import_error.h"
#include "import/lifecycle_draft.h"
#include "import/scenario_writer.h"
#include "import/state_field.h"
#include "validator/json_value.h"

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

const std::set<std::string> kErrorFields{"error", "error_message", "errorMessage", "failure_reason", "failureReason", "status_message",
                                         "statusMessage", "message", "reason"};

void check_api_name(const std::string& api) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]*");
  if (!std::regex_match(api, kName)) throw ImportError("--api " + api + ": a name is letters, digits, '.', '_' and '-', starting with a letter or digit");
}

std::vector<std::string> path_parameters(const std::string& path) {
  std::vector<std::string> out;
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    auto close = path.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(path.substr(open + 1, close - open - 1));
  }
  return out;
}

// The last parameter of the create path (the parent of the runs); the others are not kept.
std::string parent_parameter(const std::string& path, Notes& notes) {
  auto params = path_parameters(path);
  if (params.size() > 1) {
    std::string others;
    for (std::size_t i = 0; i + 1 < params.size(); ++i) others += (others.empty() ? "" : ", ") + params[i];
    notes.cannot("create path parameters " + others + ": only the last one, " + params.back() + ", is kept with a run");
  }
  return params.empty() ? "" : params.back();
}

// "task" for POST /tasks.
std::string noun_of(const std::string& collection) {
  std::string last = collection.substr(collection.rfind('/') + 1);
  if (last.size() > 1 && last.back() == 's') last.pop_back();
  return last.empty() || last.front() == '{' ? "run" : last;
}

// The path prefix the API owns: the mount prefix, else the literal segments every path shares.
std::string owned_prefix(const std::vector<OperationInfo>& operations, const std::string& mount) {
  if (!mount.empty()) return mount + "/";
  std::string common;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    std::string literal = operations[i].path.substr(0, operations[i].path.find('{'));
    literal = literal.substr(0, literal.rfind('/') + 1);
    if (i == 0) common = literal;
    while (!common.empty() && literal.rfind(common, 0) != 0) {
      common = common.size() <= 1 ? "" : common.substr(0, common.rfind('/', common.size() - 2) + 1);
    }
  }
  return common.size() > 1 ? common : "";
}

std::string error_field_of(const SchemaView& view, const Place& run_schema) {
  for (const auto& [name, place] : view.properties(run_schema)) {
    if (kErrorFields.count(name) && view.types(place).count("string")) return name;
  }
  return "";
}

void note_unplayed(const std::vector<OperationInfo>& operations, const RoleChoice& roles, Notes& notes) {
  std::string unplayed;
  for (const auto& op : operations) {
    if (op.id != roles.create && op.id != roles.get && op.id != roles.list && op.id != roles.cancel) unplayed += (unplayed.empty() ? "" : ", ") + op.id;
  }
  if (!unplayed.empty()) notes.cannot("not played (not a run's create, get, list or cancel): " + unplayed);
}

// The statuses the dialect may answer each played operation with, besides its successes.
std::vector<ErrorResponseNeed> error_needs(const DialectInput& in, const ordered_json& dialect, const std::string& mount) {
  // 422: runmock answers a request whose parameters break the contract with a 422 whatever the
  // dialect's bad_request says; 400: an unreadable body.
  const int bad = dialect["errors"]["bad_request"]["status"].get<int>();
  std::vector<int> common{bad, 400, 422};
  if (dialect["auth"]["kind"] != "none") common.push_back(401);
  auto need = [&](const OperationInfo* op, std::vector<int> more) {
    more.insert(more.begin(), common.begin(), common.end());
    return ErrorResponseNeed{mount + op->path, op->method, op->id, more};
  };
  std::vector<ErrorResponseNeed> out{need(in.create, {dialect["errors"]["wrong_content_type"].get<int>(), 500, 503}), need(in.get, {404})};
  if (in.list && in.listing) out.push_back(need(in.list, {}));
  if (in.cancel) out.push_back(need(in.cancel, {404, 409}));
  return out;
}

// The generated document's copy of the declared error response the error body follows (null
// when the body is runmock's own {code, message}), its description saying it was added.
ordered_json error_model(const ordered_json& openapi, const ErrorGuess& guess, const std::string& mount) {
  if (!guess.model_operation) return nullptr;
  auto at = [&openapi](const std::string& pointer) {
    ordered_json::json_pointer p(pointer);
    return openapi.contains(p) ? openapi.at(p) : ordered_json();
  };
  const OperationInfo& op = *guess.model_operation;
  ordered_json model = at("/paths/" + schema::pointer_escape(mount + op.path) + "/" + op.method + "/responses/" + schema::pointer_escape(guess.model_status));
  if (model.contains("$ref") && model["$ref"].is_string() && model["$ref"].get<std::string>().rfind("#/", 0) == 0) {
    model = at(model["$ref"].get<std::string>().substr(1));
  }
  if (!model.is_object()) return nullptr;
  model["description"] = "Added by runmock import-openapi: an error runmock's mock answers with, its body as the document's other errors.";
  return model;
}

const OperationInfo* operation_or_null(const std::vector<OperationInfo>& operations, const std::string& id) {
  return id.empty() ? nullptr : find_operation(operations, id);
}

}  // namespace

ImportPlan plan_import(const ImportOptions& options, Notes& notes) {
  check_api_name(options.api);
  const DocumentSet set = DocumentSet::load(options.file);
  const OpenApiVersion version = openapi_version(set.main());
  const std::string mount = mount_prefix(set.main(), notes);
  const auto operations = list_operations(set.main());
  if (operations.empty()) throw ImportError(set.main().where("/paths") + ": the document has no operations", kExitNoRoles);
  RoleChoice roles = guess_roles(operations, options.roles, notes);
  const SchemaView view(set);
  const OperationInfo& create = *find_operation(operations, roles.create);
  const OperationInfo& get = *find_operation(operations, roles.get);
  const Place run_schema = response_schema(view, get);
  const StateField state = find_state_field(view, run_schema, options.state, notes);
  roles.cancel = guess_cancel(operations, roles, options.roles.cancel, state.pointer.substr(1, state.pointer.find('/', 1) - 1), view, notes);
  const auto get_params = path_parameters(get.path);
  const std::string id_field = run_id_field(view, run_schema, get_params.empty() ? "id" : get_params.back(), notes);
  const LifecycleDraft lifecycle = draft_lifecycle(options.api, state.pointer, "/" + schema::pointer_escape(id_field), state.words, notes);
  if (!roles.cancel.empty() && lifecycle.cancelled.empty()) {
    notes.cannot("cancel: " + roles.cancel + " is not played, the states have none that says cancelled");
    roles.cancel.clear();
  }
  note_unplayed(operations, roles, notes);

  DialectInput in;
  in.api = options.api;
  in.prefix = owned_prefix(operations, mount);
  in.create = &create;
  in.get = &get;
  in.list = operation_or_null(operations, roles.list);
  in.cancel = operation_or_null(operations, roles.cancel);
  in.shape = {run_schema, id_field, state.pointer, request_schema(view, create), parent_parameter(create.path, notes)};
  in.auth = guess_auth(set, create, notes);
  in.noun = noun_of(create.path);
  in.errors = guess_errors(view, {in.create, in.get, in.list, in.cancel}, in.noun, notes);
  if (in.list) in.listing = guess_list(view, *in.list, run_schema, state.words, notes);
  in.cancelled_state = lifecycle.cancelled;

  ImportPlan plan;
  plan.dialect = build_dialect(view, in, notes);
  plan.lifecycle = lifecycle.document;
  plan.scenarios = build_scenarios(options.api, lifecycle, in.cancel != nullptr, error_field_of(view, run_schema), notes);
  plan.contract = build_contract(set, version, options.api, mount, operations);
  add_error_responses(plan.contract.openapi, error_needs(in, plan.dialect, mount), error_model(plan.contract.openapi, in.errors, mount), notes);
  return plan;
}

std::vector<std::string> dialect_comments(const ImportOptions& options, const Notes& notes) {
  std::vector<std::string> comments = {"How runmock plays " + options.api + ", generated by runmock import-openapi from " + options.file.filename().string() + ".",
                     "(docs/dialects.md is the reference of this format.) What it guessed:"};
  for (const auto& line : notes.guessed) comments.push_back("  - " + line);
  if (!notes.missing.empty()) comments.push_back("What it could not guess or play:");
  for (const auto& line : notes.missing) comments.push_back("  - " + line);
  return comments;
}

}  // namespace runmock::import
