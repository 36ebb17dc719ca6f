// Package version holds the engine version, stamped at build time with
// -ldflags "-X github.com/egdi/egdi/internal/version.Version=...".
package version

// Version is recorded with every computation.
var Version = "0.1.0-dev"
