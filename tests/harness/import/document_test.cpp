// Reading an OpenAPI description (harness/import/source_document.h, document_set.h,
// document_facts.h): places, references across files, and every kind of bad input refused with
// file:line:col, never a crash or a hang.
#include <gtest/gtest.h>

#include "import/document_facts.h"
#include "import/document_set.h"
#include "import_test_support.h"

namespace {

using runmock::import::DocumentSet;
using runmock::import::Notes;
using runmock::import::SourceDocument;
using runmock::import::testing::document;
using runmock::import::testing::import_failure;
using runmock::import::testing::ScratchDir;

TEST(ImportDocument, PlacesAreNamedFileLineColumn) {
  auto doc = SourceDocument::parse("openapi: 3.1.0\npaths:\n  /tasks:\n    get: {operationId: list}\n", "api.yaml", false);
  EXPECT_EQ(doc.where("/paths/~1tasks/get/operationId"), "api.yaml:4:11");
  EXPECT_EQ(doc.where("/paths/~1tasks/nope/deeper"), "api.yaml:3:3") << "the deepest existing ancestor";
  auto json_doc = SourceDocument::parse("{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {}\n}", "api.json", true);
  EXPECT_EQ(json_doc.where("/paths"), "api.json:3:12");
}

TEST(ImportDocument, YamlErrorsNameTheirPlace) {
  auto [code, message] = import_failure([] { SourceDocument::parse("openapi: 3.1.0\npaths: {/a: [1, 2}\n", "bad.yaml", false); });
  EXPECT_EQ(code, 2);
  EXPECT_EQ(message.rfind("bad.yaml:2:", 0), 0u) << message;
  EXPECT_NE(message.find("not valid YAML"), std::string::npos) << message;
}

TEST(ImportDocument, JsonErrorsNameTheirPlace) {
  auto [code, message] = import_failure([] { SourceDocument::parse("{\n  \"openapi\": 3.1,\n  \"paths\": {,}\n}", "bad.json", true); });
  EXPECT_EQ(code, 2);
  EXPECT_EQ(message.rfind("bad.json:3:", 0), 0u) << message;
}

TEST(ImportDocument, HundredThousandDeepNestingIsRefused) {
  const std::string json_text = std::string(100000, '[') + std::string(100000, ']');
  auto [code, message] = import_failure([&] { SourceDocument::parse(json_text, "deep.json", true); });
  EXPECT_EQ(code, 2);
  EXPECT_EQ(message, "deep.json:1:129: nested more than 128 levels deep");
  const std::string yaml_text = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  auto [code2, message2] = import_failure([&] { SourceDocument::parse(yaml_text, "deep.yaml", false); });
  EXPECT_EQ(code2, 2);
  EXPECT_EQ(message2.rfind("deep.yaml:1:", 0), 0u) << message2;
  EXPECT_NE(message2.find("nested too deep"), std::string::npos) << message2;
  const std::string block = "openapi: 3.1.0\na:\n" + [] {
    std::string dashes;
    for (int i = 0; i < 100000; ++i) dashes += "- ";
    return dashes;
  }() + "x\n";
  auto [code3, message3] = import_failure([&] { SourceDocument::parse(block, "block.yaml", false); });
  EXPECT_EQ(code3, 2);
  EXPECT_EQ(message3.rfind("block.yaml:3:", 0), 0u) << message3;
}

TEST(ImportDocument, SwaggerAndOtherVersionsAreRefused) {
  auto swagger = SourceDocument::parse("swagger: '2.0'\ninfo: {title: x}\n", "old.yaml", false);
  auto [code, message] = import_failure([&] { runmock::import::openapi_version(swagger); });
  EXPECT_EQ(code, 2);
  EXPECT_EQ(message.rfind("old.yaml:1:1: this is a Swagger 2.0 document", 0), 0u) << message;
  auto four = SourceDocument::parse("openapi: 4.0.0\n", "new.yaml", false);
  EXPECT_EQ(import_failure([&] { runmock::import::openapi_version(four); }).first, 2);
  auto none = SourceDocument::parse("info: {title: x}\n", "none.yaml", false);
  EXPECT_NE(import_failure([&] { runmock::import::openapi_version(none); }).second.find("no 'openapi' version"), std::string::npos);
}

TEST(ImportDocument, CyclicReferencesAreRefused) {
  auto [code, message] = import_failure([] {
    document("openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {allOf: [{$ref: '#/components/schemas/A'}]}\n");
  });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("cyclic $ref"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("test.yaml:", 0), 0u) << message;
}

TEST(ImportDocument, RecursionThroughAPropertyIsNoCycle) {
  EXPECT_NO_THROW(document("openapi: 3.1.0\ncomponents:\n  schemas:\n    Node: {type: object, properties: {children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}\n"));
}

TEST(ImportDocument, AnUnresolvableReferenceIsRefused) {
  auto [code, message] = import_failure([] { document("openapi: 3.1.0\npaths:\n  /a:\n    get: {responses: {200: {$ref: '#/components/responses/Nope'}}}\n"); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("test.yaml:4:29: the reference '#/components/responses/Nope' leads nowhere"), std::string::npos) << message;
}

TEST(ImportDocument, ReferencedFilesAreReadAndFollowed) {
  ScratchDir dir;
  dir.write("api.yaml", "openapi: 3.1.0\ncomponents:\n  schemas:\n    Run: {$ref: 'schemas/run.json#/$defs/run'}\n");
  dir.write("schemas/run.json", R"({"$defs": {"run": {"$ref": "status.json"}}})");
  dir.write("schemas/status.json", R"({"type": "string", "enum": ["a"]})");
  auto set = DocumentSet::load(dir.path() / "api.yaml");
  EXPECT_EQ(set.files().size(), 2u);
  auto followed = set.follow(set.root().child("components").child("schemas").child("Run"));
  ASSERT_TRUE(followed.valid());
  EXPECT_EQ(set.relative_path(*followed.doc), "schemas/status.json");
  EXPECT_EQ(followed.value()["enum"][0], "a");
}

TEST(ImportDocument, AReferenceOutsideTheFolderOrToNoFileIsRefused) {
  ScratchDir dir;
  dir.write("api.yaml", "openapi: 3.1.0\ncomponents: {schemas: {A: {$ref: '../secret.json'}}}\n");
  auto [code, message] = import_failure([&] { DocumentSet::load(dir.path() / "api.yaml"); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("leads outside the document's folder"), std::string::npos) << message;
  dir.write("api.yaml", "openapi: 3.1.0\ncomponents: {schemas: {A: {$ref: 'missing.json'}}}\n");
  EXPECT_NE(import_failure([&] { DocumentSet::load(dir.path() / "api.yaml"); }).second.find("names no file"), std::string::npos);
}

TEST(ImportDocument, RemoteReferencesAreNotFollowed) {
  auto set = document("openapi: 3.0.1\ncomponents: {schemas: {A: {allOf: [{$ref: 'https://example.com/x.yaml#/S'}]}}}\n");
  EXPECT_FALSE(set.follow(set.root().child("components").child("schemas").child("A").child("allOf").child("0")).valid());
}

TEST(ImportDocument, TheMountPrefixIsTheServerUrlsPath) {
  Notes notes;
  auto prefix = [&](const std::string& servers) { return runmock::import::mount_prefix(SourceDocument::parse("openapi: 3.1.0\n" + servers, "a.yaml", false), notes); };
  EXPECT_EQ(prefix("servers: [{url: /ga4gh/tes/v1}]\n"), "/ga4gh/tes/v1");
  EXPECT_EQ(prefix("servers: [{url: 'https://api.example.com/v2/'}]\n"), "/v2");
  EXPECT_EQ(prefix("servers: [{url: 'https://{host}/{base}/x', variables: {host: {default: h}, base: {default: api}}}]\n"), "/api/x");
  EXPECT_EQ(prefix("servers: [{url: /}]\n"), "");
  EXPECT_EQ(prefix(""), "");
}

}  // namespace
