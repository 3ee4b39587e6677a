# rolecall — `make help` lists the targets.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -X github.com/rolecall/rolecall/internal/version.Version=$(VERSION) -X github.com/rolecall/rolecall/internal/version.Commit=$(COMMIT)
FIXTURES := $(sort $(dir $(wildcard fixtures/*/want/)))

.PHONY: help build test lint golden demo bench tidy

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/rolecall
	go build -trimpath -ldflags "$(LDFLAGS)" -o bin/rolecall ./cmd/rolecall

test: ## run every Go test and every Rego rule test
	go test ./...

lint: ## gofmt, go vet, staticcheck, opa fmt and opa check on the rules and the example policy
	@out="$$(gofmt -l cmd analyzer internal rules)"; \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...
	go tool opa fmt --list --fail rules/ examples/policy/
	go tool opa check --strict rules/ examples/policy/

golden: ## rewrite golden files (review the diff before committing)
	go test ./internal/... -update

demo: ## scan the seed fixture, then every shipped fixture
	go run ./cmd/rolecall scan fixtures/seed-s3admin
	-go run ./cmd/rolecall scan --fail-on none fixtures/irsa-pitfalls fixtures/aws-auth-pitfalls
	-go run ./cmd/rolecall scan --fail-on none fixtures/escalation

bench: ## run the benchmarks; BenchmarkScale (1k, 5k, 20k roles beside their parse floor) once each
	go test -run '^$$' -bench . -skip '^BenchmarkScale$$' -benchmem ./...
	go test -run '^$$' -bench '^BenchmarkScale$$' -benchtime 1x -benchmem -timeout 2h ./internal/benchscale

tidy: ## go mod tidy
	go mod tidy
