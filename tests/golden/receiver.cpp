#include "golden/receiver.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <optional>

namespace runmock::golden {
namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return hex(digest, sizeof digest);
}

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string trim(const std::string& text) {
  std::size_t first = text.find_first_not_of(' ');
  std::size_t last = text.find_last_not_of(' ');
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

struct Authorization {
  std::string credential, signed_headers, signature;
};

std::optional<Authorization> parse_authorization(const std::string& value) {
  const std::string scheme = "AWS4-HMAC-SHA256 ";
  if (value.rfind(scheme, 0) != 0) return std::nullopt;
  Authorization out;
  for (const auto& part : split(value.substr(scheme.size()), ',')) {
    std::string item = trim(part);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) return std::nullopt;
    std::string key = item.substr(0, eq), text = item.substr(eq + 1);
    if (key == "Credential") out.credential = text;
    if (key == "SignedHeaders") out.signed_headers = text;
    if (key == "Signature") out.signature = text;
  }
  if (out.credential.empty() || out.signed_headers.empty() || out.signature.empty()) return std::nullopt;
  return out;
}

std::string header(const httplib::Headers& headers, const std::string& name) {
  auto found = headers.find(name);
  return found == headers.end() ? "" : found->second;
}

// AWS's canonical request: method, path, query, the signed headers, their names, the payload hash.
std::string canonical_request(const std::string& method, const std::string& target, const httplib::Headers& headers, const Authorization& auth) {
  std::size_t q = target.find('?');
  std::string out = method + "\n" + target.substr(0, q) + "\n" + (q == std::string::npos ? "" : target.substr(q + 1)) + "\n";
  for (const auto& name : split(auth.signed_headers, ';')) out += name + ":" + trim(header(headers, name)) + "\n";
  return out + "\n" + auth.signed_headers + "\n" + header(headers, "x-amz-content-sha256");
}

std::string expected_signature(const std::string& canonical, const std::string& amz_date, const std::vector<std::string>& credential,
                               const std::string& secret) {
  std::string scope = credential[1] + "/" + credential[2] + "/" + credential[3] + "/" + credential[4];
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(canonical);
  std::string key = hmac(hmac(hmac(hmac("AWS4" + secret, credential[1]), credential[2]), credential[3]), credential[4]);
  std::string signature = hmac(key, to_sign);
  return hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

}  // namespace

std::string check_sigv4(const std::string& method, const std::string& path, const httplib::Headers& headers, const std::string& body,
                        const std::string& secret_access_key) {
  auto auth = parse_authorization(header(headers, "Authorization"));
  if (!auth) return "not an AWS4-HMAC-SHA256 authorization";
  std::vector<std::string> credential = split(auth->credential, '/');
  if (credential.size() != 5 || credential[4] != "aws4_request") return "malformed Credential '" + auth->credential + "'";
  if (header(headers, "x-amz-content-sha256") != sha256_hex(body)) return "x-amz-content-sha256 is not the SHA-256 of the body";
  std::string expected = expected_signature(canonical_request(method, path, headers, *auth), header(headers, "x-amz-date"), credential, secret_access_key);
  // Not the two signatures: they depend on the receiver's port (the Host header is signed).
  return expected == auth->signature ? "verified" : "does not verify";
}

WebhookReceiver::WebhookReceiver(std::vector<int> statuses, AwsCredentials credentials)
    : statuses_(std::move(statuses)), credentials_(std::move(credentials)) {
  server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { record(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

WebhookReceiver::~WebhookReceiver() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void WebhookReceiver::record(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  WebhookCall call{req.method, req.target, {}, req.body, 0};
  for (const char* name : {"content-type", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}) {
    if (req.has_header(name)) call.headers.emplace_back(name, req.get_header_value(name));
  }
  std::string authorization = req.get_header_value("Authorization");
  std::size_t signature = authorization.find("Signature=");
  if (signature != std::string::npos) {
    authorization = authorization.substr(0, signature) + "Signature=<" + check_sigv4(req.method, req.target, req.headers, req.body, credentials_.secret_access_key) + ">";
  }
  call.headers.emplace_back("authorization", authorization);
  call.answered = statuses_[std::min(calls_.size(), statuses_.size() - 1)];
  res.status = call.answered;
  calls_.push_back(std::move(call));
}

std::size_t WebhookReceiver::calls() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

WebhookCall WebhookReceiver::call(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return calls_.at(index);
}

std::string WebhookReceiver::describe(const WebhookCall& call) {
  HttpRequest request{call.method, call.target, call.headers, call.body};
  return format_request(request) + "< " + std::to_string(call.answered) + " (the receiver's answer)\n";
}

}  // namespace runmock::golden
