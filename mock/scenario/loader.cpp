#include "scenario/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/engine.h"
#include "faults/fault.h"
#include "loader/json_pointer.h"
#include "loader/yaml_bounds.h"
#include "loader/yaml_json.h"
#include "scenario/pattern.h"
#include "scenario/yaml_marks.h"
#include "validator/json_value.h"

namespace runmock::scenario {

using nlohmann::json;
namespace fs = std::filesystem;

const char* scenario_schema_cstr();  // generated from scenarios/scenario.schema.json

std::string_view scenario_schema_text() { return scenario_schema_cstr(); }

fs::path default_scenarios_dir() {
  if (const char* env = std::getenv("RUNMOCK_SCENARIOS_DIR"); env && *env) return env;
#ifdef RUNMOCK_SCENARIOS_DEFAULT_DIR
  return RUNMOCK_SCENARIOS_DEFAULT_DIR;
#else
  return "scenarios";
#endif
}

std::string LoadResult::report() const {
  std::string out;
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

namespace {

constexpr std::string_view kPartKeys[] = {"tasks", "task_instances", "dag"};
constexpr std::string_view kMatchSources[] = {"path", "query", "headers", "body", "configuration"};

std::string join(const std::vector<std::string>& words, std::string_view separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? std::string(separator) : "") + words[i];
  return out;
}

std::string quote(std::string_view text) { return "'" + std::string(text) + "'"; }

// "a pennsieve run", "an emergence task".
std::string a_or_an(std::string_view word) {
  bool vowel = !word.empty() && std::string_view("aeiouAEIOU").find(word[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(word);
}

std::vector<std::string> state_words(const contracts::Lifecycle& lifecycle, bool terminal_only = false) {
  std::vector<std::string> out;
  for (const auto& [word, rule] : lifecycle.states()) {
    if (!terminal_only || rule.terminal) out.push_back(word);
  }
  return out;
}

const schema::Schema& file_schema() {
  static const schema::Schema compiled = [] {
    schema::SchemaRegistry registry;
    std::string id = registry.add(json::parse(scenario_schema_cstr()));
    return registry.compile(id);
  }();
  return compiled;
}

const json& file_schema_document() {
  static const json document = json::parse(scenario_schema_cstr());
  return document;
}

// The property names an object schema (at a pointer inside the scenario schema) allows.
std::vector<std::string> allowed_keys(const std::string& schema_location) {
  auto hash = schema_location.find('#');
  if (hash == std::string::npos) return {};
  std::string pointer = schema_location.substr(hash + 1);
  auto slash = pointer.rfind('/');
  if (slash == std::string::npos) return {};
  pointer = pointer.substr(0, slash);
  std::vector<std::string> keys;
  try {
    const json& node = file_schema_document().at(json::json_pointer(pointer));
    if (node.contains("properties")) {
      for (const auto& [key, value] : node["properties"].items()) {
        if (key != "$schema") keys.push_back(key);
      }
    }
  } catch (const json::exception&) {
  }
  return keys;
}

struct PartInfo {
  std::string key;
  const contracts::Lifecycle* lifecycle = nullptr;
  json::json_pointer state_pointer;
  json::json_pointer collection_pointer;
};

struct ApiInfo {
  std::string name;
  const contracts::ApiContract* contract = nullptr;
  FragmentChecker checker;
  std::vector<PartInfo> parts;

  const PartInfo* part(std::string_view key) const {
    for (const auto& p : parts) {
      if (p.key == key) return &p;
    }
    return nullptr;
  }
  std::string part_list() const {
    std::vector<std::string> keys;
    for (const auto& p : parts) keys.push_back(p.key);
    return keys.empty() ? "none" : join(keys);
  }
};

struct File {
  std::string name;
  YamlMarks marks;
  json doc;

  SourceLocation at(const std::string& pointer, bool key = false) const {
    YAML::Mark mark = marks.find(pointer, key);
    return {name, static_cast<std::size_t>(mark.line) + 1, static_cast<std::size_t>(mark.column) + 1};
  }
};

// A file read and parsed, not yet checked. Parsing (YAML, marks, JSON) is most of the cost of
// loading and needs nothing but the text, so the files of a folder are parsed in parallel.
struct ParsedFile {
  File file;
  std::vector<Diagnostic> errors;  // not YAML, more than one document, empty, duplicate keys
  bool has_document = false;       // there is a document to check against the schema
  bool duplicate_keys = false;     // then only against the schema
};

ParsedFile parse_file(const std::string& name, const std::string& text) {
  ParsedFile parsed;
  parsed.file.name = name;
  auto add = [&](const YAML::Mark& m, std::string message) {
    Diagnostic d;
    d.where.file = name;
    d.where.line = static_cast<std::size_t>(m.line) + 1;
    d.where.column = static_cast<std::size_t>(m.column) + 1;
    d.message = std::move(message);
    parsed.errors.push_back(std::move(d));
  };
  YAML::Node root;
  try {
    auto documents = contracts::load_yaml_documents(text);
    if (documents.size() > 1) {
      add(documents[1].Mark(), "one YAML document per file: put every scenario of the file under 'scenarios:'");
      return parsed;
    }
    if (!documents.empty()) root = documents[0];
  } catch (const YAML::Exception& e) {
    add(e.mark, "not valid YAML: " + e.msg);
    return parsed;
  } catch (const contracts::YamlBoundsError& e) {
    add(e.mark(), e.what());
    return parsed;
  }
  if (!root || root.IsNull()) {
    YAML::Mark first;
    first.line = first.column = 0;
    add(first, "the file is empty: a scenario file starts with 'api:' and lists its 'scenarios:'");
    return parsed;
  }
  try {
    parsed.file.marks = collect_marks(root, text);
  } catch (const contracts::YamlBoundsError& e) {
    add(e.mark(), e.what());
    return parsed;
  }
  parsed.file.doc = contracts::yaml_to_json(root, text);  // within the bounds: collect_marks walked the same tree
  for (const auto& [key, mark] : parsed.file.marks.duplicate_keys) add(mark, "duplicate key " + quote(key));
  parsed.has_document = true;
  parsed.duplicate_keys = !parsed.errors.empty();
  return parsed;
}

// Where each phase was written, for messages.
struct PhaseSource {
  std::string pointer;
  std::map<std::string, std::string> part_items;  // part key → pointer of its item list
  std::map<std::string, std::string> unfinished;  // part key → pointer of its `unfinished`
};

class Loader {
 public:
  explicit Loader(const LoadOptions& options) : options_(options), simulator_(engine::Clock::manual(), engine::EngineOptions{1u << 20, 1}) {
    if (!options.contracts) throw std::invalid_argument("loading scenarios needs the API contracts");
    for (const auto& [name, contract] : *options.contracts) {
      ApiInfo info;
      info.name = name;
      info.contract = &contract;
      auto checker = options.checkers.find(name);
      info.checker = checker != options.checkers.end() ? checker->second : contract_checker(contract);
      for (const auto& part : contract.lifecycle().parts()) {
        info.parts.push_back({engine::part_key(part), &part, json::json_pointer(part.state_pointer()), json::json_pointer(part.collection_pointer())});
      }
      apis_.emplace(name, std::move(info));
      simulator_.add_api(name, contract.lifecycle());
    }
  }

  void load_layer(const fs::path& path) {
    begin_layer();
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      io_error(path.string(), "no such file or folder");
      return;
    }
    std::vector<fs::path> files;
    if (fs::is_directory(status)) {
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) {
        io_error(path.string(), "cannot read the folder: " + ec.message());
        return;
      }
      for (; it != end; it.increment(ec)) {
        if (ec) {
          io_error(path.string(), "cannot read the folder: " + ec.message());
          return;
        }
        const auto name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        auto ext = it->path().extension().string();
        if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    std::vector<std::pair<fs::path, std::future<ParsedFile>>> parsing;
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        io_error(file.string(), "cannot read the file");
        continue;
      }
      std::stringstream buffer;
      buffer << in.rdbuf();
      parsing.emplace_back(file, std::async(std::launch::async, parse_file, file.string(), buffer.str()));
    }
    for (auto& [file, parsed] : parsing) {
      files_.push_back(file);
      check_file(parsed.get());
    }
  }

  void load_text(const std::string& name, const std::string& text) {
    begin_layer();
    files_.push_back(name);
    check_file(parse_file(name, text));
  }

  LoadResult finish() {
    LoadResult result;
    result.files = files_;
    result.io_error = io_error_;
    result.errors = errors_;
    if (!errors_.empty()) return result;
    auto set = std::make_shared<ScenarioSet>();
    for (auto& configuration : configurations_) set->add(std::move(configuration));
    std::map<std::pair<std::string, std::string>, std::size_t> layer_of;
    for (auto& [layer, scenario] : scenarios_) {
      layer_of[{scenario.api, scenario.name}] = layer;
      set->add(std::move(scenario));
    }
    for (const auto& api : set->apis()) {
      const Scenario* best = nullptr;
      std::size_t best_layer = 0;
      for (const Scenario* s : set->scenarios(api)) {
        std::size_t layer = layer_of[{api, s->name}];
        if (s->is_default && (!best || layer >= best_layer)) {
          best = s;
          best_layer = layer;
        }
      }
      if (best) set->set_default(api, best->name);
    }
    result.set = std::move(set);
    return result;
  }

 private:
  void begin_layer() {
    ++layer_;
    names_.clear();
    configuration_ids_.clear();
    defaults_.clear();
  }

  void add_error(SourceLocation where, std::string message) {
    auto key = where.to_string() + "\n" + message;
    if (!seen_.insert(key).second) return;
    errors_.push_back({std::move(where), std::move(message)});
  }

  void error(const File& f, const std::string& pointer, std::string message, bool key = false) { add_error(f.at(pointer, key), std::move(message)); }

  void io_error(const std::string& path, std::string message) {
    io_error_ = true;
    add_error({path, 0, 0}, std::move(message));
  }

  // --- one file ---

  // Adds the parse errors, runs the checks, and sorts the file's errors by place.
  void check_file(ParsedFile parsed) {
    const std::size_t first_error = errors_.size();
    for (auto& e : parsed.errors) add_error(std::move(e.where), std::move(e.message));
    if (parsed.has_document) check_document(parsed.file, parsed.duplicate_keys);
    std::stable_sort(errors_.begin() + static_cast<std::ptrdiff_t>(first_error), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
  }

  void check_document(const File& f, bool duplicate_keys) {
    if (!check_schema(f) || duplicate_keys) return;

    const std::string api = f.doc["api"].get<std::string>();
    auto info = apis_.find(api);
    if (info == apis_.end()) {
      std::vector<std::string> known;
      for (const auto& [k, v] : apis_) known.push_back(k);
      error(f, "/api", "unknown API " + quote(api) + " (runmock knows: " + join(known) + ")");
      return;
    }
    if (f.doc.contains("configurations")) {
      for (std::size_t i = 0; i < f.doc["configurations"].size(); ++i) build_configuration(f, info->second, i);
    }
    if (f.doc.contains("scenarios")) {
      for (std::size_t j = 0; j < f.doc["scenarios"].size(); ++j) {
        if (auto scenario = build_scenario(f, info->second, j)) scenarios_.emplace_back(layer_, std::move(*scenario));
      }
    }
  }

  bool check_schema(const File& f) {
    std::vector<schema::ValidationError> found;
    // The fast check first: the full one, collecting every error, only for a file that fails.
    if (file_schema().validate(f.doc) || file_schema().validate(f.doc, found)) return true;
    // An anyOf/oneOf summary is dropped when a more precise error sits at or under it.
    auto keyword = [](const schema::ValidationError& e) { return e.schema_location.substr(e.schema_location.rfind('/') + 1); };
    // A missing key next to an unknown one is most likely the same key misspelt: say it once.
    std::set<std::string> has_unknown_key;
    for (const auto& e : found) {
      if (keyword(e) == "additionalProperties") has_unknown_key.insert(e.instance_location.substr(0, e.instance_location.rfind('/')));
    }
    for (const auto& e : found) {
      std::string kw = keyword(e);
      if (kw == "required" && has_unknown_key.count(e.instance_location)) continue;
      if (kw == "anyOf" || kw == "oneOf") {
        bool precise = std::any_of(found.begin(), found.end(), [&](const schema::ValidationError& other) {
          std::string okw = keyword(other);
          return &other != &e && okw != "anyOf" && okw != "oneOf" &&
                 (other.instance_location == e.instance_location || other.instance_location.rfind(e.instance_location + "/", 0) == 0);
        });
        if (precise) continue;
      }
      std::string path = readable_path(e.instance_location);
      std::string where = path.empty() ? "" : path + ": ";
      if (kw == "additionalProperties" || kw == "unevaluatedProperties") {
        auto tokens = contracts::pointer_tokens(e.instance_location);
        std::string key = tokens.empty() ? "" : tokens.back();
        auto parent = e.instance_location.substr(0, e.instance_location.rfind('/'));
        auto allowed = allowed_keys(e.schema_location);
        std::string hint = allowed.empty() ? "" : " (" + (parent.empty() ? std::string("a scenario file") : readable_path(parent)) + " takes: " + join(allowed) + ")";
        error(f, e.instance_location, "unknown key " + quote(key) + hint, true);
      } else if (e.schema_location.find("/$defs/after/") != std::string::npos && kw == "type") {
        error(f, e.instance_location, where + "write a duration with its unit (10s, 500ms), a number of polls (10 polls) or manual; got " +
                                          f.doc.at(json::json_pointer(e.instance_location)).dump());
      } else if (e.schema_location.find("/$defs/after/") != std::string::npos && kw == "pattern") {
        error(f, e.instance_location,
              where + quote(f.doc.at(json::json_pointer(e.instance_location)).get<std::string>()) +
                  " is not a duration (2s, 500ms, 1m30s), a number of polls (3 polls) or manual");
      } else if (e.schema_location.find("/$defs/name/") != std::string::npos && kw == "pattern") {
        error(f, e.instance_location, where + "a name is letters, digits, '.', '_' and '-', starting with a letter or digit");
      } else {
        error(f, e.instance_location, where + e.message);
      }
    }
    return false;
  }

  // --- configurations ---

  void build_configuration(const File& f, const ApiInfo& info, std::size_t i) {
    const std::string base = "/configurations/" + std::to_string(i);
    const json& node = f.doc["configurations"][i];
    Configuration c;
    c.api = info.name;
    c.id = node["id"].get<std::string>();
    c.where = f.at(base + "/id");
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() != "id") c.fields[it.key()] = it.value();
    }
    std::size_t before = errors_.size();
    if (auto seen = configuration_ids_.find({info.name, c.id}); seen != configuration_ids_.end()) {
      error(f, base + "/id", "duplicate configuration id " + quote(c.id) + " (first at " + seen->second.to_string() + ")");
    } else {
      configuration_ids_.emplace(std::make_pair(info.name, c.id), c.where);
    }
    engine::Script empty;
    empty.api = info.name;
    FragmentContext context{info.name, empty, nullptr, &c, c.fields, c.fields};
    for (const auto& e : info.checker(context)) {
      error(f, base + e.instance_location, "breaks the contract at " + (e.instance_location.empty() ? std::string("/") : e.instance_location) + ": " + e.message);
    }
    if (errors_.size() == before) configurations_.push_back(std::move(c));
  }

  // --- scenarios ---

  std::optional<Scenario> build_scenario(const File& f, const ApiInfo& info, std::size_t j) {
    const std::string base = "/scenarios/" + std::to_string(j);
    const json& node = f.doc["scenarios"][j];
    const std::size_t before = errors_.size();
    Scenario s;
    s.api = info.name;
    s.name = node["name"].get<std::string>();
    s.where = f.at(base + "/name");
    s.description = node.value("description", "");
    s.is_default = node.value("default", false);
    if (node.contains("priority")) {
      const json& p = node["priority"];
      if (!p.is_number_integer() || p.get<long long>() > 1000000 || p.get<long long>() < -1000000) {
        error(f, base + "/priority", "priority must be an integer between -1000000 and 1000000");
      } else {
        s.priority = static_cast<int>(p.get<long long>());
      }
    }
    if (auto seen = names_.find({info.name, s.name}); seen != names_.end()) {
      error(f, base + "/name", "duplicate scenario name " + quote(s.name) + " for " + info.name + " (first at " + seen->second.to_string() + ")");
    } else {
      names_.emplace(std::make_pair(info.name, s.name), s.where);
    }
    if (s.is_default) {
      if (auto seen = defaults_.find(info.name); seen != defaults_.end()) {
        error(f, base + "/default", "a second default scenario for " + info.name + " (the first is at " + seen->second.to_string() + ")");
      } else {
        defaults_.emplace(info.name, f.at(base + "/default"));
      }
    }
    if (node.contains("match")) parse_match(f, base + "/match", node["match"], s.match);

    auto script = std::make_shared<engine::Script>();
    script->name = s.name;
    script->api = info.name;
    for (std::string_view key : kPartKeys) {
      if (!node.contains(key)) continue;
      const PartInfo* part = info.part(key);
      if (!part) {
        error(f, base + "/" + std::string(key), quote(key) + " is not a part of " + info.name + " runs (its parts: " + info.part_list() + ")", true);
        continue;
      }
      auto& items = script->parts[std::string(key)];
      for (const auto& item : node[std::string(key)]) items.push_back(item.is_string() ? json{{"name", item}} : item);
    }
    std::vector<PhaseSource> sources;
    std::map<std::string, std::string> phase_names;
    build_flow(f, info, base + "/phases", node["phases"], "", *script, sources, phase_names);
    const std::size_t main_end = script->phases.size();
    if (node.contains("actions")) {
      for (const auto& [action, phases] : node["actions"].items()) {
        script->actions[action] = script->phases.size();
        build_flow(f, info, base + "/actions/" + schema::pointer_escape(action), phases, action, *script, sources, phase_names);
      }
    }
    for (const auto& phase : script->phases) script->has_placeholders = script->has_placeholders || engine::has_placeholder(phase.set);
    if (errors_.size() == before) check_lifecycle(f, info, base, *script, sources, main_end);
    if (errors_.size() == before) simulate(f, info, script, sources, main_end);
    if (errors_.size() != before) return std::nullopt;
    s.script = std::move(script);
    return s;
  }

  void parse_match(const File& f, const std::string& pointer, const json& match, std::vector<Condition>& out) {
    for (std::string_view source : kMatchSources) {
      if (!match.contains(source)) continue;
      for (const auto& [key, value] : match[std::string(source)].items()) {
        std::string at = pointer + "/" + std::string(source) + "/" + schema::pointer_escape(key);
        Condition c;
        c.key = key;
        c.source = source == "path"      ? Condition::Source::path
                   : source == "query"   ? Condition::Source::query
                   : source == "headers" ? Condition::Source::header
                   : source == "body"    ? Condition::Source::body
                                         : Condition::Source::configuration;
        if (c.source == Condition::Source::body || c.source == Condition::Source::configuration) {
          if (!key.empty() && key[0] == '/') {
            c.tokens = contracts::pointer_tokens(key);
          } else {
            std::size_t start = 0;
            while (true) {
              auto dot = key.find('.', start);
              c.tokens.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
              if (dot == std::string::npos) break;
              start = dot + 1;
            }
          }
        }
        if (value.is_object() && value.contains("pattern")) {
          c.test = Condition::Test::pattern;
          c.pattern_text = value["pattern"].get<std::string>();
          auto compiled = std::make_shared<CompiledPattern>(c.pattern_text);
          if (!compiled->regex.ok()) {
            error(f, at + "/pattern", "invalid pattern: " + compiled->regex.error());
            continue;
          }
          c.pattern = std::move(compiled);
        } else if (value.is_object() && value.contains("present")) {
          c.test = value["present"].get<bool>() ? Condition::Test::present : Condition::Test::absent;
        } else if (value.is_array()) {
          c.values.assign(value.begin(), value.end());
        } else {
          c.values.push_back(value);
        }
        out.push_back(std::move(c));
      }
    }
  }

  void build_flow(const File& f, const ApiInfo& info, const std::string& pointer, const json& phases, const std::string& branch, engine::Script& script,
                  std::vector<PhaseSource>& sources, std::map<std::string, std::string>& names) {
    const auto& lifecycle = info.contract->lifecycle();
    const std::size_t first = script.phases.size();
    for (std::size_t k = 0; k < phases.size(); ++k) {
      const json& p = phases[k];
      const std::string pp = pointer + "/" + std::to_string(k);
      engine::Phase phase;
      PhaseSource source;
      source.pointer = pp;
      phase.branch = branch;
      phase.state = p["state"].get<std::string>();
      const bool known = lifecycle.has_state(phase.state);
      if (!known) {
        error(f, pp + "/state", quote(phase.state) + " is not a state of " + info.name + " (" + join(state_words(lifecycle)) + ")");
      }
      const bool terminal = known && lifecycle.is_terminal(phase.state);
      if (p.contains("name")) {
        phase.name = p["name"].get<std::string>();
        if (auto seen = names.find(phase.name); seen != names.end()) {
          error(f, pp + "/name", "duplicate phase name " + quote(phase.name) + " (first at " + f.at(seen->second).to_string() + ")");
        }
      } else {
        phase.name = branch.empty() ? phase.state : branch + "-" + phase.state;
        for (int n = 2; names.count(phase.name); ++n) phase.name = (branch.empty() ? phase.state : branch + "-" + phase.state) + "-" + std::to_string(n);
      }
      names.emplace(phase.name, pp);

      if (terminal) {
        phase.advance = engine::Advance::terminal();
        if (p.contains("after")) error(f, pp + "/after", "a terminal phase (" + phase.state + ") never moves on: remove 'after'", true);
      } else if (p.contains("after")) {
        std::string after = p["after"].get<std::string>();
        if (after == "manual") {
          phase.advance = engine::Advance::manual();
        } else if (auto space = after.find(' '); space != std::string::npos) {
          phase.advance = engine::Advance::poll_count(std::stoull(after.substr(0, space)));
        } else if (auto duration = engine::parse_duration(after)) {
          phase.advance = engine::Advance::time(*duration);
        } else {
          error(f, pp + "/after", quote(after) + " is not a duration runmock can hold");
        }
      }

      if (p.contains("fault")) {
        try {
          phase.fault = std::make_shared<const faults::Fault>(faults::parse_fault(p["fault"]));
        } catch (const faults::FaultError& e) {
          error(f, pp + "/fault" + e.pointer, e.what());
        }
      }

      if (p.contains("set")) {
        phase.set = p["set"];
        json::json_pointer state_pointer(lifecycle.state_pointer());
        if (phase.set.contains(state_pointer)) {
          error(f, pp + "/set" + lifecycle.state_pointer(), "'set' must not write the state (" + lifecycle.state_pointer() + "): use 'state:'", true);
        }
        for (const auto& part : info.parts) {
          if (phase.set.contains(part.collection_pointer)) {
            error(f, pp + "/set" + part.collection_pointer.to_string(), "'set' must not write " + part.collection_pointer.to_string() + ": use '" + part.key + ":'", true);
          }
        }
      }

      for (std::string_view key_view : kPartKeys) {
        const std::string key(key_view);
        if (!p.contains(key)) continue;
        const PartInfo* part = info.part(key);
        if (!part) {
          error(f, pp + "/" + key, quote(key) + " is not a part of " + info.name + " runs (its parts: " + info.part_list() + ")", true);
          continue;
        }
        const json& update_node = p[key];
        engine::PartUpdate update;
        const json* items = nullptr;
        std::string items_pointer;
        if (update_node.is_array()) {
          items = &update_node;
          items_pointer = pp + "/" + key;
        } else {
          if (update_node.contains("items")) {
            items = &update_node["items"];
            items_pointer = pp + "/" + key + "/items";
          }
          if (update_node.contains("unfinished")) {
            const std::string up = pp + "/" + key + "/unfinished";
            source.unfinished[key] = up;
            const json& u = update_node["unfinished"];
            auto word = [&](const std::string& w, const std::string& at, bool key_word) {
              if (key_word && w == "*") return;
              if (!part->lifecycle->has_state(w)) {
                error(f, at, quote(w) + " is not a state of " + a_or_an(info.name) + " " + part->lifecycle->resource() + " (" + join(state_words(*part->lifecycle)) + ")",
                      key_word);
              }
            };
            if (u.is_string()) {
              update.unfinished["*"] = u.get<std::string>();
              word(u.get<std::string>(), up, false);
            } else {
              for (const auto& [from, to] : u.items()) {
                update.unfinished[from] = to.get<std::string>();
                word(from, up + "/" + schema::pointer_escape(from), true);
                word(to.get<std::string>(), up + "/" + schema::pointer_escape(from), false);
              }
            }
          }
        }
        if (items) {
          source.part_items[key] = items_pointer;
          for (std::size_t i = 0; i < items->size(); ++i) {
            const json& item = (*items)[i];
            const std::string ip = items_pointer + "/" + std::to_string(i);
            if (item.is_null()) {
              update.items.push_back(nullptr);
              continue;
            }
            json fragment = item.is_object() ? item : json::object();
            std::string word;
            if (item.is_string()) {
              word = item.get<std::string>();
              fragment[part->state_pointer] = word;
            } else if (fragment.contains(part->state_pointer)) {
              const json& w = fragment[part->state_pointer];
              if (!w.is_string()) {
                error(f, ip + part->state_pointer.to_string(), "the state of " + a_or_an(part->lifecycle->resource()) + " is a word, not " + w.dump());
                continue;
              }
              word = w.get<std::string>();
            }
            if (!word.empty() && !part->lifecycle->has_state(word)) {
              error(f, item.is_string() ? ip : ip + part->state_pointer.to_string(),
                    quote(word) + " is not a state of " + a_or_an(info.name) + " " + part->lifecycle->resource() + " (" + join(state_words(*part->lifecycle)) + ")");
            }
            update.items.push_back(std::move(fragment));
          }
          if (auto declared = script.parts.find(key); declared != script.parts.end() && items->size() > declared->second.size()) {
            error(f, items_pointer,
                  "this phase lists " + std::to_string(items->size()) + " " + key + " but the scenario declares " + std::to_string(declared->second.size()));
          }
        }
        phase.parts[key] = std::move(update);
      }
      script.phases.push_back(std::move(phase));
      sources.push_back(std::move(source));
    }
    for (std::size_t k = first; k + 1 < script.phases.size(); ++k) script.phases[k].next = k + 1;
  }

  // The lifecycle rules between phases: the first state, consecutive phases, the last phase,
  // and each action's branch from every phase it may interrupt.
  void check_lifecycle(const File& f, const ApiInfo& info, const std::string& base, const engine::Script& script, const std::vector<PhaseSource>& sources,
                       std::size_t main_end) {
    const auto& lifecycle = info.contract->lifecycle();
    std::vector<std::pair<std::size_t, std::size_t>> flows{{0, main_end}};
    for (const auto& [action, start] : script.actions) {
      std::size_t end = script.phases.size();
      for (const auto& [other, other_start] : script.actions) {
        if (other_start > start) end = std::min(end, other_start);
      }
      flows.emplace_back(start, end);
    }
    const std::string file_rule = " (contracts/" + info.name + "/lifecycle.json)";
    for (std::size_t flow = 0; flow < flows.size(); ++flow) {
      auto [start, end] = flows[flow];
      if (start >= end) continue;
      if (flow == 0 && std::find(lifecycle.initial().begin(), lifecycle.initial().end(), script.phases[0].state) == lifecycle.initial().end()) {
        error(f, sources[0].pointer + "/state",
              "a run starts in " + join(lifecycle.initial(), " or ") + ": " + quote(script.phases[0].state) + " is not an initial state of " + info.name +
                  file_rule);
      }
      for (std::size_t k = start; k + 1 < end; ++k) {
        const auto& a = script.phases[k];
        const auto& b = script.phases[k + 1];
        if (lifecycle.is_terminal(a.state)) {
          error(f, sources[k + 1].pointer, "this phase is never reached: the phase before it (" + quote(a.name) + ") is terminal, the run ends there");
          break;
        }
        // Phases in the same state are one state whose fields move on (task progress).
        if (a.state != b.state && !lifecycle.can_move(a.state, b.state)) error(f, sources[k + 1].pointer + "/state", engine::describe_forbidden(info.name, lifecycle, a.state, b.state));
      }
      const auto& last = script.phases[end - 1];
      if (!lifecycle.is_terminal(last.state)) {
        error(f, sources[end - 1].pointer + "/state",
              "the last phase must be terminal (" + join(state_words(lifecycle, true)) + "), not " + quote(last.state) + ": a run has to end");
      }
    }
    for (const auto& [action, start] : script.actions) {
      if (start >= script.phases.size()) continue;
      const std::string& target = script.phases[start].state;
      for (std::size_t i = 0; i < script.phases.size(); ++i) {
        const auto& from = script.phases[i];
        if (from.branch == action || lifecycle.is_terminal(from.state)) continue;
        if (from.state != target && !lifecycle.can_move(from.state, target)) {
          error(f, base + "/actions/" + schema::pointer_escape(action),
                "the " + action + " branch starts in " + target + ", which phase " + quote(from.name) + " (" + f.at(sources[i].pointer).to_string() +
                    ") cannot move to: " + engine::describe_forbidden(info.name, lifecycle, from.state, target),
                true);
          break;
        }
      }
    }
  }

  // --- simulation: runs the script through the engine to check part transitions and payloads ---

  json render(const ApiInfo& info, const engine::RunSnapshot& run) {
    json sample = run.fields();
    sample[json::json_pointer(info.contract->lifecycle().state_pointer())] = run.state();
    for (const auto& part : info.parts) {
      json items = json::array();
      for (const auto& item : run.part(part.key)) {
        if (item.visible()) items.push_back(item.fields);
      }
      if (!items.empty() || run.script().parts.count(part.key)) sample[part.collection_pointer] = std::move(items);
    }
    return sample;
  }

  void check_parts(const File& f, const ApiInfo& info, const engine::RunSnapshot* before, const engine::RunSnapshot& after, std::size_t phase_index,
                   const engine::Script& script, const std::vector<PhaseSource>& sources) {
    const engine::Phase& phase = script.phases[phase_index];
    const PhaseSource& source = sources[phase_index];
    for (const auto& part : info.parts) {
      const auto& items = after.part(part.key);
      static const std::vector<engine::PartItem> none;
      const auto& previous = before ? before->part(part.key) : none;
      auto update = phase.parts.find(part.key);
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string from = i < previous.size() ? previous[i].state : "";
        const std::string& to = items[i].state;
        if (from == to || to.empty()) continue;
        std::string where;
        std::string how;
        if (update != phase.parts.end() && i < update->second.items.size() && !update->second.items[i].is_null()) {
          where = source.part_items.at(part.key) + "/" + std::to_string(i);
        } else if (update != phase.parts.end() && !update->second.unfinished.empty()) {
          where = source.unfinished.at(part.key);
        } else {
          where = source.pointer + "/state";
          how = " (the engine moved it there when the run ended; script it explicitly)";
        }
        std::string item = part.lifecycle->resource() + " " + std::to_string(i + 1);
        if (from.empty()) {
          const auto& initial = part.lifecycle->initial();
          if (std::find(initial.begin(), initial.end(), to) == initial.end()) {
            error(f, where,
                  item + " first appears " + to + ", but " + a_or_an(part.lifecycle->resource()) + " of " + info.name + " first appears " + join(initial, " or ") +
                      " (contracts/" + info.name + "/lifecycle.json)" + how);
          }
        } else if (!part.lifecycle->can_move(from, to)) {
          error(f, where, item + ": " + engine::describe_forbidden(info.name, *part.lifecycle, from, to) + how);
        }
      }
    }
  }

  void check_fragment(const File& f, const ApiInfo& info, const engine::RunSnapshot& run, std::size_t phase_index, const engine::Script& script,
                      const std::vector<PhaseSource>& sources) {
    const engine::Phase& phase = script.phases[phase_index];
    const PhaseSource& source = sources[phase_index];
    json sample = render(info, run);
    json fragment = json::object();
    std::vector<std::pair<std::string, std::string>> mapping;  // representation pointer → YAML pointer
    for (auto it = phase.set.begin(); it != phase.set.end(); ++it) {
      fragment[it.key()] = it.value();
      mapping.emplace_back("/" + schema::pointer_escape(it.key()), source.pointer + "/set/" + schema::pointer_escape(it.key()));
    }
    for (const auto& [key, update] : phase.parts) {
      const PartInfo* part = info.part(key);
      if (!part) continue;
      const auto& items = run.part(key);
      std::vector<std::size_t> rendered(items.size(), 0);
      std::size_t visible = 0;
      for (std::size_t i = 0; i < items.size(); ++i) {
        rendered[i] = visible;
        if (items[i].visible()) ++visible;
      }
      json written = json::array();
      for (std::size_t v = 0; v < visible; ++v) written.push_back(nullptr);
      for (std::size_t i = 0; i < update.items.size() && i < items.size(); ++i) {
        if (update.items[i].is_null() || !items[i].visible()) continue;
        written[rendered[i]] = update.items[i];
        mapping.emplace_back(part->collection_pointer.to_string() + "/" + std::to_string(rendered[i]), source.part_items.at(key) + "/" + std::to_string(i));
      }
      fragment[part->collection_pointer] = std::move(written);
    }
    FragmentContext context{info.name, script, &phase, nullptr, sample, fragment};
    for (const auto& e : info.checker(context)) {
      std::string yaml = source.pointer + "/state";
      std::size_t best = 0;
      for (const auto& [rep, pointer] : mapping) {
        bool inside = e.instance_location == rep || e.instance_location.rfind(rep + "/", 0) == 0;
        if (inside && rep.size() >= best) {
          best = rep.size();
          yaml = pointer + e.instance_location.substr(rep.size());
        }
      }
      error(f, yaml, "breaks the contract at " + (e.instance_location.empty() ? std::string("/") : e.instance_location) + ": " + e.message);
    }
  }

  void simulate(const File& f, const ApiInfo& info, const std::shared_ptr<engine::Script>& script, const std::vector<PhaseSource>& sources,
                std::size_t main_end) {
    // The same script with every phase moved on by hand, so each phase can be looked at.
    auto manual = std::make_shared<engine::Script>(*script);
    for (auto& phase : manual->phases) {
      if (phase.advance.kind != engine::Advance::Kind::terminal) phase.advance = engine::Advance::manual();
    }
    const auto& lifecycle = info.contract->lifecycle();
    auto start = [&] {
      engine::CreateRequest request;
      request.api = info.name;
      request.tenant = "lint";
      request.script = manual;
      return simulator_.create(std::move(request));
    };
    {
      engine::RunSnapshot run = start();
      check_parts(f, info, nullptr, run, 0, *script, sources);
      check_fragment(f, info, run, 0, *script, sources);
      for (std::size_t k = 1; k < main_end; ++k) {
        auto next = simulator_.advance(run.id());
        if (!next.ok()) break;
        check_parts(f, info, &run, next.run, k, *script, sources);
        check_fragment(f, info, next.run, k, *script, sources);
        run = next.run;
      }
    }
    for (const auto& [action, first] : script->actions) {
      bool fragments_checked = false;
      // From the latest interruptible phase back to the first: each may have different tasks.
      for (std::size_t source = main_end; source-- > 0;) {
        if (lifecycle.is_terminal(script->phases[source].state)) continue;
        engine::RunSnapshot run = start();
        bool reached = true;
        for (std::size_t k = 0; k < source && reached; ++k) {
          auto next = simulator_.advance(run.id());
          reached = next.ok();
          if (reached) run = next.run;
        }
        if (!reached) continue;
        auto acted = simulator_.act(run.id(), action);
        if (!acted.ok()) continue;
        check_parts(f, info, &run, acted.run, first, *script, sources);
        if (!fragments_checked) check_fragment(f, info, acted.run, first, *script, sources);
        run = acted.run;
        for (auto k = script->phases[first].next; k; k = script->phases[*k].next) {
          auto next = simulator_.advance(run.id());
          if (!next.ok()) break;
          check_parts(f, info, &run, next.run, *k, *script, sources);
          if (!fragments_checked) check_fragment(f, info, next.run, *k, *script, sources);
          run = next.run;
        }
        fragments_checked = true;
      }
    }
    simulator_.reset();
  }

  const LoadOptions& options_;
  std::map<std::string, ApiInfo> apis_;
  engine::Engine simulator_;
  std::size_t layer_ = 0;
  std::map<std::pair<std::string, std::string>, SourceLocation> names_;
  std::map<std::pair<std::string, std::string>, SourceLocation> configuration_ids_;
  std::map<std::string, SourceLocation> defaults_;
  std::vector<std::pair<std::size_t, Scenario>> scenarios_;
  std::vector<Configuration> configurations_;
  std::vector<fs::path> files_;
  std::vector<Diagnostic> errors_;
  std::set<std::string> seen_;
  bool io_error_ = false;
};

}  // namespace

LoadResult load_scenarios(const std::vector<fs::path>& paths, const LoadOptions& options) {
  Loader loader(options);
  for (const auto& path : paths) loader.load_layer(path);
  return loader.finish();
}

LoadResult load_scenario_text(const std::string& file_name, const std::string& text, const LoadOptions& options) {
  Loader loader(options);
  loader.load_text(file_name, text);
  return loader.finish();
}

ScenarioRegistry::ScenarioRegistry(std::vector<fs::path> paths, LoadOptions options)
    : paths_(std::move(paths)), options_(std::move(options)), current_(std::make_shared<ScenarioSet>()) {}

LoadResult ScenarioRegistry::load(const std::vector<RuntimeDocument>& documents) const {
  Loader loader(options_);
  for (const auto& path : paths_) loader.load_layer(path);
  for (const auto& document : documents) loader.load_text(document.name, document.text);
  return loader.finish();
}

void ScenarioRegistry::install(const LoadResult& result, std::vector<RuntimeDocument> documents) {
  std::map<std::pair<std::string, std::string>, std::string> sources;
  for (const auto& api : result.set->apis()) {
    for (const auto* s : result.set->scenarios(api)) {
      for (const auto& document : documents) {
        if (s->where.file == document.name) sources[{api, s->name}] = document.name;
      }
    }
  }
  std::lock_guard lock(mutex_);
  current_ = result.set;
  runtime_ = std::move(documents);
  runtime_sources_ = std::move(sources);
}

LoadResult ScenarioRegistry::reload() {
  std::lock_guard serial(reload_mutex_);
  std::vector<RuntimeDocument> documents;
  {
    std::lock_guard lock(mutex_);
    documents = runtime_;
  }
  LoadResult result = load(documents);
  if (result.ok()) install(result, std::move(documents));
  std::lock_guard lock(mutex_);
  last_reload_ = {result.ok(), result.ok() ? std::string() : result.report(), std::chrono::system_clock::now(), result.files.size()};
  return result;
}

std::shared_ptr<const ScenarioSet> ScenarioRegistry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ScenarioRegistry::ReloadStatus ScenarioRegistry::last_reload() const {
  std::lock_guard lock(mutex_);
  return last_reload_;
}

ScenarioRegistry::AddResult ScenarioRegistry::add_runtime(const std::string& name, const std::string& text) {
  std::lock_guard serial(reload_mutex_);
  std::vector<RuntimeDocument> documents;
  {
    std::lock_guard lock(mutex_);
    documents = runtime_;
  }
  // A document posted again under the same name replaces the earlier one.
  documents.erase(std::remove_if(documents.begin(), documents.end(), [&](const RuntimeDocument& d) { return d.name == name; }), documents.end());
  AddResult out;
  out.load = load_scenario_text(name, text, options_);
  if (!out.load.ok()) return out;
  RuntimeDocument document{name, text, {}};
  for (const auto& api : out.load.set->apis()) {
    for (const auto* s : out.load.set->scenarios(api)) document.scenarios.emplace_back(api, s->name);
  }
  documents.push_back(document);
  out.load = load(documents);
  if (!out.load.ok()) return out;
  out.added = document.scenarios;
  install(out.load, std::move(documents));
  return out;
}

ScenarioRegistry::RemoveResult ScenarioRegistry::remove_runtime(const std::string& api, const std::string& name) {
  std::lock_guard serial(reload_mutex_);
  std::vector<RuntimeDocument> documents;
  {
    std::lock_guard lock(mutex_);
    documents = runtime_;
  }
  RemoveResult out;
  std::pair<std::string, std::string> wanted{api, name};
  std::vector<RuntimeDocument> kept;
  for (auto& document : documents) {
    if (std::find(document.scenarios.begin(), document.scenarios.end(), wanted) == document.scenarios.end()) {
      kept.push_back(std::move(document));
    } else {
      for (const auto& scenario : document.scenarios) {
        if (std::find(out.removed.begin(), out.removed.end(), scenario) == out.removed.end()) out.removed.push_back(scenario);
      }
    }
  }
  if (out.removed.empty()) return out;
  out.load = load(kept);
  if (out.load.ok()) install(out.load, std::move(kept));
  return out;
}

bool ScenarioRegistry::is_runtime(const std::string& api, const std::string& name) const {
  std::lock_guard lock(mutex_);
  return runtime_sources_.count({api, name}) > 0;
}

}  // namespace runmock::scenario
