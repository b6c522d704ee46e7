#include "verify/api_profile.h"

#include <algorithm>
#include <cctype>

namespace runmock::verify {
namespace {

// A JWT's three parts must be base64url JSON; this one's are not.
constexpr const char* kMalformedJwt = "Bearer not-a-jwt.%%%.token";
// An opaque token API refuses only a credential that is not a Bearer token.
constexpr const char* kNotBearer = "Token not-a-bearer-credential";

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Where a cancel of a fresh run ends: the terminal state whose word says cancel (else stop).
std::string cancelled_state(const contracts::Lifecycle& lifecycle) {
  for (const char* word : {"cancel", "stop"}) {
    for (const auto& [state, info] : lifecycle.states()) {
      if (info.terminal && lower(state).find(word) != std::string::npos) return state;
    }
  }
  return "";
}

std::string last_parameter(const std::string& path) {
  auto open = path.rfind('{');
  auto close = path.rfind('}');
  return open == std::string::npos || close == std::string::npos || close < open ? "" : path.substr(open + 1, close - open - 1);
}

}  // namespace

ApiProfile profile_of(const dialect::DialectSpec& spec, const contracts::ApiContract& contract) {
  const dialect::Roles& roles = spec.roles;
  ApiProfile p;
  p.api = spec.api;
  p.create_operation = roles.create;
  p.get_operation = roles.get;
  p.list_operation = roles.list;
  p.cancel_operation = roles.cancel;
  if (!roles.status.empty()) p.other_run_reads.push_back(roles.status);
  p.run_id_pointer = spec.representations.field_of(spec.create.representation, "$id");
  if (const contracts::Operation* get = contract.find(roles.get)) p.run_id_parameter = last_parameter(get->path);
  if (auto it = spec.lists.find(roles.list); it != spec.lists.end()) p.list_items_pointer = "/" + it->second.items;
  p.cancelled_state = cancelled_state(contract.lifecycle());
  if (!spec.configurations.variant.empty()) p.variant_pointer = "/" + spec.configurations.variant;
  p.malformed_authorization = spec.auth.kind == dialect::AuthSpec::Kind::jwt ? kMalformedJwt : kNotBearer;
  for (const auto& m : spec.tenancy.match_headers) p.identity_headers.push_back(m.header);
  if (!spec.tenancy.header.empty()) p.identity_headers.push_back(spec.tenancy.header);
  if (!roles.events.empty()) p.not_exercised[roles.events] = "an event stream; verify follows runs by polling " + roles.get;
  if (!roles.webhook.empty()) p.not_exercised[roles.webhook] = "a webhook the server sends, not a route it serves";
  return p;
}

}  // namespace runmock::verify
