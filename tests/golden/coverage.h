// The operations of each API, read from its OpenAPI document, and how many exchanges of the
// golden script reached each: the script names a fixture's operation by its operationId, and the
// transcript labels every exchange with the operation its method and path match.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace runmock::golden {

struct Operation {
  std::string api;
  std::string method;
  std::string path;  // the template, e.g. /compute/workflows/runs/{runId} (a webhook: "webhook <name>")
  std::string id;    // the operationId
  bool webhook;      // a call runmock makes (OpenAPI `webhooks`), counted by the receiver
};

struct ApiInfo {
  std::string name;
  std::filesystem::path contract;  // its openapi.yaml
  std::string prefix;              // the paths it owns (for requests no operation matches)
};

class Operations {
 public:
  Operations(const std::filesystem::path& source_dir, const std::vector<ApiInfo>& apis);
  // The operation a request reaches, or nullptr.
  const Operation* match(const std::string& method, const std::string& target) const;
  const Operation* find(const std::string& api, const std::string& id) const;
  // "<api> <operationId>", or "<api> (no operation)" for a path of the API no operation matches.
  std::string label(const std::string& method, const std::string& target) const;
  const std::vector<Operation>& all() const { return operations_; }
  const std::vector<ApiInfo>& apis() const { return apis_; }

 private:
  std::vector<ApiInfo> apis_;
  std::vector<Operation> operations_;
};

class Coverage {
 public:
  void count(const std::string& label) { ++counts_[label]; }
  // The coverage section of the transcript: exchanges in all, per API, per operation (zeros too).
  std::string report(const Operations& operations) const;
  // The operations (the admin API's too, and webhooks) that no exchange reached.
  std::vector<std::string> missing(const Operations& operations) const;

 private:
  std::map<std::string, int> counts_;
};

}  // namespace runmock::golden
