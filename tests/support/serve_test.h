// A GoogleTest fixture for end-to-end tests of `runmock serve`: the real binary on a free
// loopback port with the manual clock and a fixed seed, an HTTP client to it, and the dev token.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "support/runmock_process.h"

namespace runmock::testing {

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RunmockProcess>(std::vector<std::string>{"serve", "--port", "0", "--clock", "manual", "--seed", "7"});
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
    auth_ = {{"Authorization", "Bearer " + server_->token()}};
  }

  // The answer's JSON body (discarded when it is not JSON); a failure when there was no answer.
  nlohmann::json body_of(const httplib::Result& result) {
    EXPECT_TRUE(result) << "no answer";
    if (!result) return nullptr;
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  std::unique_ptr<RunmockProcess> server_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers auth_;
};

}  // namespace runmock::testing
