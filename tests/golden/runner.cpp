#include "golden/runner.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "loader/yaml_json.h"

namespace runmock::golden {

Runner::Runner(std::filesystem::path source_dir, std::string binary, std::filesystem::path binary_source_dir)
    : source_dir_(std::move(source_dir)),
      binary_source_dir_(binary_source_dir.empty() ? source_dir_ : std::move(binary_source_dir)),
      binary_(std::move(binary)),
      vars_(source_dir_) {}

Runner::~Runner() { close_streams(); }

const std::map<std::string, Runner::Step>& Runner::steps() {
  static const std::map<std::string, Step> table = {
      {"server", &Runner::step_server},       {"section", &Runner::step_section},
      {"set", &Runner::step_set},             {"request", &Runner::step_request},
      {"fixture", &Runner::step_fixture},     {"fixtures", &Runner::step_fixtures},
      {"advance", &Runner::step_advance},     {"poll", &Runner::step_poll},
      {"paginate", &Runner::step_paginate},   {"burst", &Runner::step_burst},
      {"stream", &Runner::step_stream},       {"stream_wait", &Runner::step_stream_wait},
      {"stream_close", &Runner::step_stream_close}, {"receiver", &Runner::step_receiver},
      {"webhook_wait", &Runner::step_webhook_wait},
  };
  return table;
}

std::string Runner::run(const std::filesystem::path& script) {
  set_script_file(script.filename().string());
  try {
    root_ = YAML::LoadFile(script.string());
  } catch (const YAML::Exception& e) {
    throw ScriptError(script.filename().string() + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  load(root_);
  for (const auto& step : root_["steps"]) run_step(step);
  close_streams();
  std::string out;
  for (const auto& block : blocks_) out += block;
  return out + coverage_.report(*operations_);
}

void Runner::load(const YAML::Node& root) {
  if (!root.IsMap()) fail_at(root, "the script is a mapping: apis, servers, header_sets, vars, masks, steps");
  check_keys(root, {"apis", "servers", "header_sets", "vars", "masks", "steps"});
  std::vector<ApiInfo> apis;
  for (const auto& api : root["apis"]) {
    check_keys(api.second, {"contract", "prefix"});
    apis.push_back({api.first.Scalar(), scalar(api.second["contract"], "contract"), scalar(api.second["prefix"], "prefix")});
  }
  operations_ = std::make_unique<Operations>(source_dir_, apis);
  for (const auto& item : root["vars"]) vars_.set(item.first.Scalar(), vars_.expand(scalar(item.second, item.first.Scalar()), item.second));
  load_masks(root["masks"]);
  if (!root["steps"].IsSequence()) fail_at(root["steps"], "steps must be a list");
}

void Runner::load_masks(const YAML::Node& masks) {
  for (const auto& mask : masks) {
    check_keys(mask, {"pattern", "replace", "why"});
    scalar(mask["why"], "why (a mask says why the value cannot be pinned)");
    try {
      masks_.push_back({std::regex(scalar(mask["pattern"], "pattern")), scalar(mask["replace"], "replace")});
    } catch (const std::regex_error& e) {
      fail_at(mask["pattern"], std::string("not a regular expression: ") + e.what());
    }
  }
}

void Runner::run_step(const YAML::Node& step) {
  if (!step.IsMap()) fail_at(step, "a step is a mapping whose first key names its kind");
  std::string kind = step.begin()->first.Scalar();
  auto found = steps().find(kind);
  if (found == steps().end()) fail_at(step, "unknown step '" + kind + "'");
  (this->*found->second)(step);
}

void Runner::step_server(const YAML::Node& step) {
  check_keys(step, {"server"});
  std::string name = scalar(step["server"], "server");
  YAML::Node args = root_["servers"][name];
  if (!args.IsSequence()) fail_at(step["server"], "no server '" + name + "' under servers");
  close_streams();
  server_.reset();
  std::vector<std::string> arguments;
  for (const auto& arg : args) arguments.push_back(scalar(arg, "a server argument"));
  server_ = std::make_unique<testing::RunmockProcess>(arguments, true, binary_);
  vars_.set("token", server_->token());
  std::string line;
  for (const auto& arg : arguments) line += " " + arg;
  blocks_.push_back("=== server " + name + ": runmock" + line + "\n\n");
}

void Runner::step_section(const YAML::Node& step) {
  check_keys(step, {"section"});
  blocks_.push_back("=== section: " + scalar(step["section"], "section") + "\n\n");
}

void Runner::step_set(const YAML::Node& step) {
  check_keys(step, {"set"});
  for (const auto& item : step["set"]) vars_.set(item.first.Scalar(), vars_.expand(scalar(item.second, item.first.Scalar()), item.second));
}

std::string Runner::block_head(const HttpRequest& request, const std::string& note) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", ++exchanges_);
  std::string label = operations_->label(request.method, request.target);
  coverage_.count(label);
  return "=== " + std::string(number) + " " + label + "\n" + (note.empty() ? "" : "# " + note + "\n");
}

HttpAnswer Runner::exchange(const HttpRequest& request, const YAML::Node& step, const std::string& note) {
  if (!server_) fail_at(step, "no server is running (start one with a server step)");
  std::string given = step["note"] ? scalar(step["note"], "note") : "";
  std::string head = block_head(request, note.empty() ? given : note);
  HttpAnswer answer = send_request(server_->port(), request);
  std::string captured = step["capture"] ? capture(step["capture"], answer) : "";
  blocks_.push_back(normalize(head + format_request(request) + format_answer(answer) + captured + "\n"));
  return answer;
}

// Values the transcript cannot pin, made stable: the ports (chosen by the kernel), the source
// folders (scenario files are named by absolute path) and the script's masks.
std::string Runner::normalize(std::string text) const {
  auto replace_all = [&text](const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
  };
  replace_all(source_dir_.string(), "${source_dir}");
  replace_all(binary_source_dir_.string(), "${source_dir}");
  if (server_) {
    for (const char* host : {"127.0.0.1:", "localhost:", "[::1]:"}) replace_all(host + std::to_string(server_->port()), host + std::string("${port}"));
  }
  if (receiver_) {
    replace_all("127.0.0.1:" + std::to_string(receiver_->port()), "127.0.0.1:${hook_port}");
    replace_all("localhost:" + std::to_string(receiver_->port()), "localhost:${hook_port}");
  }
  for (const auto& mask : masks_) text = std::regex_replace(text, mask.pattern, mask.replace);
  return text;
}

std::string Runner::capture(const YAML::Node& spec, const HttpAnswer& answer) {
  nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
  std::string notes;
  for (const auto& item : spec) {
    std::string name = item.first.Scalar(), pointer = scalar(item.second, "a capture's JSON pointer");
    nlohmann::json::json_pointer at = pointer_of(item.second);
    if (body.is_discarded() || !body.contains(at)) {
      vars_.set(name, "<absent " + pointer + ">");
      notes += "# capture " + name + ": " + pointer + " is absent\n";
      continue;
    }
    vars_.set(name, text_of(body.at(at)));
  }
  return notes;
}

bool Runner::reached(const YAML::Node& until, const HttpAnswer& answer) const {
  nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) return false;
  for (const auto& item : until) {
    nlohmann::json::json_pointer at = pointer_of(item.first);
    if (!body.contains(at)) return false;
    std::string text = text_of(body.at(at));
    bool any = false;
    for (const auto& accepted : item.second) any = any || accepted.Scalar() == text;
    if (!any) return false;
  }
  return true;
}

std::vector<std::string> Runner::missing() const { return coverage_.missing(*operations_); }

}  // namespace runmock::golden
