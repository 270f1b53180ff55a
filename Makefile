# bulwark — build, test, demo, benchmark.
GO      ?= go
BIN     := bin/bulwark
PKGS    := ./...
# Integration tests start a throwaway PostgreSQL; with BULWARK_REQUIRE_DB=1
# (CI) a missing server fails the run instead of skipping.
TESTFLAGS ?= -race -count=1 -timeout 20m

.PHONY: build build-postgres build-mysql test test-single-protocol unit demo bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/bulwark

# Single-protocol builds: the same bulwark without the other protocol's
# engine and SQL parser, a smaller binary and a few MiB less memory.
build-postgres:
	$(GO) build -tags bulwark_no_mysql -o bin/bulwark-postgres ./cmd/bulwark

build-mysql:
	$(GO) build -tags bulwark_no_postgres -o bin/bulwark-mysql ./cmd/bulwark

test: lint test-single-protocol
	$(GO) test $(TESTFLAGS) $(PKGS)

# Both single-protocol builds compile (tests included) and refuse the
# protocol they lack; the PostgreSQL-only one also runs every PostgreSQL
# integration test, as the in-process proxy and as the real binary. (The
# integration package is built around a PostgreSQL server, so the MySQL-only
# build is vetted without it here; TestMySQLOnlyBuild runs that binary
# against MariaDB in the main suite.)
test-single-protocol:
	$(GO) vet -tags bulwark_no_mysql $(PKGS)
	$(GO) vet -tags bulwark_no_postgres $$($(GO) list $(PKGS) | grep -v /integration)
	$(GO) test -count=1 -tags bulwark_no_postgres -run 'TestDialectsOfThisBuild' ./proxy/
	$(GO) test -count=1 -tags bulwark_no_mysql -run 'TestDialectsOfThisBuild' ./proxy/
	$(GO) test -count=1 -timeout 20m -tags bulwark_no_mysql ./integration/

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
