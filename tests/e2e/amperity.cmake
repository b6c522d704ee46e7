# The amperity dialect, end to end: the real binary on an ephemeral loopback port.
runmock_unit_test(e2e_amperity_test
  SOURCES e2e/serve_amperity_test.cpp
  LIBS PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_amperity_test runmock)

# The bundled amperity scenarios against the contract and lifecycle, and the dialect's helpers.
runmock_unit_test(amperity_test
  SOURCES mock/amperity_scenarios_test.cpp
  LIBS runmock_dialects)
target_include_directories(amperity_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/mock)
