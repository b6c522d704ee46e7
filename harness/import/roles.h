// Which operations of the document create, read, list and cancel a run. What the user named
// (--create, --get, --list, --cancel) is checked (an operationId the document lacks is exit 2);
// the rest is guessed from methods and paths:
//   create: a POST on a collection (`/tasks`) whose items (`/tasks/{id}`) can be read;
//   get:    the GET on the create's items; list: the GET on the create's collection;
//   cancel: a POST on the item's `/cancel`, `/stop`, `/abort`, `/terminate` (or `{id}:cancel`),
//           else a PATCH of the item whose body sets the state field.
// No create or no get is exit 1. Operations without an operationId get one made from the method
// and the path (`post_tasks`), which the generated contract carries.
#pragma once

#include <string>
#include <vector>

#include "import/notes.h"
#include "import/schema_view.h"

namespace runmock::import {

struct OperationInfo {
  std::string id;
  bool named = true;    // the document gave the operationId
  std::string method;   // lower case
  std::string path;     // as written under paths:, without the mount prefix
  std::string pointer;  // of the operation object
};

struct RoleChoice {
  std::string create, get, list, cancel;  // operationIds; empty: none
};

std::vector<OperationInfo> list_operations(const SourceDocument& doc);
const OperationInfo* find_operation(const std::vector<OperationInfo>& operations, const std::string& id);

// create, get and list (cancel waits for the state field). Throws ImportError.
RoleChoice guess_roles(const std::vector<OperationInfo>& operations, const RoleChoice& given, Notes& notes);

// The cancel operation: the one given, else a guess (see above); empty when there is none.
std::string guess_cancel(const std::vector<OperationInfo>& operations, const RoleChoice& roles, const std::string& given,
                         const std::string& state_property, const SchemaView& view, Notes& notes);

// The JSON request body schema of an operation, and the schema of its first 2xx JSON response
// (empty places when it has none).
Place request_schema(const SchemaView& view, const OperationInfo& operation);
Place response_schema(const SchemaView& view, const OperationInfo& operation);

}  // namespace runmock::import
