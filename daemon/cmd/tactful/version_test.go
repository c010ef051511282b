package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
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

// TestGoInstallFromACloneStampsTheVersion does what README tells a person:
// clone, `go install ./daemon/cmd/tactful`, run `tactful version`. It reports
// what `make build` stamps: git describe --tags --always --dirty. (It clones
// the committed HEAD, so it tests the last commit, not uncommitted edits.)
func TestGoInstallFromACloneStampsTheVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tactful from a clone; skipped with -short")
	}
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	root, _ := filepath.Abs(filepath.Join("..", "..", ".."))
	if err := exec.Command(gitBin, "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("%s is not a git checkout (a source tarball): nothing to stamp from", root)
	}
	tmp := t.TempDir()
	clone := filepath.Join(tmp, "tactful")
	if out, err := exec.Command(gitBin, "clone", "--quiet", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	want, err := exec.Command(gitBin, "-C", clone, "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		t.Fatal(err)
	}
	install := exec.Command("go", "install", "./daemon/cmd/tactful")
	install.Dir = clone
	// -buildvcs=true stands for Go's default (auto), which this machine's
	// go env may have switched off.
	install.Env = append(os.Environ(), "GOBIN="+filepath.Join(tmp, "bin"), "GOFLAGS=-buildvcs=true")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(tmp, "bin", "tactful"), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("tactful version: %v\n%s", err, out)
	}
	if got, want := string(out), "tactful "+strings.TrimSpace(string(want))+" (protocol "; !strings.HasPrefix(got, want) {
		t.Errorf("tactful version = %q, want it to start %q", got, want)
	}
}
