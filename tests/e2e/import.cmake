# runmock import-openapi, end to end: the public GA4GH TES document and runmock's emergence
# contract imported by the real binary, served with --api-dir on an ephemeral port and walked over
# HTTP; and the command's exit codes.
runmock_unit_test(e2e_import_test SOURCES e2e/import_test.cpp LIBS PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_import_test runmock)
