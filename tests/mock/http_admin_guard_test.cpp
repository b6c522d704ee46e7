// Who may use the admin API: its own pages and tools only (mock/http/admin_guard.h).
#include "http/admin_guard.h"

#include <gtest/gtest.h>

namespace runmock::http {
namespace {

AdminGuard guard_on(int port) {
  AdminGuard guard;
  guard.listen_host = "127.0.0.1";
  guard.port = port;
  return guard;
}

TEST(AdminGuard, OwnHostNamesNeedTheListeningPort) {
  AdminGuard guard = guard_on(8089);
  for (const char* yes : {"127.0.0.1:8089", "localhost:8089", "LOCALHOST:8089", "[::1]:8089"}) EXPECT_TRUE(guard.host_allowed(yes)) << yes;
  for (const char* no : {"evil.example:8089", "localhost:3000", "localhost", "127.0.0.1", "rebind.attacker.test", "localhost.evil:8089"}) {
    EXPECT_FALSE(guard.host_allowed(no)) << no;
  }
  guard.hosts = {"devbox.internal"};
  EXPECT_TRUE(guard.host_allowed("devbox.internal:8089"));
  EXPECT_TRUE(guard.host_allowed("devbox.internal"));
}

TEST(AdminGuard, ListeningAddressCountsUnlessItIsAWildcard) {
  AdminGuard guard = guard_on(9000);
  guard.listen_host = "192.168.1.20";
  EXPECT_TRUE(guard.host_allowed("192.168.1.20:9000"));
  guard.listen_host = "0.0.0.0";
  EXPECT_FALSE(guard.host_allowed("0.0.0.0:9000"));
  EXPECT_TRUE(guard.host_allowed("localhost:9000"));
}

TEST(AdminGuard, OnlyOwnAndListedOriginsMayCall) {
  AdminGuard guard = guard_on(8089);
  for (const char* yes : {"http://127.0.0.1:8089", "http://localhost:8089", "http://[::1]:8089"}) EXPECT_TRUE(guard.origin_allowed(yes)) << yes;
  for (const char* no : {"http://localhost:3000", "null", "http://evil.example", "https://localhost:8089", "file://", "http://127.0.0.1:8088"}) {
    EXPECT_FALSE(guard.origin_allowed(no)) << no;
  }
  guard.origins = {"http://localhost:3000"};
  EXPECT_TRUE(guard.origin_allowed("http://localhost:3000"));
  EXPECT_TRUE(guard.origin_listed("http://localhost:3000"));
  EXPECT_FALSE(guard.origin_listed("http://localhost:8089")) << "runmock's own pages need no CORS";
}

TEST(AdminGuard, RefusalsSayWhy) {
  AdminGuard guard = guard_on(8089);
  EXPECT_FALSE(check_admin_request(guard, "127.0.0.1", std::string("127.0.0.1:8089"), std::nullopt, std::nullopt));
  EXPECT_FALSE(check_admin_request(guard, "127.0.0.1", std::nullopt, std::nullopt, std::nullopt)) << "curl without Host: allowed";

  auto peer = check_admin_request(guard, "10.1.2.3", std::string("127.0.0.1:8089"), std::nullopt, std::nullopt);
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->status, 403);
  EXPECT_NE(peer->message.find("--admin-remote"), std::string::npos);

  auto host = check_admin_request(guard, "127.0.0.1", std::string("attacker.test:8089"), std::nullopt, std::nullopt);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->status, 403);
  EXPECT_NE(host->message.find("DNS rebinding"), std::string::npos) << host->message;

  auto origin = check_admin_request(guard, "127.0.0.1", std::string("127.0.0.1:8089"), std::string("http://localhost:3000"), std::nullopt);
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->status, 403);
  EXPECT_NE(origin->message.find("--admin-origin"), std::string::npos);
  EXPECT_TRUE(check_admin_request(guard, "127.0.0.1", std::nullopt, std::string("null"), std::nullopt));
}

TEST(AdminGuard, ATokenIsAskedForWhenSet) {
  AdminGuard guard = guard_on(8089);
  guard.token = "s3cret";
  auto missing = check_admin_request(guard, "127.0.0.1", std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_TRUE(check_admin_request(guard, "127.0.0.1", std::nullopt, std::nullopt, std::string("Bearer wrong")));
  EXPECT_FALSE(check_admin_request(guard, "127.0.0.1", std::nullopt, std::nullopt, std::string("Bearer s3cret")));
  guard.remote = true;
  EXPECT_FALSE(check_admin_request(guard, "10.1.2.3", std::nullopt, std::nullopt, std::string("Bearer s3cret")));
}

}  // namespace
}  // namespace runmock::http
