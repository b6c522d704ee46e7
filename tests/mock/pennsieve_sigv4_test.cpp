// The webhook signer against the AWS SigV4 test suite (header signing), read from
// ../shared/reference/sigv4/v4 (never copied into the project).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dialects/pennsieve.h"

namespace fs = std::filesystem;
using nlohmann::json;
namespace sigv4 = runmock::dialects::sigv4;

namespace {

fs::path vectors_dir() { return fs::path(RUNMOCK_SOURCE_DIR) / ".." / "shared" / "reference" / "sigv4" / "v4"; }

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

sigv4::Request parse_request(const std::string& text) {
  sigv4::Request request;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  auto first = line.find(' ');
  auto last = line.rfind(" HTTP/");
  request.method = line.substr(0, first);
  std::string target = line.substr(first + 1, last - first - 1);
  auto q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string::npos ? "" : target.substr(q + 1);
  while (std::getline(in, line)) {
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += " " + line;
      continue;
    }
    auto colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  request.body = body;
  return request;
}

TEST(PennsieveSigV4, MatchesTheAwsHeaderSigningVectors) {
  ASSERT_TRUE(fs::is_directory(vectors_dir())) << vectors_dir();
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(vectors_dir())) {
    if (!fs::exists(entry.path() / "header-signature.txt")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    json context = json::parse(read(entry.path() / "context.json"));
    sigv4::Request request = parse_request(read(entry.path() / "request.txt"));
    std::string timestamp = context["timestamp"];  // 2015-08-30T12:36:00Z
    std::string amz_date = timestamp.substr(0, 4) + timestamp.substr(5, 2) + timestamp.substr(8, 2) + "T" + timestamp.substr(11, 2) +
                           timestamp.substr(14, 2) + timestamp.substr(17, 2) + "Z";
    request.headers.emplace_back("X-Amz-Date", amz_date);
    sigv4::Credentials credentials{context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"],
                                   context["credentials"].value("token", "")};
    if (!credentials.session_token.empty() && !context.value("omit_session_token", false)) {
      request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    if (context.value("sign_body", false)) request.headers.emplace_back("X-Amz-Content-Sha256", sigv4::sha256_hex(request.body));
    auto signed_request = sigv4::sign(request, credentials, context["region"], context["service"], amz_date, context.value("normalize", true));
    EXPECT_EQ(signed_request.canonical_request, read(entry.path() / "header-canonical-request.txt"));
    EXPECT_EQ(signed_request.string_to_sign, read(entry.path() / "header-string-to-sign.txt"));
    EXPECT_EQ(signed_request.signature, read(entry.path() / "header-signature.txt"));
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(PennsieveSigV4, AuthorizationHeaderShape) {
  sigv4::Request request{"POST", "/", "", {{"host", "abc.lambda-url.us-east-1.on.aws"}, {"x-amz-date", "20240115T103000Z"}}, "{}"};
  auto s = sigv4::sign(request, {"AKIDEXAMPLE", "secret", ""}, "us-east-1", "lambda", "20240115T103000Z");
  EXPECT_EQ(s.authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=", 0), 0u);
  EXPECT_EQ(s.signature.size(), 64u);
}

}  // namespace
