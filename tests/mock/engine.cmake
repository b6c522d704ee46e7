# The lifecycle engine (mock/engine) and the scenario loader (mock/scenario).
runmock_unit_test(engine_test
  SOURCES mock/engine_clock_test.cpp mock/engine_store_test.cpp mock/engine_test.cpp mock/engine_seed_test.cpp
  LIBS runmock_engine)
runmock_unit_test(scenario_test
  SOURCES mock/scenario_loader_test.cpp mock/scenario_select_test.cpp mock/scenario_lint_test.cpp mock/scenario_runtime_test.cpp
  LIBS runmock_scenarios)
