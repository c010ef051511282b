package main

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"
// (make build, make dist).
var version string

func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// pseudoVersion matches the Go module versions made up for untagged commits
// (v0.0.0-20261201092615-abca0017f50d).
var pseudoVersion = regexp.MustCompile(`-(0\.)?\d{14}-[0-9a-f]{12}$`)

// versionOf is the version to report: the -ldflags one; else, for `go
// install` or `go build` from a clone, what make build would have stamped
// (`git describe --tags --always --dirty`): a release tag when the commit is
// exactly a tag, else the short commit, with "-dirty" for local changes.
// "dev" when the build knows neither (-buildvcs=false, or no git).
func versionOf(ldflags string, bi *debug.BuildInfo) string {
	if ldflags != "" {
		return ldflags
	}
	if bi == nil {
		return "dev"
	}
	var revision string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	v := bi.Main.Version
	tagged := v != "" && v != "(devel)" && !strings.Contains(v, "+") && !pseudoVersion.MatchString(v)
	switch {
	case tagged:
		// A tagged module version (also `go install ...@v1.2.3`).
		return v
	case revision != "":
		if len(revision) > 7 {
			revision = revision[:7]
		}
		if modified {
			revision += "-dirty"
		}
		return revision
	}
	return "dev"
}
