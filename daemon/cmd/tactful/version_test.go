package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := func(mainVersion, revision, modified string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/tactful/tactful", Version: mainVersion}}
		if revision != "" {
			bi.Settings = []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: revision}, {Key: "vcs.modified", Value: modified}}
		}
		return bi
	}
	const rev = "abca0017f50d5503e1221b93d8a8bae0881dae0e"
	for _, tc := range []struct {
		name    string
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		{"make build's -ldflags win", "v0.2.0-3-gabca001", vcs("v0.0.0-20261201092615-abca0017f50d", rev, "false"), "v0.2.0-3-gabca001"},
		{"go install from a clean clone", "", vcs("v0.0.0-20261201092615-abca0017f50d", rev, "false"), "abca001"},
		{"go install with local changes", "", vcs("v0.0.0-20261201092615-abca0017f50d+dirty", rev, "true"), "abca001-dirty"},
		{"go install at a tag", "", vcs("v0.2.0", rev, "false"), "v0.2.0"},
		{"go install after a tag", "", vcs("v0.2.1-0.20261201092615-abca0017f50d", rev, "false"), "abca001"},
		{"go install example.com/...@v0.2.0", "", vcs("v0.2.0", "", ""), "v0.2.0"},
		{"-buildvcs=false", "", vcs("(devel)", "", ""), "dev"},
		{"no build info", "", nil, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.ldflags, tc.bi); got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}
