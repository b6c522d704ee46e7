// A dialect file (contracts/<api>/dialect.yaml) as runmock reads it: everything that makes one
// workflow-run API different from another, as data. The format is contracts/dialect.schema.json;
// docs/dialects.md is its reference. Loading checks the file against that schema, then against the
// API's contract (every role and operation names an operationId of openapi.yaml), and compiles its
// templates; every problem is a DialectError naming file:line:col.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "dialect/template.h"
#include "loader/api_contract.h"

namespace runmock::dialect {

class DialectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An answer the dialect gives for one kind of refusal: its status, code (empty: the layer's default
// for the status) and message, a text with {placeholders} filled from the case at hand.
struct Refusal {
  int status = 400;
  std::string code;
  std::string message;
  std::string in;  // where the journal says the problem was ("header", "query", "body"); empty: the caller's choice
};

// A value a dialect reads from one of its options (`{option: name}`) or gives itself.
struct Setting {
  nlohmann::json value;  // the value when not an option
  std::string option;    // the option's name, when it is one
};

struct OptionSpec {
  std::string name;
  std::string flag;  // the command-line flag (without "--"), empty: only `--set api.name=value`
  std::string help;
  std::string type;  // string, integer, number, boolean
  nlohmann::json default_value;
  std::vector<nlohmann::json> allowed;  // enum
  std::optional<double> minimum, maximum;
  std::string env;       // an environment variable that gives the value when the option is empty
  std::string fallback;  // the value when both are empty
};

struct Roles {
  std::string create, get, status, list, cancel, events, webhook;
};

struct AuthSpec {
  enum class Kind { none, bearer, jwt, api_key, basic } kind = Kind::none;
  std::string claims_schema;                  // jwt: a schema of the contract the claims must satisfy
  std::set<std::string> query_token;          // operations that also take ?access_token=
  std::string header;                         // api_key: the header carrying the key
  Refusal refuse;                             // {reason}
  std::optional<Refusal> bad_claims;          // {where} {reason}
};

struct TenancySpec {
  std::vector<std::string> claims;  // tenant = the claims joined by "\n" (or the first present, first_claim)
  bool first_claim = false;
  std::string header;               // tenant = this header's value
  std::string fixed;                // every run belongs to this tenant
  std::optional<Refusal> missing;
  nlohmann::json seed_default;      // the tenant seeded runs get by default (the dev token's)
  struct MatchHeader {
    std::string header;
    std::string claim;
    Refusal refuse;  // {value} {claim}
  };
  std::vector<MatchHeader> match_headers;
};

struct VersionSpec {
  std::string value, header, query, body;
  Refusal unsupported;  // {value} {supported}
  Refusal missing;
};

struct ErrorsSpec {
  nlohmann::json body;  // a template: "$status" "$code" "$message" "$details" "$request_id", texts with {those}
  enum class Details { field_list, first_and_count, joined } details = Details::field_list;
  Refusal bad_request;  // field_list: the status and code of the 422; first_and_count: {first} {more}
  std::string bad_request_one;  // first_and_count: the message when there is one violation
  std::optional<std::pair<std::string, std::string>> one_of;  // joined: key and message of a body-level oneOf
  int wrong_content_type = 415;
  std::map<std::string, Refusal> messages;  // unknown_scenario, no_scenario, store_full, run_not_found, repeated_form_field
};

struct ConfigurationSpec {
  enum class From { none, path, body } from = From::none;
  std::string name;  // the path parameter or body field holding the configuration id
  std::optional<Refusal> required;  // {id}
  std::string variant;              // a field of the configuration: the request variant of the create
  bool scope = false;               // runs are found only under their configuration (from: path)
  struct Kind {
    std::string prefix;
    nlohmann::json fields;  // $kind/... in templates
  };
  std::vector<Kind> kinds;
  std::optional<Refusal> unknown_kind;  // {id}
  std::string seed_unknown_kind;        // {id}
  struct Check {
    std::string when;          // a configuration field that must be true
    std::string require_body;  // a body field then required
    Refusal refuse;            // {id}
  };
  std::vector<Check> checks;
};

struct CreateSpec {
  std::optional<Expr> data;  // null: the validate_create hook builds the run's data
  Setting status;            // of the answer
  std::string representation;
  nlohmann::json seed_request_default = nlohmann::json::object();
  std::string seed_configuration_default;
};

struct ViewsSpec {
  std::string query;
  std::string default_view;
  std::map<std::string, std::string> variants;  // view → representation
};

struct OperationSpec {
  std::string representation;
  std::optional<ViewsSpec> views;
};

struct ListSpec {
  struct Filter {
    std::string query;
    enum class On { state, data, created, ended } on = On::data;
    std::string pointer;     // data: the field
    bool from = true;        // created/ended: the window's start (inclusive) or end (exclusive)
    bool partial = false;    // timestamps: partial ISO 8601 accepted
    bool always = false;     // data: applied even when the parameter is absent (as "")
  };
  std::vector<Filter> filters;
  std::optional<Refusal> bad_timestamp;  // {name} {value}
  std::optional<std::pair<std::string, std::string>> window_order;  // from, to parameter names
  std::optional<Refusal> window_refuse;
  bool newest_first = true;
  enum class Paging { offset, cursor } paging = Paging::offset;
  std::string limit_query = "limit";
  std::size_t limit_default = 50;
  std::optional<std::size_t> limit_maximum;
  std::string offset_query = "offset";
  std::string cursor_query, cursor_out;
  bool cursor_bound = false;
  std::optional<Refusal> wrong_filters, bad_cursor;
  std::string total_query, total_out;
  std::string items = "items";  // "": the answer is the array of items itself
  std::string envelope_total, envelope_limit, envelope_offset;
  std::string item;
};

struct ActionSpec {
  std::string action;
  std::string fallback_state;
  std::string fallback_then;       // a second state it moves on to at once
  nlohmann::json fallback_set;     // fields the fallback sets (a merge patch)
  Refusal not_found, terminal, refused;  // {id} {state} {reason}
};

struct RateLimitSpec {
  Setting requests_per_second;
  Refusal refuse;  // {limit}
};

struct EventsSpec {
  std::string operation;
  std::string representation;
  std::map<std::string, std::string> copy;  // event field → pointer into the representation
  std::vector<std::string> status_fields;
  std::string part_key, part_event, part_field, part_item;
  int retry_ms = 3000;
  nlohmann::json gone;
};

struct WebhookSpec {
  std::string url_pointer;
  std::string representation;
  Setting policy, allow_remote;
  Refusal bad_url;  // {loopback}
  std::string bad_url_loopback;
  Setting region, access_key_id, secret_access_key, session_token;
  Setting max_attempts, backoff_seconds, jitter, timeout_seconds;
};

struct HooksSpec {
  std::string validate_create, resolve_create, observe, seed;
};

struct DialectSpec {
  std::filesystem::path file;
  std::string api;
  std::vector<std::string> prefixes;
  Roles roles;
  std::map<std::string, OptionSpec> options;
  AuthSpec auth;
  TenancySpec tenancy;
  std::optional<VersionSpec> version;
  ErrorsSpec errors;
  int fraction_digits = -1;
  ConfigurationSpec configurations;
  std::string run_id_template, part_id_template;  // empty: UUIDs
  CreateSpec create;
  Representations representations;
  std::map<std::string, OperationSpec> operations;
  std::map<std::string, ListSpec> lists;
  std::map<std::string, ActionSpec> actions;
  std::optional<RateLimitSpec> rate_limit;
  std::optional<EventsSpec> events;
  std::optional<WebhookSpec> webhook;
  HooksSpec hooks;
};

// What names a hook: true when a hook of that name and kind exists (the loader refuses others).
using HookLookup = std::function<RepresentHook(const std::string& name)>;

// Loads and checks `file` against `schema_file` (contracts/dialect.schema.json) and `contract`.
// `represent_hooks` resolves representation hooks; `known_hooks` the other hook names.
DialectSpec load_dialect(const std::filesystem::path& file, const std::filesystem::path& schema_file, const contracts::ApiContract& contract,
                         const HookLookup& represent_hooks, const std::set<std::string>& known_hooks);

// Fills {name} placeholders from `values` (unknown ones stay as written).
std::string fill(const std::string& text, const std::map<std::string, std::string>& values);

}  // namespace runmock::dialect
