// Runs tests/golden/script.yaml against the real binary and writes the transcript: every exchange
// (the request as sent, the answer as received), every webhook call runmock made, and a coverage
// section. The script's format is described in tests/golden/README.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "golden/coverage.h"
#include "golden/exchange.h"
#include "golden/receiver.h"
#include "golden/script.h"
#include "support/runmock_process.h"

namespace runmock::golden {

class Runner {
 public:
  // `binary_source_dir`: the tree `binary` was built from (it names its bundled scenarios by
  // absolute path), when not `source_dir`.
  Runner(std::filesystem::path source_dir, std::string binary, std::filesystem::path binary_source_dir = {});
  ~Runner();
  // The whole transcript of `script` (a ScriptError on a mistake in the script).
  std::string run(const std::filesystem::path& script);
  // The operations no exchange reached.
  std::vector<std::string> missing() const;
  int exchanges() const { return exchanges_; }

 private:
  struct Mask {
    std::regex pattern;
    std::string replace;
  };
  struct Stream {
    std::unique_ptr<StreamReader> reader;
    std::size_t block;
    std::string head;
  };
  using Step = void (Runner::*)(const YAML::Node&);
  static const std::map<std::string, Step>& steps();

  void load(const YAML::Node& root);
  void load_masks(const YAML::Node& masks);
  void run_step(const YAML::Node& step);

  // Steps (tests/golden/README.md).
  void step_server(const YAML::Node& step);
  void step_section(const YAML::Node& step);
  void step_set(const YAML::Node& step);
  void step_request(const YAML::Node& step);
  void step_fixture(const YAML::Node& step);
  void step_fixtures(const YAML::Node& step);
  void step_advance(const YAML::Node& step);
  void step_poll(const YAML::Node& step);
  void step_paginate(const YAML::Node& step);
  void step_burst(const YAML::Node& step);
  void step_stream(const YAML::Node& step);
  void step_stream_wait(const YAML::Node& step);
  void step_stream_close(const YAML::Node& step);
  void step_receiver(const YAML::Node& step);
  void step_webhook_wait(const YAML::Node& step);

  // Requests.
  HttpRequest request_line(const YAML::Node& step, const YAML::Node& line);
  void add_headers(HttpRequest& request, const YAML::Node& step, const std::string& default_set);
  void apply_header_set(HttpRequest& request, const std::string& name, const YAML::Node& where);
  void apply_header_overrides(HttpRequest& request, const YAML::Node& headers);
  void add_body(HttpRequest& request, const YAML::Node& step);
  HttpRequest fixture_request(const YAML::Node& step, const std::string& file, const nlohmann::json& fixture);
  HttpAnswer exchange(const HttpRequest& request, const YAML::Node& step, const std::string& note = "");
  std::string capture(const YAML::Node& spec, const HttpAnswer& answer);
  bool reached(const YAML::Node& until, const HttpAnswer& answer) const;

  // The transcript.
  std::string block_head(const HttpRequest& request, const std::string& note);
  std::string normalize(std::string text) const;
  void close_streams();

  std::filesystem::path source_dir_;
  std::filesystem::path binary_source_dir_;
  std::string binary_;
  Vars vars_;
  YAML::Node root_;
  std::unique_ptr<Operations> operations_;
  Coverage coverage_;
  std::vector<Mask> masks_;
  std::unique_ptr<testing::RunmockProcess> server_;
  std::unique_ptr<WebhookReceiver> receiver_;
  std::string webhook_label_;
  std::size_t webhook_calls_recorded_ = 0;
  std::map<std::string, Stream> streams_;
  std::vector<std::string> blocks_;
  int exchanges_ = 0;
};

}  // namespace runmock::golden
