#include "verify/target.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <thread>

namespace runmock::verify {
namespace {

constexpr int kRateLimitRetries = 5;

}  // namespace

Target::Target(const std::string& base_url, std::chrono::seconds request_timeout) {
  static const std::regex url_pattern(R"(^(https?://[^/?#\s]+)(/[^?#\s]*)?$)");
  std::smatch match;
  if (!std::regex_match(base_url, match, url_pattern)) {
    throw std::invalid_argument("--target '" + base_url + "' is not an http(s)://HOST[:PORT][/PATH] URL");
  }
  base_url_ = match[1].str();
  base_path_ = match[2].str();
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
  client_ = std::make_unique<httplib::Client>(base_url_);
  if (!client_->is_valid()) throw std::invalid_argument("--target '" + base_url + "' is not a usable URL");
  client_->set_connection_timeout(request_timeout);
  client_->set_read_timeout(request_timeout);
  client_->set_write_timeout(request_timeout);
}

Target::~Target() = default;

std::string Target::path_and_query(const HttpRequest& request) const {
  std::string path = base_path_ + request.path;
  char separator = '?';
  for (const auto& [name, value] : request.query) {
    path += separator + percent_encode(name) + "=" + percent_encode(value);
    separator = '&';
  }
  return path;
}

std::string Target::url(const HttpRequest& request) const { return base_url_ + path_and_query(request); }

HttpReply Target::send(const HttpRequest& request) {
  httplib::Request wire;
  wire.method = request.method;
  wire.path = path_and_query(request);
  for (const auto& [name, value] : request.headers) wire.headers.emplace(name, value);
  if (!request.content_type.empty()) {
    wire.headers.emplace("Content-Type", request.content_type);
    wire.body = request.body;
  }
  for (int attempt = 0;; ++attempt) {
    httplib::Result result = client_->send(wire);
    if (!result) {
      throw TargetUnreachable("no answer from " + base_url_ + " to " + request.method + " " + wire.path + ": " + httplib::to_string(result.error()));
    }
    if (result->status == 429 && attempt < kRateLimitRetries) {
      int wait_seconds = 1;
      if (result->has_header("Retry-After")) wait_seconds = std::clamp(std::atoi(result->get_header_value("Retry-After").c_str()), 0, 1);
      std::this_thread::sleep_for(std::chrono::seconds(wait_seconds));
      continue;
    }
    HttpReply reply;
    reply.status = result->status;
    reply.content_type = result->get_header_value("Content-Type");
    reply.body = result->body;
    reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    return reply;
  }
}

bool same_header_name(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

HeaderList without_header(HeaderList headers, const std::string& name) {
  std::erase_if(headers, [&](const auto& header) { return same_header_name(header.first, name); });
  return headers;
}

HeaderList merge_headers(HeaderList headers, const HeaderList& overrides) {
  for (const auto& [name, value] : overrides) headers = without_header(std::move(headers), name);
  headers.insert(headers.end(), overrides.begin(), overrides.end());
  return headers;
}

}  // namespace runmock::verify
