# The pennsieve dialect: end to end against the real binary.
runmock_unit_test(e2e_pennsieve_test SOURCES e2e/serve_pennsieve_test.cpp LIBS PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_pennsieve_test runmock)
