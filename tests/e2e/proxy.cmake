# runmock proxy, end to end: in front of the real `runmock serve` and of an in-process test double.
runmock_unit_test(e2e_proxy_test SOURCES e2e/proxy_test.cpp LIBS PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)
add_dependencies(e2e_proxy_test runmock)
# The proxy's pieces: operation matching, the run tracker, target URLs.
runmock_unit_test(proxy_unit_test
  SOURCES harness/proxy_operation_matcher_test.cpp harness/proxy_run_tracker_test.cpp harness/proxy_target_test.cpp
  LIBS runmock_proxy)
