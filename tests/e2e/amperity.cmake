# The amperity dialect, end to end: the real binary on an ephemeral loopback port.
runmock_unit_test(e2e_amperity_test
  SOURCES e2e/serve_amperity_test.cpp
  LIBS PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_amperity_test runmock)

