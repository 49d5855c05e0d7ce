# README's two commands: `make run` and `make test`. Each installs what is missing first.
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: deps build run test bench clean

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job needs only the binary, not the tests.
run: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target treeline
	./$(BUILD_DIR)/treeline run-local sample run1 --data data/covertype-sample.csv.gz --store treeline-store

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	/usr/bin/python3 bench/run_local_bench.py --treeline $(BUILD_DIR)/treeline

clean:
	rm -rf $(BUILD_DIR)
