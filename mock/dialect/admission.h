// Who is asking, and may they: the first steps of every request a dialect answers, in order —
// the credential (auth:), the tenant (tenancy:), headers that must agree with the token
// (tenancy.match_headers), the rate limit (mechanisms.rate_limit) and the API version
// (version_parameter:). Each refusal is the dialect's own (status, code, message), journaled as a
// request violation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "dialect/spec.h"
#include "engine/clock.h"
#include "http/context.h"
#include "http/jwt.h"
#include "mechanisms/rate_limit.h"
#include "mechanisms/token_cache.h"

namespace runmock::dialect {

struct Caller {
  std::string tenant;
  nlohmann::json claims;  // the token's claims (jwt), else null
};

class Admission {
 public:
  // `rate_limit`: requests per second per tenant (0 or less: none).
  Admission(const DialectSpec& spec, const contracts::ApiContract& contract, http::jwt::Verifier verifier, const engine::Clock& clock, int rate_limit);

  // Admits the request to `operation`; `version_in_body`: the create may carry the version in its
  // body, checked later (check_body_version).
  std::variant<Caller, http::Response> admit(http::RequestContext& ctx, const std::string& operation, bool version_in_body) const;
  // A create's version once its body is read: the refusal when neither header, query nor body has it.
  std::optional<http::Response> check_body_version(http::RequestContext& ctx, const nlohmann::json& body) const;

  // The Authorization value the request carries, or "Bearer <access_token>" on the routes that take
  // one as a query parameter.
  std::string authorization(const http::RequestContext& ctx, const std::string& operation) const;

 private:
  std::variant<nlohmann::json, http::Response> authenticate(http::RequestContext& ctx, const std::string& operation) const;
  std::variant<Caller, http::Response> tenant_of(http::RequestContext& ctx, nlohmann::json claims) const;
  std::optional<http::Response> check_version(http::RequestContext& ctx, bool version_in_body) const;
  std::int64_t now_seconds() const;

  const DialectSpec& spec_;
  const contracts::ApiContract& contract_;
  http::jwt::Verifier verifier_;
  const engine::Clock& clock_;
  mutable mechanisms::TokenCache tokens_;
  std::unique_ptr<mechanisms::RateLimiter> limiter_;
};

// The answer to a refusal, `values` filling its message; journaled as a violation at `in` (the
// refusal's own `in` wins).
http::Response refuse_with(http::RequestContext& ctx, const Refusal& refusal, const std::map<std::string, std::string>& values, const std::string& in);
// The same, as an error (not a request violation: not found, conflict ...).
http::Response error_with(http::RequestContext& ctx, const Refusal& refusal, const std::map<std::string, std::string>& values);

}  // namespace runmock::dialect
