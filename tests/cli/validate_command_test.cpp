// `runmock validate` end to end: the real binary, real files, exit codes and output lines.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string output;  // standard output and standard error
};

Result run(const std::string& arguments) {
  std::string command = std::string(RUNMOCK_BINARY) + " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class ValidateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("runmock-validate-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    fs::path file = dir_ / name;
    std::ofstream(file) << content;
    return file.string();
  }

  fs::path dir_;
};

}  // namespace

TEST_F(ValidateCommand, ValidRequestExitsZero) {
  auto body = write("body.json", R"({"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": {"include": ["PostgreSQL.dvdrental.public.actor"]}, "save_all": true})");
  auto r = run("validate --api emergence --operation createWorkflowRun --request --workflow-type generate-table-description " + body);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, body + ": valid\n");
}

TEST_F(ValidateCommand, InvalidResponseExitsOneWithPointerMessageAndSchemaLocation) {
  auto body = write("run.json", R"({"id": "123e4567-e89b-12d3-a456-426614174002", "configuration_id": "123e4567-e89b-12d3-a456-426614174000", "started_at": "2024-01-15T10:30:00Z", "status": 7})");
  auto r = run("validate --api emergence --operation createWorkflowRun --response 201 " + body);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(body + ": /status: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[https://runmock.dev/contracts/emergence/schemas/"), std::string::npos) << r.output;
}

TEST_F(ValidateCommand, StandardInputAndJsonOutput) {
  auto input = write("input.json", R"({"run_mode": "fast"})");
  auto r = run("validate --api amperity --operation startWorkflowRun --request --json - < " + input);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto out = nlohmann::json::parse(r.output);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["file"], "-");
  EXPECT_EQ(out[0]["valid"], false);
  EXPECT_FALSE(out[0]["errors"].empty());
}

TEST_F(ValidateCommand, FormEncodedRequest) {
  auto body = write("start.form", "config_id=cg-123ABc4DE&run_mode=source");
  auto r = run("validate --api amperity --operation startWorkflowRun --request --content-type application/x-www-form-urlencoded " + body);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(ValidateCommand, AnySchemaWithReferencesAndDraft7) {
  auto common = write("common.json", R"({"$id": "https://example.test/common.json", "$defs": {"id": {"type": "string", "format": "uuid"}}})");
  auto schema = write("schema.json", R"({"$id": "https://example.test/run.json", "properties": {"id": {"$ref": "common.json#/$defs/id"}}})");
  auto good = write("good.json", R"({"id": "123e4567-e89b-12d3-a456-426614174002"})");
  auto bad = write("bad.json", R"({"id": "nope"})");
  EXPECT_EQ(run("validate --schema " + schema + " --ref " + common + " " + good + " " + bad).exit_code, 0) << "format only annotates by default";
  auto r = run("validate --schema " + schema + " --ref " + common + " --format-assert " + good + " " + bad);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(bad + ": /id: 'nope' is not a valid uuid [https://example.test/common.json#/$defs/id/format]"), std::string::npos) << r.output;
  auto d7 = write("d7.json", R"({"items": [{"type": "string"}], "additionalItems": false})");
  auto pair = write("pair.json", R"(["a", "b"])");
  EXPECT_EQ(run("validate --schema " + d7 + " --draft 7 " + pair).exit_code, 1);
}

TEST_F(ValidateCommand, UsageAndIoErrorsExitTwo) {
  EXPECT_EQ(run("validate --api emergence --operation nope --request x.json").exit_code, 2);
  EXPECT_EQ(run("validate --api nowhere --operation x --request x.json").exit_code, 2);
  auto body = write("b.json", "{}");
  EXPECT_EQ(run("validate --api emergence --operation createWorkflowRun " + body).exit_code, 2) << "neither --request nor --response";
  EXPECT_EQ(run("validate --api emergence --operation createWorkflowRun --request " + (dir_ / "missing.json").string()).exit_code, 2);
  auto broken = write("broken.json", "{\n  \"properties\": {\n    \"a\": {\"$ref\": \"#/nowhere\"}\n  }\n}");
  auto r = run("validate --schema " + broken + " " + body);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(broken + ":3:10: cannot resolve reference '#/nowhere'"), std::string::npos) << r.output;
  EXPECT_EQ(run("validate").exit_code, 2);
}

TEST_F(ValidateCommand, MalformedPayloadIsInvalid) {
  auto body = write("bad.json", "{\"a\": ");
  auto r = run("validate --schema " + write("s.json", "{}") + " " + body);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("not valid JSON"), std::string::npos) << r.output;
}

TEST(RunmockBinary, HelpAndVersion) {
  EXPECT_EQ(run("--version").output, "runmock 0.1.0\n");
  auto help = run("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("validate"), std::string::npos);
}
