# FlowScript — thin targets; CI runs `make test` (see .ci/run).
GO ?= go

.PHONY: build test check run-example bench fuzz

build:
	$(GO) build -o bin/flowscript ./cmd/flowscript

test:
	$(GO) test -race ./...

check:
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)
	$(GO) vet ./...
	$(GO) mod tidy && git diff --exit-code go.mod go.sum
	$(GO) test -race ./...

run-example:
	$(GO) run ./cmd/flowscript run examples/paid-orders/paid-orders.flow.md

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/... ./cmd/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/parser
