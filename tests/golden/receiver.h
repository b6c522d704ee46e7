// The pennsieve completion webhook's other end: an HTTP receiver on 127.0.0.1 (a free port) in
// the test process that answers each call with the next status of a list (the last one repeats)
// and keeps what it received. The SigV4 signature depends on the receiver's port (the Host header
// is signed), so the transcript shows whether it verifies instead of its bytes.
#pragma once

#include <httplib.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "golden/exchange.h"

namespace runmock::golden {

struct WebhookCall {
  std::string method;
  std::string target;  // the path and the query, as sent
  // content-type, x-amz-date, x-amz-content-sha256, x-amz-security-token, authorization (its
  // Signature replaced by the outcome of checking it)
  HeaderList headers;
  std::string body;
  int answered = 0;
};

struct AwsCredentials {
  std::string secret_access_key;
};

class WebhookReceiver {
 public:
  WebhookReceiver(std::vector<int> statuses, AwsCredentials credentials);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::size_t calls() const;
  WebhookCall call(std::size_t index) const;
  // A call as a transcript block body: `> ` lines for the request, `< ` for the receiver's answer.
  static std::string describe(const WebhookCall& call);

 private:
  void record(const httplib::Request& req, httplib::Response& res);
  std::vector<int> statuses_;
  AwsCredentials credentials_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<WebhookCall> calls_;
};

// Checks an `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header of a request
// against its method, path, headers and body: "verified", or what is wrong.
std::string check_sigv4(const std::string& method, const std::string& path, const httplib::Headers& headers, const std::string& body,
                        const std::string& secret_access_key);

}  // namespace runmock::golden
