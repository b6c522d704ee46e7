// What verify must know about an API beyond its contract: which operation creates, reads, lists and
// cancels a run, where the run's id travels, and how a credential is broken. All of it is derived
// from the API's dialect file (its roles, representations, auth and tenancy) and its contract.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dialect/spec.h"
#include "loader/api_contract.h"

namespace runmock::verify {

struct ApiProfile {
  std::string api;
  std::string create_operation;
  std::string get_operation;
  std::string list_operation;
  std::string cancel_operation;
  // Other reads of one run (checked once the run has ended, against the contract).
  std::vector<std::string> other_run_reads;
  std::string run_id_pointer;     // in the create response
  std::string run_id_parameter;   // the path parameter naming the run
  std::string list_items_pointer; // the array of runs in a list response
  std::string cancelled_state;    // where a cancel of a fresh run ends
  // In a run read, the request variant the run was created with (emergence: the configuration's
  // workflow type); empty when the API has no request variants.
  std::string variant_pointer;
  // An Authorization value the API must refuse (the "broken credential" case).
  std::string malformed_authorization;
  // Documented request headers that name the documents' own tenant; the user's credentials
  // decide who verify is, so these are never copied from a fixture.
  std::vector<std::string> identity_headers;
  // Operations verify does not call, with the reason printed as a skip.
  std::map<std::string, std::string> not_exercised;
};

ApiProfile profile_of(const dialect::DialectSpec& spec, const contracts::ApiContract& contract);

}  // namespace runmock::verify
