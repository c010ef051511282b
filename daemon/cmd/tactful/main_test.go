package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/protocol"
)

// syncBuffer is a bytes.Buffer safe to write from the daemon's goroutines
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runMain runs one command line in-process.
func runMain(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Version: "v-test"}
	err = m.Run(ctx, args)
	return out.String(), errOut.String(), err
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestBadUseIsOneLineAndExitTwo(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"export", "--colour", "red", "--home", home}, "-colour"},
		{"non-loopback addr", []string{"status", "--addr", "0.0.0.0:47291", "--home", home}, "loopback only"},
		{"addr without port", []string{"export", "--addr", "localhost", "--home", home}, "HOST:PORT"},
		{"import without a file", []string{"import", "--home", home}, "tactful import FILE"},
		{"status with an argument", []string{"status", "extra", "--home", home}, "no arguments"},
		{"bad export format", []string{"export", "--format", "xml", "--home", home}, "json or csv"},
		{"bad history kind", []string{"history", "--kind", "gossip", "--home", home}, "not a kind"},
		{"bad since", []string{"history", "--since", "29/11/2026", "--home", home}, "2026-01-31"},
		{"bad contact", []string{"history", "--contact", "../etc", "--home", home}, "--contact"},
		{"bad log level", []string{"pair", "--log-level", "loud", "--home", home}, "--log-level"},
		{"bad log format", []string{"pair", "--log-format", "xml", "--home", home}, "--log-format"},
		{"zero recent days", []string{"serve", "--recent-days", "0", "--home", home}, "--recent-days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runMain(t, testCtx(t), tc.args...)
			if ExitCode(err) != 2 {
				t.Fatalf("err = %v, exit %d; want a usage error, exit 2", err, ExitCode(err))
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, tc.says) {
				t.Errorf("message %q: want one line mentioning %q", msg, tc.says)
			}
			if stdout != "" {
				t.Errorf("bad use printed to stdout: %q", stdout)
			}
		})
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("bad command lines wrote into the home: %v", entries)
	}
}

func TestHelpDescribesEveryCommand(t *testing.T) {
	stdout, _, err := runMain(t, testCtx(t), "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		if !strings.Contains(stdout, "  "+c.name+" ") {
			t.Errorf("tactful help does not list %s", c.name)
		}
		out, _, err := runMain(t, testCtx(t), c.name, "-h")
		if err != nil || ExitCode(err) != 0 {
			t.Errorf("tactful %s -h: %v", c.name, err)
		}
		for _, want := range []string{"Usage: tactful " + c.name, "--home DIR", "--addr HOST:PORT", "--log-format", "--log-level"} {
			if !strings.Contains(out, want) {
				t.Errorf("tactful %s -h lacks %q:\n%s", c.name, want, out)
			}
		}
		again, _, _ := runMain(t, testCtx(t), "help", c.name)
		if again != out {
			t.Errorf("tactful help %s differs from tactful %s -h", c.name, c.name)
		}
	}
	if _, _, err := runMain(t, testCtx(t), "help", "nope"); ExitCode(err) != 2 {
		t.Errorf("help for an unknown command: %v", err)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		out, _, err := runMain(t, testCtx(t), args...)
		if err != nil || out != "tactful v-test (protocol 1)\n" {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
}

func TestImportFormat(t *testing.T) {
	for _, tc := range []struct {
		flag, path, data, want string
	}{
		{"", "Connections.csv", "{", "csv"},
		{"", "backup.JSON", "First Name", "json"},
		{"", "download", "  {\"format\":", "json"},
		{"", "download", "\xef\xbb\xbf{", "json"},
		{"", "download", "Notes:\r\n", "csv"},
		{"json", "Connections.csv", "", "json"},
	} {
		got, err := importFormat(tc.flag, tc.path, []byte(tc.data))
		if err != nil || got != tc.want {
			t.Errorf("importFormat(%q, %q, %q) = %q, %v; want %q", tc.flag, tc.path, tc.data, got, err, tc.want)
		}
	}
	if _, err := importFormat("xml", "a.csv", nil); ExitCode(err) != 2 {
		t.Errorf("--format xml: %v", err)
	}
}

// fixturePath is the project's LinkedIn export sample.
func fixturePath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "linkedincsv", "testdata", "sample", "Connections.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the LinkedIn export sample: %v", err)
	}
	return p
}

// A JSON export imported into an empty home gives back the same export.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := testCtx(t)
	csv := fixturePath(t)
	a, b := t.TempDir(), t.TempDir()
	addr := "--addr=127.0.0.1:1" // nothing listens there: direct access

	if _, _, err := runMain(t, ctx, "import", csv, "--home", a, addr); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "my-export") // no extension: sniffed
	if _, _, err := runMain(t, ctx, "export", "--out", file, "--home", a, addr); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, err := runMain(t, ctx, "export", "--format", "csv", "--out", dir, "--home", a, addr); err != nil {
		t.Fatal(err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "tactful-export-*.csv")); len(names) != 1 {
		t.Errorf("export --out DIR wrote %v, want one tactful-export-DATE.csv", names)
	}
	out, _, err := runMain(t, ctx, "import", file, "--home", b, addr)
	if err != nil || !strings.Contains(out, "35 added") {
		t.Fatalf("import of the export: %v\n%s", err, out)
	}
	first, _, _ := runMain(t, ctx, "export", "--home", a, addr)
	second, _, _ := runMain(t, ctx, "export", "--home", b, addr)
	var x, y protocol.Archive
	if json.Unmarshal([]byte(first), &x) != nil || json.Unmarshal([]byte(second), &y) != nil {
		t.Fatal("exports are not JSON")
	}
	xs, _ := json.Marshal(x.Contacts)
	ys, _ := json.Marshal(y.Contacts)
	if !bytes.Equal(xs, ys) || len(x.Events) != len(y.Events) {
		t.Errorf("the round trip changed the data: %d/%d events", len(x.Events), len(y.Events))
	}
}

// serve in-process: it logs its real address as JSON when stderr is not a
// terminal, keeps the pairing code out of that output, and stops when its
// context ends.
func TestServeInProcess(t *testing.T) {
	home := t.TempDir()
	var out, errOut syncBuffer
	started := make(chan *daemon.Daemon, 1)
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Version: "v-test",
		OnServe: func(d *daemon.Daemon) { started <- d }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--home", home, "--addr", "127.0.0.1:0"}) }()

	var d *daemon.Daemon
	select {
	case d = <-started:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, errOut.String())
	}
	var logged string
	for _, line := range strings.Split(errOut.String(), "\n") {
		var entry struct{ Addr string }
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Addr != "" {
			logged = entry.Addr
		}
	}
	if logged != d.Addr() {
		t.Errorf("logged addr %q, daemon on %q", logged, d.Addr())
	}
	code, err := pairing.Ensure(home)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errOut.String(), code) {
		t.Error("the pairing code was printed into output that is not a terminal")
	}
	if !strings.Contains(errOut.String(), "tactful pair") || !strings.Contains(errOut.String(), "Load unpacked") {
		t.Errorf("serve did not say how to load and pair:\n%s", errOut.String())
	}

	stdout, _, err := runMain(t, testCtx(t), "status", "--home", home, "--addr", d.Addr())
	if err != nil || !regexp.MustCompile(`(?m)^version: +v-test$`).MatchString(stdout) {
		t.Errorf("status: %v\n%s", err, stdout)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after cancel: %v", err)
	}
	if _, _, err := runMain(t, testCtx(t), "status", "--home", home, "--addr", d.Addr()); err == nil ||
		!strings.Contains(err.Error(), "no tactful daemon is running") {
		t.Errorf("status after shutdown: %v", err)
	}
	if errors.Is(ctx.Err(), context.Canceled) && !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("serve did not log that it stopped:\n%s", errOut.String())
	}
}

// The thresholds of "recently connected" and of the cool-down are the user's
// to set: a connection 200 days old is recent with --recent-days 365, and a
// disagreement cools down for --cooldown-days.
func TestServeThresholdFlags(t *testing.T) {
	home := t.TempDir()
	started := make(chan *daemon.Daemon, 1)
	var errOut syncBuffer
	m := &Main{Stdout: &syncBuffer{}, Stderr: &errOut, Getenv: func(string) string { return "" }, Version: "v-test",
		OnServe: func(d *daemon.Daemon) { started <- d }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--home", home, "--addr", "127.0.0.1:0", "--recent-days", "365", "--cooldown-days", "30"})
	}()
	defer func() { cancel(); <-done }()
	var d *daemon.Daemon
	select {
	case d = <-started:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, errOut.String())
	}
	code, err := d.PairingCode()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(testCtx(t), d.Addr(), code, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	day := time.Now().AddDate(0, 0, -200)
	var seen protocol.Annotations
	if err := c.Call(testCtx(t), &protocol.ContactsSeen{Locale: "en-US", Contacts: []protocol.SeenContact{{
		Slug: "ada-lovelace-1815", Name: "Ada Lovelace", ConnectedText: "Connected on " + day.Format("January 2, 2006"),
	}}}, &seen); err != nil {
		t.Fatal(err)
	}
	if !hasBadgeKind(seen.Annotations[0], protocol.BadgeRecent) {
		t.Errorf("200 days ago with --recent-days 365: badges %+v, want recent", seen.Annotations[0].Badges)
	}
	var marked protocol.AnnotationReply
	if err := c.Call(testCtx(t), &protocol.FalloutMark{Slug: "ada-lovelace-1815"}, &marked); err != nil {
		t.Fatal(err)
	}
	if want := time.Now().AddDate(0, 0, 30).Format(time.DateOnly); marked.Annotation.CooldownUntil != want {
		t.Errorf("cool-down until %q with --cooldown-days 30, want %q", marked.Annotation.CooldownUntil, want)
	}
}

func hasBadgeKind(a protocol.Annotation, kind protocol.BadgeKind) bool {
	for _, b := range a.Badges {
		if b.Kind == kind {
			return true
		}
	}
	return false
}
