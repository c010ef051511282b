// This file only marks extension/ as its own (empty) Go module, so that
// `go test ./...` and `go vet ./...` at the top skip extension/node_modules,
// where some npm packages ship Go sources of their own.
module github.com/tactful/tactful/extension

go 1.26
