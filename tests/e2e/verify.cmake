# runmock verify, end to end: against runmock itself (all three APIs), against a test double that
# breaks the emergence contract, its JUnit file read by a real JUnit reader; and its unit tests.
add_executable(broken_server support/broken_server.cpp)
target_compile_options(broken_server PRIVATE ${RUNMOCK_WARNINGS})
target_link_libraries(broken_server PRIVATE PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)

# Debian's python3 (scripts/install-deps installs python3-junitparser for it) and xmllint.
find_program(RUNMOCK_DEBIAN_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
find_program(RUNMOCK_XMLLINT xmllint REQUIRED)

runmock_unit_test(e2e_verify_test SOURCES e2e/verify_test.cpp LIBS nlohmann_json::nlohmann_json)
target_compile_definitions(e2e_verify_test PRIVATE
  BROKEN_SERVER_BINARY="$<TARGET_FILE:broken_server>"
  RUNMOCK_PYTHON3="${RUNMOCK_DEBIAN_PYTHON3}"
  RUNMOCK_XMLLINT="${RUNMOCK_XMLLINT}")
add_dependencies(e2e_verify_test runmock broken_server)

runmock_unit_test(verify_test SOURCES harness/verify_test.cpp LIBS runmock_verify)
