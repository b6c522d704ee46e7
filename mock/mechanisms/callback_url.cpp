#include "mechanisms/callback_url.h"

#include <re2/re2.h>

namespace runmock::mechanisms {
namespace {

// Latin-1: the patterns match bytes, as std::regex did before, so a URL that is not UTF-8 is
// judged like any other.
RE2::Options byte_options() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  return options;
}

const RE2& url_pattern() {
  static const RE2 pattern(R"(^(https?)://(\[[^\]]+\]|[^/:?#]+)(?::([0-9]{1,5}))?([/?][^#]*)?$)", byte_options());
  return pattern;
}

const RE2& lambda_url_pattern() {
  static const RE2 pattern(R"(^https://[a-z0-9]{32}\.lambda-url\.([a-z]{2}(?:-gov)?-[a-z]+-[0-9])\.on\.aws(?:/[^?#]*)?(?:[?][^#]*)?$)",
                           byte_options());
  return pattern;
}

bool is_loopback_url(const std::optional<ParsedUrl>& parsed) {
  return parsed && parsed->scheme == "http" && !parsed->port.empty() && is_loopback_host(parsed->host);
}

}  // namespace

std::optional<ParsedUrl> parse_url(const std::string& url) {
  ParsedUrl parts;
  if (!RE2::FullMatch(url, url_pattern(), &parts.scheme, &parts.host, &parts.port, &parts.path)) return std::nullopt;
  if (parts.path.empty() || parts.path[0] == '?') parts.path = "/" + parts.path;
  return parts;
}

std::optional<std::string> lambda_region(const std::string& url) {
  std::string region;
  if (!RE2::FullMatch(url, lambda_url_pattern(), &region)) return std::nullopt;
  return region;
}

bool is_loopback_host(const std::string& host) { return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0; }

std::optional<CallbackPolicy> parse_callback_policy(std::string_view text) {
  if (text == "lambda-or-loopback") return CallbackPolicy::lambda_or_loopback;
  if (text == "lambda") return CallbackPolicy::lambda;
  if (text == "any") return CallbackPolicy::any;
  return std::nullopt;
}

bool accepted(const std::string& url, CallbackPolicy policy) {
  switch (policy) {
    case CallbackPolicy::any:
      return parse_url(url).has_value();
    case CallbackPolicy::lambda:
      return lambda_region(url).has_value();
    case CallbackPolicy::lambda_or_loopback:
      return lambda_region(url).has_value() || is_loopback_url(parse_url(url));
  }
  return false;
}

std::string acceptance_rule(CallbackPolicy policy) {
  std::string rule = "must be a Lambda Function URL (https://<url-id>.lambda-url.<region>.on.aws/...)";
  if (policy != CallbackPolicy::lambda) rule += " or a loopback URL (http://127.0.0.1:<port>/...)";
  return rule;
}

}  // namespace runmock::mechanisms
