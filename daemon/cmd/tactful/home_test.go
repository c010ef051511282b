package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tactful/tactful/daemon/pairing"
)

// Every command refuses a home other users can write to: in such a home
// another user replaced pairing-code, and their `tactful export` printed
// the owner's notes.
func TestCommandsRefuseAHomeOthersCanWrite(t *testing.T) {
	home := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := pairing.Ensure(home); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"pair"},
		{"export"},
		{"history"},
		{"serve", "--addr", "127.0.0.1:0"},
	} {
		t.Run(args[0], func(t *testing.T) {
			args = append(args, "--home", home)
			_, _, err := runMain(t, testCtx(t), args...)
			if err == nil {
				t.Fatalf("tactful %s used a home others can write to", strings.Join(args, " "))
			}
			for _, w := range []string{home, "can be written by other users", "chmod 700"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
	// version reads no home, so it answers whatever the home.
	if out, _, err := runMain(t, testCtx(t), "version", "--home", home); err != nil || !strings.Contains(out, "tactful") {
		t.Errorf("version with an unsafe home: %q, %v", out, err)
	}
}
