// The contract suite against a live server: documented requests, negative cases derived from
// the contract, the lifecycle of real runs (polled to their end), cancel, and tenant isolation.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "loader/api_contract.h"
#include "verify/api_profile.h"
#include "verify/report.h"
#include "verify/target.h"

namespace runmock::verify {

struct VerifyOptions {
  HeaderList headers;           // the credentials (and any other header) of tenant A
  HeaderList tenant_b_headers;  // a second tenant's, applied over tenant A's; empty: isolation skipped
  std::set<std::string> only;   // operations to check; empty: all
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds timeout{60000};  // for each run to reach a terminal state
};

// A documented request (fixtures/<api>/examples/*.json with "direction": "request").
struct RequestFixture {
  std::string file;  // as reported, e.g. fixtures/emergence/examples/x.json
  std::string operation;
  std::string variant;
  std::string content_type;
  std::map<std::string, std::string> path, query, header;
  nlohmann::json body;
};

// The request fixtures of one API, by file name. Throws std::runtime_error on an unreadable file.
std::vector<RequestFixture> load_request_fixtures(const std::filesystem::path& fixtures_dir, const std::string& api);

class Verifier {
 public:
  Verifier(const contracts::ApiContract& contract, const ApiProfile& profile, std::vector<RequestFixture> fixtures, Target& target,
           VerifyOptions options, std::function<void(const Check&)> on_check);

  // Runs every check; throws TargetUnreachable when the target stops answering.
  std::vector<Check> run();

 private:
  // A run verify created: where it lives and what it was seen doing.
  struct Run {
    std::string id;
    std::map<std::string, std::string> path;  // the path parameters that name it
    std::string origin;                       // the fixture whose request created it
    nlohmann::json last;
    std::vector<std::string> states;
    int polls = 0;
    bool ended = false;
    bool confirmed = false;  // polled once more after it ended
    std::vector<Finding> findings;
    SentRequest request;
  };
  // One request and its answer.
  struct Exchange {
    HttpRequest request;
    HttpReply reply;
    SentRequest sent;
  };

  bool selected(const std::string& operation) const;
  void record(Check check);
  const contracts::Operation& operation(const std::string& id) const;

  HttpRequest request_for(const contracts::Operation& op, const std::map<std::string, std::string>& path,
                          const std::map<std::string, std::string>& query, const HeaderList& headers) const;
  HttpRequest fixture_request(const RequestFixture& fixture, const std::map<std::string, std::string>& context) const;
  // The first documented request of `op` (filled from `context`), or a bare one.
  HttpRequest base_request(const contracts::Operation& op, const std::map<std::string, std::string>& context) const;
  Exchange send(const HttpRequest& request);
  std::vector<Finding> contract_findings(const contracts::Operation& op, const HttpRequest& request, const HttpReply& reply) const;
  // A refusal: `status` (0: any 4xx) with a body in the contract's error shape; `why` says why.
  std::vector<Finding> expect_refusal(const contracts::Operation& op, const HttpRequest& request, const HttpReply& reply, int status,
                                      const std::string& why) const;
  // A documented request answered with a 4xx in the contract's shape is skipped with `reason`
  // (or a generic one): the target lacks the data it names. Anything else fails.
  void judge_refused_documented(Check& check, int status, const std::string& reason) const;
  std::string state_of(const nlohmann::json& run) const;

  void check_operations_not_exercised();
  void check_documented_creates();
  void follow(std::vector<Run*> runs);
  void check_lifecycles();
  void check_documented_reads();
  void check_cancel();
  void check_negatives();
  void check_isolation();

  const contracts::ApiContract& contract_;
  const ApiProfile& profile_;
  std::vector<RequestFixture> fixtures_;
  Target& target_;
  VerifyOptions options_;
  std::function<void(const Check&)> on_check_;
  std::vector<Check> checks_;
  std::vector<Run> runs_;
  // Documented creates the target refused: judged once the runs show the target's variants.
  struct RefusedCreate {
    const RequestFixture* fixture;
    int status;
    Check check;
  };
  std::vector<RefusedCreate> refused_creates_;
  // The documented creates the target accepted, with the requests sent (fresh runs repeat one).
  std::vector<std::pair<const RequestFixture*, HttpRequest>> accepted_creates_;
};

}  // namespace runmock::verify
