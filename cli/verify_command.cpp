#include "verify_command.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "loader/api_contract.h"
#include "registry/registry.h"
#include "verify/verifier.h"

namespace runmock::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kAllPassed = 0;
constexpr int kSomeFailed = 1;
constexpr int kUsageError = 2;

struct VerifyCommandOptions {
  std::string target;
  std::string api;
  std::vector<std::string> api_dirs;
  std::vector<std::string> headers;
  std::vector<std::string> tenant_b_headers;
  std::vector<std::string> only;
  double poll_interval = 0.5;
  double timeout = 60;
  std::string junit;
  bool json_output = false;
};

struct UsageError {
  std::string message;
};

verify::HeaderList parse_headers(const std::vector<std::string>& values, const std::string& flag) {
  verify::HeaderList headers;
  for (const auto& value : values) {
    auto colon = value.find(':');
    if (colon == std::string::npos || colon == 0) throw UsageError{flag + " '" + value + "' is not 'Name: value'"};
    std::string name = value.substr(0, colon);
    std::string text = value.substr(colon + 1);
    text.erase(0, text.find_first_not_of(' '));
    headers.emplace_back(name, text);
  }
  return headers;
}

std::chrono::milliseconds duration_option(double seconds, const std::string& flag) {
  if (!(seconds > 0) || seconds > 86400) throw UsageError{flag + " must be a number of seconds above 0 (and at most a day)"};
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// The API to verify: --api among the bundled APIs and the --api-dir ones (--api may be left out
// when one --api-dir is given).
const registry::ApiEntry& api_to_verify(const registry::ApiRegistry& apis, const VerifyCommandOptions& options) {
  std::string name = options.api;
  if (name.empty() && options.api_dirs.size() == 1) {
    for (const auto& e : apis.entries()) {
      if (!e->bundled) name = e->name;
    }
  }
  if (name.empty()) throw UsageError{"--api: name the API the server speaks"};
  const registry::ApiEntry* entry = apis.find(name);
  if (!entry) {
    std::string known;
    for (const auto& n : apis.names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError{"--api: no API '" + name + "' (" + known + ")"};
  }
  return *entry;
}

int run_verify(const VerifyCommandOptions& options) {
  fs::path contracts_dir = contracts::default_contracts_dir();
  registry::ApiRegistry apis = [&] {
    try {
      return registry::ApiRegistry::load(contracts_dir, std::vector<fs::path>(options.api_dirs.begin(), options.api_dirs.end()));
    } catch (const registry::RegistryError& e) {
      throw UsageError{e.what()};
    }
  }();
  const registry::ApiEntry& entry = api_to_verify(apis, options);
  const contracts::ApiContract& contract = *entry.contract;
  verify::ApiProfile profile = verify::profile_of(entry.dialect, contract);
  verify::VerifyOptions verify_options;
  verify_options.headers = parse_headers(options.headers, "--header");
  verify_options.tenant_b_headers = parse_headers(options.tenant_b_headers, "--tenant-b-header");
  verify_options.poll_interval = duration_option(options.poll_interval, "--poll-interval");
  verify_options.timeout = duration_option(options.timeout, "--timeout");

  for (const auto& operation : options.only) {
    if (!contract.find(operation)) throw UsageError{"--only '" + operation + "' is not an operation of the " + entry.name + " contract"};
    verify_options.only.insert(operation);
  }
  // The documented examples sit next to the contracts in the source tree.
  auto fixtures = verify::load_request_fixtures(contracts_dir.parent_path() / "fixtures", entry.name);

  std::unique_ptr<verify::Target> target;
  try {
    target = std::make_unique<verify::Target>(options.target, std::chrono::seconds(10));
  } catch (const std::invalid_argument& e) {
    throw UsageError{e.what()};
  }

  // The report file is opened first: a path that cannot be written is a usage error, not a
  // surprise after the whole suite ran.
  std::ofstream junit;
  if (!options.junit.empty()) {
    junit.open(options.junit, std::ios::binary | std::ios::trunc);
    if (!junit) throw UsageError{"--junit '" + options.junit + "': cannot write the file"};
  }

  bool progress = !options.json_output && isatty(STDERR_FILENO);
  std::size_t done = 0, failed = 0;
  auto on_check = [&](const verify::Check& check) {
    ++done;
    failed += check.outcome == verify::Outcome::fail;
    if (options.json_output) return;
    if (progress) std::cerr << "\r\033[K";
    std::cout << verify::check_line(check) << std::endl;
    if (progress) std::cerr << "[" << done << " checks, " << failed << " failed]" << std::flush;
  };

  auto start = std::chrono::steady_clock::now();
  verify::Verifier verifier(contract, profile, std::move(fixtures), *target, verify_options, on_check);
  std::vector<verify::Check> checks;
  try {
    checks = verifier.run();
  } catch (const verify::TargetUnreachable& e) {
    if (progress) std::cerr << "\r\033[K";
    std::cerr << "runmock verify: cannot reach the target: " << e.what() << "\n";
    // No report rather than an empty or partial one.
    if (junit.is_open()) {
      junit.close();
      fs::remove(options.junit);
    }
    return kUsageError;
  }
  if (progress) std::cerr << "\r\033[K";
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto summary = verify::summarize(checks);

  if (junit.is_open()) {
    junit << verify::junit_xml(entry.name, checks, seconds);
    if (!junit.flush()) throw UsageError{"--junit '" + options.junit + "': cannot write the file"};
  }
  if (options.json_output) {
    std::cout << verify::json_report(entry.name, options.target, checks, seconds).dump(2) << "\n";
  } else {
    std::cout << verify::summary_line(summary, seconds) << "\n";
  }
  return summary.failed ? kSomeFailed : kAllPassed;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VerifyCommandOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "Check a live server of one API against its contract (provider side)");
  cmd->footer(
      "Sends the documented requests and negative cases derived from the contract, follows runs to their end\n"
      "(lifecycle rules), cancels a fresh run and, with --tenant-b-header, checks tenant isolation.\n"
      "Exit status: 0 all checks pass, 1 some fail, 2 usage error or target unreachable.\n"
      "Example:\n"
      "  runmock verify --target http://127.0.0.1:8089 --api emergence \\\n"
      "    --header \"Authorization: Bearer $(runmock token)\" --junit verify.xml");
  cmd->add_option("--target", options->target, "the server's base URL, http://HOST:PORT[/PATH]")->required();
  cmd->add_option("--api", options->api, "the API the server speaks (a folder of contracts/, or of an --api-dir)");
  cmd->add_option("--api-dir", options->api_dirs, "an API folder (runmock import-openapi makes one); with one, --api may be left out")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--header", options->headers, "a header sent with every request, 'Name: value' (repeatable)");
  cmd->add_option("--tenant-b-header", options->tenant_b_headers,
                  "a header of a second tenant, replacing tenant A's of the same name, for the isolation check (repeatable)");
  cmd->add_option("--only", options->only, "check only this operation (operationId; repeatable)");
  cmd->add_option("--poll-interval", options->poll_interval, "seconds between two polls of a run")->capture_default_str();
  cmd->add_option("--timeout", options->timeout, "seconds a run may take to reach a terminal state")->capture_default_str();
  cmd->add_option("--junit", options->junit, "write a JUnit XML report to this file");
  cmd->add_flag("--json", options->json_output, "print a JSON report instead of lines");
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_verify(*options);
    } catch (const UsageError& e) {
      std::cerr << "runmock verify: " << e.message << "\n";
      exit_code = kUsageError;
    } catch (const std::exception& e) {
      std::cerr << "runmock verify: " << e.what() << "\n";
      exit_code = kUsageError;
    }
  });
}

}  // namespace runmock::cli
