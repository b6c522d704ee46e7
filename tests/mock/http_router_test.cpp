#include <gtest/gtest.h>

#include <stdexcept>

#include "http/router.h"

namespace runmock::http {
namespace {

TEST(PathTemplate, MatchesLiteralsAndParameters) {
  PathTemplate t("/api/data-readiness/workflows/{configuration_id}/runs/{run_id}");
  PathParams params;
  ASSERT_TRUE(t.match("/api/data-readiness/workflows/c-1/runs/r-2", &params));
  EXPECT_EQ(params.at("configuration_id"), "c-1");
  EXPECT_EQ(params.at("run_id"), "r-2");
  EXPECT_EQ(t.literal_segments(), 4u);
  EXPECT_FALSE(t.match("/api/data-readiness/workflows/c-1/runs"));
  EXPECT_FALSE(t.match("/api/data-readiness/workflows/c-1/runs/r-2/cancel"));
  EXPECT_FALSE(t.match("/api/data-readiness/workflows//runs/r-2")) << "a parameter never matches an empty segment";
  EXPECT_FALSE(t.match("/api/data-readiness/workflows/c-1/runs/r-2/")) << "a trailing slash is another path";
  EXPECT_FALSE(t.match("api/data-readiness/workflows/c-1/runs/r-2"));
}

TEST(PathTemplate, ParameterNamesMayHoldHyphens) {
  PathTemplate t("/api/workflow/runs/{workflow-id}/stop");
  PathParams params;
  ASSERT_TRUE(t.match("/api/workflow/runs/wf-1/stop", &params));
  EXPECT_EQ(params.at("workflow-id"), "wf-1");
}

TEST(PathTemplate, AParameterMayCarryALiteralSuffix) {
  PathTemplate t("/tasks/{id}:cancel");
  PathParams params;
  ASSERT_TRUE(t.match("/tasks/t-1:cancel", &params));
  EXPECT_EQ(params.at("id"), "t-1");
  EXPECT_FALSE(t.match("/tasks/:cancel")) << "the parameter's part is never empty";
  EXPECT_FALSE(t.match("/tasks/t-1"));
  EXPECT_FALSE(t.match("/tasks/t-1:stop"));
  EXPECT_EQ(t.shape(), "/tasks/{}:cancel");
  EXPECT_EQ(t.suffixed_segments(), 1u);
  EXPECT_THROW(PathTemplate("/tasks/{id}:{verb}"), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/tasks/{id}x}"), std::invalid_argument);
}

TEST(Router, ASuffixedParameterWinsOverABareOne) {
  Router router;
  router.add("POST", "/tasks/{id}");
  router.add("POST", "/tasks/{id}:cancel");
  auto m = router.match("POST", "/tasks/t-1:cancel");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 1u);
  EXPECT_EQ(m.params.at("id"), "t-1");
  m = router.match("POST", "/tasks/t-1");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 0u);
}

TEST(PathTemplate, RootAndLiteralOnly) {
  EXPECT_TRUE(PathTemplate("/").match("/"));
  EXPECT_FALSE(PathTemplate("/").match("/x"));
  EXPECT_TRUE(PathTemplate("/__runmock/health").match("/__runmock/health"));
}

TEST(PathTemplate, RefusesMalformedTemplates) {
  EXPECT_THROW(PathTemplate("runs"), std::invalid_argument);
  EXPECT_THROW(PathTemplate(""), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/runs/{id"), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/runs/{}"), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/runs/x{id}"), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/runs/{id}/{id}"), std::invalid_argument);
}

TEST(Router, FoundWrongMethodNotFound) {
  Router router;
  EXPECT_EQ(router.add("GET", "/runs"), 0u);
  EXPECT_EQ(router.add("POST", "/runs"), 1u);
  EXPECT_EQ(router.add("GET", "/runs/{id}"), 2u);
  EXPECT_EQ(router.add("POST", "/runs/{id}/cancel"), 3u);

  auto m = router.match("POST", "/runs");
  EXPECT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 1u);

  m = router.match("GET", "/runs/42");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 2u);
  EXPECT_EQ(m.params.at("id"), "42");

  m = router.match("DELETE", "/runs/42");
  EXPECT_EQ(m.kind, Router::Match::Kind::wrong_method);
  EXPECT_EQ(join_methods(m.allowed), "GET, HEAD, OPTIONS");

  m = router.match("GET", "/runs/42/cancel");
  EXPECT_EQ(m.kind, Router::Match::Kind::wrong_method);
  EXPECT_EQ(join_methods(m.allowed), "OPTIONS, POST");

  m = router.match("GET", "/nothing");
  EXPECT_EQ(m.kind, Router::Match::Kind::not_found);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, HeadIsAnsweredByGet) {
  Router router;
  router.add("GET", "/runs/{id}");
  auto m = router.match("HEAD", "/runs/1");
  EXPECT_EQ(m.kind, Router::Match::Kind::found);
}

TEST(Router, TheMoreLiteralTemplateWins) {
  Router router;
  router.add("GET", "/runs/{id}");
  router.add("GET", "/runs/status");
  auto m = router.match("GET", "/runs/status");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 1u);
  m = router.match("GET", "/runs/other");
  EXPECT_EQ(m.index, 0u);
}

TEST(PathTemplate, ACatchAllTakesTheRestOfThePath) {
  PathTemplate all("/{path...}");
  PathParams params;
  ASSERT_TRUE(all.match("/", &params));
  EXPECT_EQ(params.at("path"), "");
  ASSERT_TRUE(all.match("/api/runs/r-1/", &params));
  EXPECT_EQ(params.at("path"), "api/runs/r-1/");
  EXPECT_TRUE(all.catch_all());
  EXPECT_EQ(all.literal_segments(), 0u);

  PathTemplate under("/files/{name}/{rest...}");
  ASSERT_TRUE(under.match("/files/a/b/c", &params));
  EXPECT_EQ(params.at("name"), "a");
  EXPECT_EQ(params.at("rest"), "b/c");
  EXPECT_FALSE(under.match("/files"));
  EXPECT_FALSE(under.match("/other/a/b"));
  EXPECT_THROW(PathTemplate("/{rest...}/more"), std::invalid_argument);
  EXPECT_THROW(PathTemplate("/{a}/{a...}"), std::invalid_argument);
}

TEST(Router, ACatchAllLosesToEveryOtherMatch) {
  Router router;
  router.add("GET", "/{path...}");
  router.add("GET", "/{id}");
  router.add("GET", "/__runmock/health");
  EXPECT_EQ(router.match("GET", "/__runmock/health").index, 2u);
  EXPECT_EQ(router.match("GET", "/x").index, 1u);
  auto m = router.match("GET", "/x/y");
  ASSERT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.index, 0u);
  EXPECT_EQ(m.params.at("path"), "x/y");
}

TEST(Router, RefusesTheSameRouteTwice) {
  Router router;
  router.add("GET", "/runs/{id}");
  EXPECT_THROW(router.add("GET", "/runs/{run_id}"), std::invalid_argument) << "same shape, another parameter name";
  EXPECT_NO_THROW(router.add("POST", "/runs/{id}"));
}

}  // namespace
}  // namespace runmock::http
