#include "dialect/error_shape.h"

namespace runmock::dialect {

using nlohmann::json;

namespace {

std::vector<std::string> tokens_of(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t start = pointer.empty() ? std::string::npos : 1;
  while (start != std::string::npos && start <= pointer.size()) {
    std::size_t end = pointer.find('/', start);
    std::string token = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    tokens.push_back(std::move(token));
    start = end == std::string::npos ? std::string::npos : end + 1;
  }
  return tokens;
}

bool is_index(const std::string& token) { return !token.empty() && token.find_first_not_of("0123456789") == std::string::npos; }

json details_of(const ErrorsSpec& errors, const http::ErrorInfo& info) {
  if (errors.details != ErrorsSpec::Details::field_list || info.violations.empty()) return info.details;
  json list = json::array();
  for (const auto& v : info.violations) list.push_back(field_error(v));
  return list;
}

json render(const json& node, const ErrorsSpec& errors, const http::ErrorInfo& info) {
  if (node.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : node.items()) out[key] = render(value, errors, info);
    return out;
  }
  if (!node.is_string()) return node;
  const std::string& text = node.get_ref<const std::string&>();
  if (text == "$status") return info.status;
  if (text == "$code") return info.code;
  if (text == "$message") return info.message;
  if (text == "$details") return details_of(errors, info);
  if (text == "$request_id") return info.request_id;
  return fill(text, {{"status", std::to_string(info.status)}, {"code", info.code}, {"message", info.message}, {"request_id", info.request_id}});
}

std::string describe(const http::Violation& v) {
  std::string where = v.in;
  if (!v.instance_location.empty()) where += " " + v.instance_location;
  return where + ": " + v.message;
}

std::string joined_message(const ErrorsSpec& errors, const std::vector<http::Violation>& violations) {
  std::string message;
  bool one_of_reported = false;
  for (const auto& v : violations) {
    std::string key = v.instance_location.empty() ? "" : dotted(v.instance_location);
    std::string text = v.message;
    bool in_one_of = v.schema_location.find("oneOf") != std::string::npos;
    if (errors.one_of && v.in == "body" && key.empty() && in_one_of) {
      if (one_of_reported) continue;
      one_of_reported = true;
      key = errors.one_of->first;
      text = errors.one_of->second;
    } else if (v.schema_location.size() >= 20 && v.schema_location.ends_with("additionalProperties")) {
      text = "unknown field";
    } else if (in_one_of && one_of_reported) {
      continue;
    }
    if (key.empty()) key = v.in.empty() ? "body" : v.in;
    message += (message.empty() ? "" : "; ") + key + ": " + text;
  }
  return message;
}

}  // namespace

std::string dotted(const std::string& pointer) {
  std::string out;
  for (const auto& token : tokens_of(pointer)) {
    if (is_index(token) && !out.empty()) out += "[" + token + "]";
    else out += (out.empty() ? "" : ".") + token;
  }
  return out;
}

json field_error(const http::Violation& v) {
  json loc = json::array({v.in.empty() ? std::string("body") : v.in});
  std::string field;
  for (const auto& token : tokens_of(v.instance_location)) {
    if (is_index(token)) {
      loc.push_back(std::stoll(token));
      field += "[" + token + "]";
    } else {
      loc.push_back(token);
      field += (field.empty() ? "" : ".") + token;
    }
  }
  std::string type = "invalid";
  if (auto slash = v.schema_location.rfind('/'); slash != std::string::npos) type = v.schema_location.substr(slash + 1);
  // A parameter the workflow type does not take is written {"not": {}} in the contract.
  if (type == "not") type = "not_allowed";
  return {{"loc", loc}, {"field", field.empty() ? loc[0].get<std::string>() : field}, {"message", v.message}, {"type", type}};
}

json error_body(const ErrorsSpec& errors, const http::ErrorInfo& info) { return render(errors.body, errors, info); }

http::Response bad_request(http::RequestContext& ctx, const ErrorsSpec& errors, const std::vector<http::Violation>& violations) {
  switch (errors.details) {
    case ErrorsSpec::Details::field_list: return ctx.validation_error(violations);
    case ErrorsSpec::Details::first_and_count: {
      std::string first = describe(violations.front());
      std::string more = std::to_string(violations.size() - 1);
      const std::string& text = violations.size() > 1 || errors.bad_request_one.empty() ? errors.bad_request.message : errors.bad_request_one;
      return ctx.error(errors.bad_request.status, errors.bad_request.code, fill(text, {{"first", first}, {"more", more}}));
    }
    case ErrorsSpec::Details::joined: return ctx.error(errors.bad_request.status, errors.bad_request.code, joined_message(errors, violations));
  }
  return ctx.validation_error(violations);
}

}  // namespace runmock::dialect
