// Callback URLs: their parts, Lambda Function URLs and their regions, loopback hosts, and which
// URLs each policy accepts.
#include "mechanisms/callback_url.h"

#include <gtest/gtest.h>

#include <regex>

namespace {

using namespace runmock::mechanisms;

const std::string kLambda = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws/hook?x=1";

TEST(CallbackUrl, ParseUrlSplitsSchemeHostPortAndPath) {
  auto url = parse_url("http://127.0.0.1:8080/hook?attempt=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->path, "/hook?attempt=1");

  url = parse_url("https://[::1]/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "[::1]");
  EXPECT_EQ(url->port, "");
}

TEST(CallbackUrl, ParseUrlGivesAtLeastASlash) {
  EXPECT_EQ(parse_url("https://example.com")->path, "/");
  EXPECT_EQ(parse_url("https://example.com?x=1")->path, "/?x=1");
  EXPECT_EQ(parse_url("http://example.com:1")->path, "/");
}

TEST(CallbackUrl, ParseUrlRefusesOtherUrls) {
  for (const char* url : {"", "ftp://example.com/", "HTTP://example.com/", "http://", "http:///path", "http://host#frag",
                          "http://host/path#frag", "http://host:123456/", "http://host:/", "http://host:port/", "http://user:pw@host/",
                          "//host/path", "http://ho st:80x"}) {
    EXPECT_FALSE(parse_url(url)) << url;
  }
}

TEST(CallbackUrl, LambdaRegionReadsTheFunctionUrlsRegion) {
  EXPECT_EQ(lambda_region(kLambda), "eu-west-2");
  EXPECT_EQ(lambda_region("https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-gov-west-1.on.aws"), "us-gov-west-1");
  EXPECT_EQ(lambda_region("https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-1.on.aws/"), "ap-southeast-1");
}

TEST(CallbackUrl, LambdaRegionRefusesWhatIsNotAFunctionUrl) {
  for (const char* url : {"http://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws/",   // http
                          "https://abcdefghijklmnopqrstuvwxyz01234.lambda-url.eu-west-2.on.aws/",   // 31 characters
                          "https://ABCDEFGHIJKLMNOPQRSTUVWXYZ012345.lambda-url.eu-west-2.on.aws/",  // upper case
                          "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws:443/",
                          "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west.on.aws/",
                          "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws/#frag",
                          "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws.evil.com/",
                          "https://x.abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-2.on.aws/"}) {
    EXPECT_FALSE(lambda_region(url)) << url;
  }
}

TEST(CallbackUrl, LoopbackHostsByTheirText) {
  for (const char* host : {"localhost", "[::1]", "127.0.0.1", "127.1.2.3", "127.anything"}) EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"", "LOCALHOST", "::1", "[::2]", "128.0.0.1", "10.0.0.1", "localhost.example.com", "0.0.0.0"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(CallbackUrl, EachPolicyAcceptsItsUrls) {
  struct Case {
    std::string url;
    bool lambda_or_loopback, lambda, any;
  };
  const Case cases[] = {
      {kLambda, true, true, true},
      {"http://127.0.0.1:9000/hook", true, false, true},
      {"http://localhost:9000/", true, false, true},
      {"http://[::1]:9000/", true, false, true},
      {"http://127.0.0.1/hook", false, false, true},       // loopback needs an explicit port
      {"https://127.0.0.1:9000/hook", false, false, true},  // and plain http
      {"http://example.com:9000/hook", false, false, true},
      {"https://example.com/hook", false, false, true},
      {"not a url", false, false, false},
      {"http://127.0.0.1:9000/hook#frag", false, false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(accepted(c.url, CallbackPolicy::lambda_or_loopback), c.lambda_or_loopback) << c.url;
    EXPECT_EQ(accepted(c.url, CallbackPolicy::lambda), c.lambda) << c.url;
    EXPECT_EQ(accepted(c.url, CallbackPolicy::any), c.any) << c.url;
  }
}

TEST(CallbackUrl, PoliciesByName) {
  EXPECT_EQ(parse_callback_policy("lambda-or-loopback"), CallbackPolicy::lambda_or_loopback);
  EXPECT_EQ(parse_callback_policy("lambda"), CallbackPolicy::lambda);
  EXPECT_EQ(parse_callback_policy("any"), CallbackPolicy::any);
  EXPECT_EQ(parse_callback_policy("Any"), std::nullopt);
  EXPECT_EQ(parse_callback_policy(""), std::nullopt);
}

TEST(CallbackUrl, TheRuleARefusalQuotes) {
  EXPECT_EQ(acceptance_rule(CallbackPolicy::lambda), "must be a Lambda Function URL (https://<url-id>.lambda-url.<region>.on.aws/...)");
  EXPECT_EQ(acceptance_rule(CallbackPolicy::lambda_or_loopback),
            "must be a Lambda Function URL (https://<url-id>.lambda-url.<region>.on.aws/...) or a loopback URL (http://127.0.0.1:<port>/...)");
  EXPECT_EQ(acceptance_rule(CallbackPolicy::any), acceptance_rule(CallbackPolicy::lambda_or_loopback));
}

// The patterns pennsieve.cpp matched with std::regex before they moved to RE2: the same answers
// on awkward inputs (bytes that are not UTF-8, line breaks, brackets, long runs).
TEST(CallbackUrl, AnswersAsTheStdRegexPatternsDid) {
  const std::regex url_before(R"(^(https?)://(\[[^\]]+\]|[^/:?#]+)(?::([0-9]{1,5}))?([/?][^#]*)?$)");
  const std::regex lambda_before(
      R"(^https://[a-z0-9]{32}\.lambda-url\.([a-z]{2}(-gov)?-[a-z]+-[0-9])\.on\.aws(/[^?#]*)?([?][^#]*)?$)");
  const std::string inputs[] = {
      "http://h\xff\xfe:80/\x80",  "http://h\n:80/a\nb",  "http://[::1:80/",      "http://[abc]x/",         "http://[]/",
      "http://[a]]/",              "http://a[b]/",        "http://h:00080/",      "http://h:1/\xc3\xa9?\xc3", "https://h?#",
      "http://h/?a=b/c:d@e",       "http://u@h:1/",       "http://h:1?/q",        kLambda + "\xff",         kLambda + "\n",
      "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.xx-gov-abc-9.on.aws?/", "https://" + std::string(500, 'a') + "/",
  };
  for (const auto& input : inputs) {
    std::smatch m;
    bool url_matched = std::regex_match(input, m, url_before);
    auto parsed = parse_url(input);
    ASSERT_EQ(parsed.has_value(), url_matched) << input;
    if (url_matched) {
      EXPECT_EQ(parsed->scheme, m[1].str()) << input;
      EXPECT_EQ(parsed->host, m[2].str()) << input;
      EXPECT_EQ(parsed->port, m[3].str()) << input;
    }
    bool lambda_matched = std::regex_match(input, m, lambda_before);
    EXPECT_EQ(lambda_region(input), lambda_matched ? std::optional<std::string>(m[1].str()) : std::nullopt) << input;
  }
}

}  // namespace
