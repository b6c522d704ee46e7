# The HTTP layer (mock/http): unit tests of its pieces, and tests that start the server in-process
# on 127.0.0.1 with port 0 and speak real HTTP to it.
runmock_unit_test(http_unit_test
  SOURCES mock/http_router_test.cpp mock/http_json_text_test.cpp mock/http_journal_test.cpp mock/http_jwt_test.cpp
          mock/http_misc_test.cpp mock/http_admin_guard_test.cpp mock/http_allocator_test.cpp mock/http_token_command_test.cpp ${RUNMOCK_SOURCE_DIR}/cli/token_command.cpp
  LIBS runmock_http OpenSSL::Crypto CLI11::CLI11)
target_include_directories(http_unit_test PRIVATE ${RUNMOCK_SOURCE_DIR}/cli)
runmock_unit_test(http_server_test
  SOURCES mock/http_server_test.cpp mock/http_sse_test.cpp mock/http_streamed_body_test.cpp
  LIBS runmock_http PkgConfig::HTTPLIB)
