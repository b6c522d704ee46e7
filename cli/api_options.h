// The command-line flags of the APIs' own options (a dialect file's `options:`, each with its
// `flag`: --amperity-rate-limit, --webhook-backoff ...), read from the bundled dialect files when
// the command line is built; and `--set API.OPTION=VALUE` for any API's option, an imported one's
// included. The values are checked against the dialect when the APIs load (resolve_options).
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

namespace runmock::cli {

struct ApiOptionFlags {
  std::map<std::string, std::map<std::string, std::string>> given;  // api → option → text
  std::vector<std::string> set;                                     // --set API.OPTION=VALUE
};

void add_api_option_flags(CLI::App* cmd, ApiOptionFlags& flags);

// The options given for `api` (flags and --set). Throws std::invalid_argument for a malformed --set.
std::map<std::string, std::string> options_given(const ApiOptionFlags& flags, const std::string& api);

}  // namespace runmock::cli
