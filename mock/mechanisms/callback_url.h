// Callback URLs a client hands the server (pennsieve's completionCallbackUrl): which ones are
// accepted, and their parts, for the webhook that is later delivered to them.
//
// Configuration: the acceptance policy.
//   lambda_or_loopback  (default) a Lambda Function URL, or http://<loopback host>:<port>/...
//   lambda              a Lambda Function URL only, as the real service
//   any                 any http or https URL
// A Lambda Function URL is https://<32 [a-z0-9]>.lambda-url.<region>.on.aws[/path][?query]; its
// region is the one its webhooks are signed for. Loopback hosts: localhost, [::1] and 127.*.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace runmock::mechanisms {

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written; an IPv6 literal keeps its brackets
  std::string port;    // "" when the URL has none
  std::string path;    // path and query, at least "/"; no fragment
};

// http or https "://", a host (a bracketed IPv6 literal, or text without '/', ':', '?', '#'), an
// optional port of 1 to 5 digits, an optional path or query starting with '/' or '?', and no
// fragment; nullopt for anything else. Nothing is decoded or checked further.
std::optional<ParsedUrl> parse_url(const std::string& url);

// The region of a Lambda Function URL ("us-east-1"); nullopt when `url` is not one.
std::optional<std::string> lambda_region(const std::string& url);

// localhost, [::1] or any 127.x host (by its text: no name is resolved).
bool is_loopback_host(const std::string& host);

enum class CallbackPolicy { lambda_or_loopback, lambda, any };

// "lambda-or-loopback", "lambda", "any" (the values of serve's --callback-policy); nullopt otherwise.
std::optional<CallbackPolicy> parse_callback_policy(std::string_view text);

// Whether a callback to `url` is accepted under `policy`. A loopback URL needs scheme http and an
// explicit port.
bool accepted(const std::string& url, CallbackPolicy policy);

// What a refused URL should have been, for the 400: "must be a Lambda Function URL (...)" and,
// unless the policy is lambda, " or a loopback URL (...)".
std::string acceptance_rule(CallbackPolicy policy);

}  // namespace runmock::mechanisms
