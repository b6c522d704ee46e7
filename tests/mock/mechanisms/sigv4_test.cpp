// The SigV4 signer against AWS's published vectors: the SigV4 test suite (header signing), read
// from ../shared/reference/sigv4/v4 (never copied into the project), and the worked example of
// AWS's documentation (IAM ListUsers); then what the suite does not cover: stray '%' escapes.
#include "mechanisms/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mechanisms/digest.h"

namespace fs = std::filesystem;
using nlohmann::json;
namespace sigv4 = runmock::mechanisms::sigv4;
using runmock::mechanisms::hex;
using runmock::mechanisms::sha256_hex;

namespace {

constexpr const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const sigv4::Credentials kExampleCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

fs::path vectors_dir() { return fs::path(RUNMOCK_SOURCE_DIR) / ".." / "shared" / "reference" / "sigv4" / "v4"; }

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A request.txt of the suite: the request line, headers (a line starting with white space
// continues the header before it), a blank line, the body.
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
  request.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return request;
}

// "2015-08-30T12:36:00Z" → "20150830T123600Z".
std::string amz_date_of(const std::string& timestamp) {
  return timestamp.substr(0, 4) + timestamp.substr(5, 2) + timestamp.substr(8, 2) + "T" + timestamp.substr(11, 2) + timestamp.substr(14, 2) +
         timestamp.substr(17, 2) + "Z";
}

TEST(SigV4, MatchesTheAwsHeaderSigningVectors) {
  ASSERT_TRUE(fs::is_directory(vectors_dir())) << vectors_dir();
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(vectors_dir())) {
    if (!fs::exists(entry.path() / "header-signature.txt")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    json context = json::parse(read(entry.path() / "context.json"));
    sigv4::Request request = parse_request(read(entry.path() / "request.txt"));
    std::string amz_date = amz_date_of(context["timestamp"]);
    request.headers.emplace_back("X-Amz-Date", amz_date);
    sigv4::Credentials credentials{context["credentials"]["access_key_id"], context["credentials"]["secret_access_key"],
                                   context["credentials"].value("token", "")};
    if (!credentials.session_token.empty() && !context.value("omit_session_token", false)) {
      request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }
    if (context.value("sign_body", false)) request.headers.emplace_back("X-Amz-Content-Sha256", sha256_hex(request.body));
    auto signed_request = sigv4::sign(request, credentials, context["region"], context["service"], amz_date, context.value("normalize", true));
    EXPECT_EQ(signed_request.canonical_request, read(entry.path() / "header-canonical-request.txt"));
    EXPECT_EQ(signed_request.string_to_sign, read(entry.path() / "header-string-to-sign.txt"));
    EXPECT_EQ(signed_request.signature, read(entry.path() / "header-signature.txt"));
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(SigV4, MatchesTheWorkedExampleOfTheAwsDocumentation) {
  // "Create a signed AWS API request": GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08.
  sigv4::Request request{"GET",
                         "/",
                         "Action=ListUsers&Version=2010-05-08",
                         {{"Host", "iam.amazonaws.com"},
                          {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                          {"X-Amz-Date", "20150830T123600Z"}},
                         ""};
  auto s = sigv4::sign(request, kExampleCredentials, "us-east-1", "iam", "20150830T123600Z");
  EXPECT_EQ(s.canonical_request, std::string("GET\n/\nAction=ListUsers&Version=2010-05-08\n") +
                                     "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n" +
                                     "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" + kEmptyHash);
  EXPECT_EQ(sha256_hex(s.canonical_request), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(hex(sigv4::signing_key(kExampleCredentials.secret_access_key, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(s.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, SigningKeyOfTheAwsKeyDerivationExample) {
  EXPECT_EQ(hex(sigv4::signing_key(kExampleCredentials.secret_access_key, "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, AuthorizationHeaderShape) {
  sigv4::Request request{"POST", "/", "", {{"host", "abc.lambda-url.us-east-1.on.aws"}, {"x-amz-date", "20240115T103000Z"}}, "{}"};
  auto s = sigv4::sign(request, {"AKIDEXAMPLE", "secret", ""}, "us-east-1", "lambda", "20240115T103000Z");
  EXPECT_EQ(s.authorization.rfind(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=", 0),
            0u);
  EXPECT_EQ(s.signature.size(), 64u);
}

// The canonical request's second and third lines: the path and the query.
std::pair<std::string, std::string> canonical_path_and_query(const std::string& path, const std::string& query, bool normalize = true) {
  sigv4::Request request{"GET", path, query, {{"host", "example.amazonaws.com"}}, ""};
  std::istringstream lines(sigv4::sign(request, kExampleCredentials, "us-east-1", "service", "20150830T123600Z", normalize).canonical_request);
  std::string method, canonical_path, canonical_query;
  std::getline(lines, method);
  std::getline(lines, canonical_path);
  std::getline(lines, canonical_query);
  return {canonical_path, canonical_query};
}

TEST(SigV4, AStrayPercentIsSignedAsTheLiteralPercentItIs) {
  // fuzz/known-crashes/sigv4/query-bad-escape.txt: "%zz" made the old decoder throw.
  EXPECT_EQ(canonical_path_and_query("/webhook", "x=%zz").second, "x=%25zz");
  // Half an escape was read as one ("%4z" as byte 4): now it is literal too.
  EXPECT_EQ(canonical_path_and_query("/", "a=%4z&b=%-1&c=%+f&d=% 4").second, "a=%254z&b=%25-1&c=%25%2Bf&d=%25%204");
  EXPECT_EQ(canonical_path_and_query("/", "a=%4&b=%").second, "a=%254&b=%25");
  EXPECT_EQ(canonical_path_and_query("/a%zzb/%", "").first, "/a%25zzb/%25");
}

TEST(SigV4, ValidEscapesAreDecodedThenEncodedAgain) {
  EXPECT_EQ(canonical_path_and_query("/", "k=%41%2f%2F%7e%20").second, "k=A%2F%2F~%20");
  EXPECT_EQ(canonical_path_and_query("/caf%C3%a9", "").first, "/caf%C3%A9");
  EXPECT_EQ(canonical_path_and_query("/%41%4", "").first, "/A%254");
}

TEST(SigV4, PathsAreNormalizedUnlessToldNot) {
  EXPECT_EQ(canonical_path_and_query("/a//b/./c/../d/", "").first, "/a/b/d/");
  EXPECT_EQ(canonical_path_and_query("/a/b/..", "").first, "/a/");
  EXPECT_EQ(canonical_path_and_query("/../..", "").first, "/");
  EXPECT_EQ(canonical_path_and_query("", "").first, "/");
  EXPECT_EQ(canonical_path_and_query("/a//b/./c/../d/", "", false).first, "/a//b/./c/../d/");
}

TEST(SigV4, AGivenPayloadHashReplacesTheBodysHash) {
  sigv4::Request request{"PUT", "/key", "", {{"host", "bucket.s3.amazonaws.com"}}, "body"};
  auto hashed = sigv4::sign(request, kExampleCredentials, "us-east-1", "s3", "20150830T123600Z", false);
  auto unsigned_payload = sigv4::sign(request, kExampleCredentials, "us-east-1", "s3", "20150830T123600Z", false, "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(hashed.canonical_request.ends_with("\n" + sha256_hex("body")));
  EXPECT_TRUE(unsigned_payload.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(hashed.signature, unsigned_payload.signature);
}

}  // namespace
