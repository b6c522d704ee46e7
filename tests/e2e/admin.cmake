# The admin surface (journal, violations, --fail-on-violations, runtime scenarios, --watch, seeding)
# end to end against the real binary, its answers checked against contracts/admin/openapi.yaml.
runmock_unit_test(e2e_admin_test SOURCES e2e/serve_admin_test.cpp LIBS runmock_contracts PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_admin_test runmock)
