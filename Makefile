# wsfleet developer entry points. Every target that builds installs missing
# Debian packages first (scripts/install-deps.sh), so a fresh machine needs only make.

BUILD_DIR      ?= build
SANITIZE_DIR   ?= build-sanitize
FUZZ_DIR       ?= build-fuzz
BUILD_TYPE     ?= RelWithDebInfo
FUZZ_SECONDS   ?= 60
EXAMPLE        ?= examples/hello-fleet
CTEST_JOBS     ?= 2
CMAKE_FLAGS    ?=

CMAKE_COMMON = -G Ninja -DWSFLEET_WERROR=ON $(CMAKE_FLAGS)

IMAGE          ?= wsfleet
IMAGE_TAG      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE_ENGINE   ?= $(shell docker info > /dev/null 2>&1 && echo docker || echo podman)

.PHONY: all deps build run test test-gpu test-sanitize bench soak fuzz image image-test format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)
	@echo "built $(BUILD_DIR)/bin/wsfleet"

run: build
	$(BUILD_DIR)/bin/wsfleet plan $(EXAMPLE)
	$(BUILD_DIR)/bin/wsfleet run $(EXAMPLE) --workers 3 --state $(BUILD_DIR)/run/state --workdir $(BUILD_DIR)/run/work

test: build
	@scripts/install-deps.sh --agent-clis $(BUILD_DIR)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS) -LE '^gpu$$'

# The tests that need an NVIDIA GPU (labelled gpu); each skips where what it needs is absent.
test-gpu: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L '^gpu$$'

test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DWSFLEET_SANITIZE=ON
	cmake --build $(SANITIZE_DIR)
	@scripts/install-deps.sh --agent-clis $(SANITIZE_DIR)
	ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j$(CTEST_JOBS) -LE '^gpu$$'

# Not part of `make test`: 500 workstreams under worker and coordinator kill -9 (about 5
# minutes; docs/benchmarks.md has its last result).
soak: build
	tests/soak/soak.sh $(BUILD_DIR)/bin/wsfleet 500

bench: build
	$(BUILD_DIR)/bin/wsfleet_bench --benchmark_counters_tabular=true
	bench/fleet_bench.sh $(BUILD_DIR)
	bench/tls_bench.sh $(BUILD_DIR)
	bench/restart_bench.sh $(BUILD_DIR)
	bench/replace_bench.sh $(BUILD_DIR)
	bench/fleet_scale_bench.sh $(BUILD_DIR)
	bench/plan_scale_bench.sh $(BUILD_DIR)
	bench/plan_page_bench.sh $(BUILD_DIR)
	bench/plan_size_bench.sh $(BUILD_DIR)
	bench/slurm_bench.sh $(BUILD_DIR)

# libFuzzer needs clang; each fuzz target runs FUZZ_SECONDS, starting from the seed corpus.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSFLEET_FUZZ=ON
	cmake --build $(FUZZ_DIR) --target wsfleet_fuzz_targets
	scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The container images (k8s/Dockerfile): IMAGE:TAG without CUDA, IMAGE:TAG-cuda with it,
# with Docker where its engine runs, else podman.
image:
	$(IMAGE_ENGINE) build -f k8s/Dockerfile --target slim -t $(IMAGE):$(IMAGE_TAG) .
	$(IMAGE_ENGINE) build -f k8s/Dockerfile --target cuda -t $(IMAGE):$(IMAGE_TAG)-cuda .

# The slim image built with podman from a debootstrap base and run for real: a coordinator
# and two workers as containers, non-root on read-only root filesystems, running the
# example plan under a real Prometheus (tests/image/image_test.sh), as root (through sudo). Not in
# make test: the first build compiles wsfleet in the container (9 minutes on 2 cores; under a
# minute after that, from the build's ccache cache).
image-test:
	@scripts/install-deps.sh --image
	$(if $(filter 0,$(shell id -u)),,sudo) tests/image/image_test.sh . $(BUILD_DIR)/image-cache

format:
	find common cli tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
