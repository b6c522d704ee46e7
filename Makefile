# The two commands (README): `make serve` and `make test`. Everything else is a convenience.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps build serve test check-asan check-tsan bench clean

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

serve: build
	@exec $(BUILD_DIR)/cli/runmock serve

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

check-asan:
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DRUNMOCK_SANITIZE=asan

check-tsan:
	@TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1" \
	  $(MAKE) --no-print-directory test BUILD_DIR=build-tsan BUILD_TYPE=Debug CMAKE_FLAGS=-DRUNMOCK_SANITIZE=tsan

bench: build
	@scripts/install-deps --bench
	@bench/run

clean:
	rm -rf build build-asan build-tsan

# Coverage-guided fuzzing (fuzz/README.md): every libFuzzer target for FUZZ_SECONDS seconds each.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@scripts/install-deps --fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run
