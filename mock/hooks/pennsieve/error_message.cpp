#include "hooks/pennsieve/error_message.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;

void add_error_message(json& out, const dialect::Scope& scope) {
  if (!scope.run || scope.run->state() != "FAILED") return;
  const json& fields = scope.run->fields();
  if (fields.contains("errorMessage") && fields["errorMessage"].is_string()) {
    out["errorMessage"] = fields["errorMessage"];
    return;
  }
  for (const auto& node : out.value("dag", json::array())) {
    if (node.value("status", "") == "FAILED") {
      out["errorMessage"] = node.value("id", "") + ": " + node.value("errorMessage", "failed");
      return;
    }
  }
  out["errorMessage"] = "the workflow run failed";
}

}  // namespace runmock::hooks::pennsieve
