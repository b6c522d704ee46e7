// --target URLs: what the proxy accepts, and the reason a connection fails.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy/upstream.h"

namespace runmock::proxy {
namespace {

TEST(Target, SplitsOriginHostPortAndBasePath) {
  Target t = Target::parse("http://127.0.0.1:8089");
  EXPECT_EQ(t.origin, "http://127.0.0.1:8089");
  EXPECT_EQ(t.host, "127.0.0.1");
  EXPECT_EQ(t.port, 8089);
  EXPECT_EQ(t.base_path, "");

  t = Target::parse("https://api.example.org/v1/");
  EXPECT_EQ(t.origin, "https://api.example.org");
  EXPECT_EQ(t.host, "api.example.org");
  EXPECT_EQ(t.port, 443);
  EXPECT_EQ(t.base_path, "/v1");

  t = Target::parse("http://[::1]:9000/base");
  EXPECT_EQ(t.host, "::1");
  EXPECT_EQ(t.port, 9000);
  EXPECT_EQ(t.base_path, "/base");
  EXPECT_EQ(Target::parse("http://localhost").port, 80);
}

TEST(Target, RefusesWhatIsNotAnHttpUrl) {
  for (const char* bad : {"127.0.0.1:8089", "ftp://host", "http://", "http://:80", "http://host:0", "http://host:99999", "http://host:x",
                          "http://host/?q=1", "http://user@host", "http://[::1"}) {
    EXPECT_THROW(Target::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(ConnectFailure, NamesARefusedConnection) {
  // A loopback port nobody listens on: bound, then let go.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(fd);
  EXPECT_EQ(connect_failure(Target::parse("http://127.0.0.1:" + std::to_string(port)), std::chrono::seconds(2)), "connection refused");

  // A listening port connects.
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  address.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::listen(fd, 1);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  EXPECT_EQ(connect_failure(Target::parse("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port))), std::chrono::seconds(2)), "");
  ::close(fd);
}

}  // namespace
}  // namespace runmock::proxy
