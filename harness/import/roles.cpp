// Guessing the roles of operations from methods and paths (see roles.h).
#include "import/roles.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "import/import_error.h"

namespace runmock::import {
namespace {

using nlohmann::json;

constexpr std::array kMethods{"get", "put", "post", "delete", "patch", "head", "options"};
constexpr std::array kCancelWords{"cancel", "stop", "abort", "terminate", "kill"};

std::string last_segment(const std::string& path) { return path.substr(path.rfind('/') + 1); }
std::string parent_path(const std::string& path) { return path.substr(0, path.rfind('/')); }

bool is_parameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}' && segment.find('}') == segment.size() - 1;
}

// "/tasks/{id}" is an item of "/tasks".
bool is_item_of(const std::string& item, const std::string& collection) {
  return parent_path(item) == collection && is_parameter(last_segment(item));
}

std::string made_up_id(const std::string& method, const std::string& path) {
  std::string id = method;
  for (char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c))) id.push_back(c);
    else if (id.back() != '_') id.push_back('_');
  }
  while (id.back() == '_') id.pop_back();
  return id;
}

std::string describe(const OperationInfo& op) {
  std::string method = op.method;
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return op.id + " (" + method + " " + op.path;
}

std::string known_ids(const std::vector<OperationInfo>& operations) {
  std::string out;
  for (const auto& op : operations) out += (out.empty() ? "" : ", ") + op.id;
  return out.empty() ? "none" : out;
}

const OperationInfo* check_given(const std::vector<OperationInfo>& operations, const std::string& role, const std::string& id) {
  if (id.empty()) return nullptr;
  const OperationInfo* op = find_operation(operations, id);
  if (!op) throw ImportError("--" + role + " " + id + ": the document has no operation '" + id + "' (its operations: " + known_ids(operations) + ")");
  return op;
}

const OperationInfo* find_by(const std::vector<OperationInfo>& operations, const std::string& method, const std::string& path) {
  for (const auto& op : operations) {
    if (op.method == method && op.path == path) return &op;
  }
  return nullptr;
}

const OperationInfo* item_get(const std::vector<OperationInfo>& operations, const std::string& collection) {
  for (const auto& op : operations) {
    if (op.method == "get" && is_item_of(op.path, collection)) return &op;
  }
  return nullptr;
}

// POSTs on a collection whose items can be read, in document order.
std::vector<const OperationInfo*> create_candidates(const std::vector<OperationInfo>& operations) {
  std::vector<const OperationInfo*> out;
  for (const auto& op : operations) {
    if (op.method == "post" && !is_parameter(last_segment(op.path)) && item_get(operations, op.path)) out.push_back(&op);
  }
  return out;
}

const OperationInfo* guess_create(const std::vector<OperationInfo>& operations, const OperationInfo* get, Notes& notes) {
  if (get) {
    const OperationInfo* create = find_by(operations, "post", parent_path(get->path));
    if (create) notes.guess("create: " + describe(*create) + ", the POST on the collection of the get)");
    return create;
  }
  auto candidates = create_candidates(operations);
  if (candidates.empty()) return nullptr;
  std::string others;
  for (std::size_t i = 1; i < candidates.size(); ++i) others += (others.empty() ? "; not " : ", ") + candidates[i]->id;
  notes.guess("create: " + describe(*candidates.front()) + ", a POST on a collection whose items can be read" + others + ")");
  return candidates.front();
}

// "/tasks/{id}/cancel" or "/tasks/{id}:cancel" for the item "/tasks/{id}".
bool is_cancel_path(const std::string& path, const std::string& item) {
  for (const char* word : kCancelWords) {
    if (path == item + "/" + word || path == item + ":" + word) return true;
  }
  return false;
}

bool patch_sets_state(const SchemaView& view, const OperationInfo& op, const std::string& state_property) {
  if (state_property.empty()) return false;
  Place body = request_schema(view, op);
  return body.valid() && view.properties(body).count(state_property) > 0;
}

Place json_content_schema(const SchemaView& view, const Place& holder) {
  Place at = view.set().follow(holder);
  const json& content = member(at.value(), "content");
  if (!content.is_object()) return {};
  for (const auto& [media, entry] : content.items()) {
    if ((media == "application/json" || media.find("+json") != std::string::npos) && entry.is_object() && entry.contains("schema")) {
      return at.child("content").child(media).child("schema");
    }
  }
  return {};
}

}  // namespace

std::vector<OperationInfo> list_operations(const SourceDocument& doc) {
  std::vector<OperationInfo> out;
  const json& paths = member(doc.root(), "paths");
  if (!paths.is_object()) return out;
  for (const auto& [path, item] : paths.items()) {
    if (!item.is_object()) continue;
    for (const char* method : kMethods) {
      if (!item.contains(method) || !item[method].is_object()) continue;
      OperationInfo op;
      op.method = method;
      op.path = path;
      op.pointer = child_pointer(child_pointer("/paths", path), method);
      const json& id = member(item[method], "operationId");
      op.named = id.is_string() && !id.get<std::string>().empty();
      op.id = op.named ? id.get<std::string>() : made_up_id(method, path);
      out.push_back(std::move(op));
    }
  }
  return out;
}

const OperationInfo* find_operation(const std::vector<OperationInfo>& operations, const std::string& id) {
  for (const auto& op : operations) {
    if (op.id == id) return &op;
  }
  return nullptr;
}

RoleChoice guess_roles(const std::vector<OperationInfo>& operations, const RoleChoice& given, Notes& notes) {
  const OperationInfo* create = check_given(operations, "create", given.create);
  const OperationInfo* get = check_given(operations, "get", given.get);
  const OperationInfo* list = check_given(operations, "list", given.list);
  check_given(operations, "cancel", given.cancel);
  if (!create) create = guess_create(operations, get, notes);
  if (!create) throw ImportError("no create operation found (no POST on a collection whose items can be read): name it with --create OPID", kExitNoRoles);
  if (!get) {
    get = item_get(operations, create->path);
    if (!get) throw ImportError("no get operation found (no GET on the items of " + create->path + "): name it with --get OPID", kExitNoRoles);
    notes.guess("get: " + describe(*get) + ", the GET on the create's items)");
  }
  if (!list && (list = find_by(operations, "get", create->path))) notes.guess("list: " + describe(*list) + ", the GET on the create's collection)");
  if (!list) notes.cannot("list: no GET on " + create->path + " (no listing is played)");
  return {create->id, get->id, list ? list->id : "", given.cancel};
}

std::string guess_cancel(const std::vector<OperationInfo>& operations, const RoleChoice& roles, const std::string& given,
                         const std::string& state_property, const SchemaView& view, Notes& notes) {
  if (!given.empty()) return given;
  const OperationInfo* get = find_operation(operations, roles.get);
  for (const auto& op : operations) {
    if (op.method == "post" && is_cancel_path(op.path, get->path)) {
      notes.guess("cancel: " + describe(op) + ", a POST of a cancel word on the run)");
      return op.id;
    }
  }
  for (const auto& op : operations) {
    if (op.method == "patch" && op.path == get->path && patch_sets_state(view, op, state_property)) {
      notes.guess("cancel: " + describe(op) + ", a PATCH that sets " + state_property + ")");
      return op.id;
    }
  }
  notes.cannot("cancel: no POST " + get->path + "/cancel|stop (or :cancel), no PATCH of the state field: runs cannot be cancelled");
  return "";
}

Place request_schema(const SchemaView& view, const OperationInfo& operation) {
  Place op{&view.set().main(), operation.pointer};
  if (!op.value().contains("requestBody")) return {};
  return json_content_schema(view, op.child("requestBody"));
}

Place response_schema(const SchemaView& view, const OperationInfo& operation) {
  Place op{&view.set().main(), operation.pointer};
  const json& responses = member(op.value(), "responses");
  if (!responses.is_object()) return {};
  for (const auto& [status, response] : responses.items()) {
    if (status.size() == 3 && status[0] == '2') {
      if (Place schema = json_content_schema(view, op.child("responses").child(status)); schema.valid()) return schema;
    }
  }
  return {};
}

}  // namespace runmock::import
