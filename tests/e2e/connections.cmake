# The connection layer under hostile clients (idle floods, slowloris, slow bodies, pipelining,
# header floods, SIGTERM in flight), the admin API's guard, and every limit of `runmock serve`,
# end to end against the real binary over raw loopback sockets (support/raw_http.h).
runmock_unit_test(e2e_connections_test SOURCES e2e/serve_connections_test.cpp LIBS runmock_contracts PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_connections_test runmock)
