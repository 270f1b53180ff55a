# bulwark — build, test, demo, benchmark.
GO      ?= go
BIN     := bin/bulwark
PKGS    := ./...
# Integration tests start a throwaway PostgreSQL; with BULWARK_REQUIRE_DB=1
# (CI) a missing server fails the run instead of skipping.
TESTFLAGS ?= -race -count=1 -timeout 20m

.PHONY: build test unit demo bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/bulwark

test: lint
	$(GO) test $(TESTFLAGS) $(PKGS)

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /integration)

demo:
	bash scripts/demo.sh

bench:
	bash bench/run.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	rm -rf bin
