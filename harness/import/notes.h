// What import-openapi guessed and what it could not, in the words it prints on standard error
// (and writes at the top of the generated dialect file): "create: CreateTask (POST /tasks, a
// POST on a collection)", "cancel: no operation cancels a run".
#pragma once

#include <string>
#include <vector>

namespace runmock::import {

struct Notes {
  std::vector<std::string> guessed;
  std::vector<std::string> missing;

  void guess(std::string text) { guessed.push_back(std::move(text)); }
  void cannot(std::string text) { missing.push_back(std::move(text)); }
};

}  // namespace runmock::import
