package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/service"
)

// serviceMain runs `tactful service ...` against a temporary systemd user
// folder and a fake systemctl that runs what it is told to restart.
type serviceMain struct {
	dir     string
	calls   []string
	running bool
}

func (s *serviceMain) run(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut syncBuffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Version: "v-test",
		ServiceManager: func() (*service.Manager, error) {
			return &service.Manager{GOOS: "linux", Dir: s.dir, Run: s.systemctl}, nil
		},
		Executable:  func() (string, error) { return bin, nil },
		ServiceWait: 1,
	}
	err := m.Run(testCtx(t), args)
	return out.String(), err
}

func (s *serviceMain) systemctl(_ context.Context, name string, args ...string) ([]byte, error) {
	call := strings.Join(append([]string{name}, args...), " ")
	s.calls = append(s.calls, call)
	switch {
	case strings.HasSuffix(call, "restart tactful.service"):
		s.running = true
	case strings.Contains(call, "disable --now"):
		s.running = false
	case strings.Contains(call, "is-active"):
		if s.running {
			return []byte("active\n"), nil
		}
		return []byte("inactive\n"), errors.New("exit status 3")
	}
	return nil, nil
}

func TestServiceInstallStatusUninstall(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake here is systemd, whose unit needs Unix paths; daemon/service tests the Windows task on every OS")
	}
	s := &serviceMain{dir: filepath.Join(t.TempDir(), "systemd", "user")}
	home := filepath.Join(t.TempDir(), "my data")
	bin := "/opt/tactful/bin/tactful"
	// A port nothing listens on: the fake service starts no daemon.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	out, err := s.run(t, bin, "service", "status", "--home", home, "--addr", addr)
	if err != nil || !strings.Contains(out, "not installed") {
		t.Fatalf("status before install: %v\n%s", err, out)
	}

	out, err = s.run(t, bin, "service", "install", "--home", home, "--addr", addr)
	if err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	unit, err := os.ReadFile(filepath.Join(s.dir, "tactful.service"))
	if err != nil {
		t.Fatal(err)
	}
	want := `ExecStart=/opt/tactful/bin/tactful serve --home "` + home + `" --addr ` + addr + ` --log-format json`
	if !strings.Contains(string(unit), want+"\n") {
		t.Errorf("the unit does not run the installed binary with the given flags; want %q in\n%s", want, unit)
	}
	for _, want := range []string{"Installed the systemd user unit", bin + " serve --home " + home, "does not answer on " + addr, "journalctl --user -u tactful"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Join(s.calls, "; "); !strings.Contains(got, "systemctl --user enable tactful.service; systemctl --user restart tactful.service") {
		t.Errorf("install ran %s", got)
	}

	out, err = s.run(t, bin, "service", "status", "--home", home, "--addr", addr)
	if err != nil || !strings.Contains(out, "installed, running (active)") || !strings.Contains(out, "nothing answers on "+addr) {
		t.Errorf("status after install: %v\n%s", err, out)
	}
	s.running = false
	out, _ = s.run(t, bin, "service", "status", "--home", home, "--addr", addr)
	if !strings.Contains(out, "installed, stopped (inactive)") || !strings.Contains(out, "journalctl") {
		t.Errorf("status when stopped:\n%s", out)
	}

	out, err = s.run(t, bin, "service", "uninstall", "--home", home, "--addr", addr)
	if err != nil || !strings.Contains(out, "Removed the systemd user unit") || !strings.Contains(out, "Your data stays in "+home) {
		t.Errorf("uninstall: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "tactful.service")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unit is still there: %v", err)
	}
	out, _ = s.run(t, bin, "service", "uninstall", "--home", home, "--addr", addr)
	if !strings.Contains(out, "was not installed") {
		t.Errorf("second uninstall:\n%s", out)
	}
}

func TestServiceInstallNotesADaemonStartedByHand(t *testing.T) {
	s := &serviceMain{dir: t.TempDir()}
	home := t.TempDir()
	d := startDaemon(t, home)
	out, err := s.run(t, "/usr/bin/tactful", "service", "install", "--home", home, "--addr", d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "already runs on "+d.Addr()+", not as the service") {
		t.Errorf("a daemon started by hand holds the port; install must say so:\n%s", out)
	}
}

func TestServiceRefusesWhatCannotWork(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct {
		name string
		bin  string
		args []string
		code int
		says string
	}{
		{"unknown action", "/usr/bin/tactful", []string{"service", "start"}, 2, "install|uninstall|status"},
		{"no action", "/usr/bin/tactful", []string{"service"}, 2, "install|uninstall|status"},
		{"a go run binary", "/tmp/go-build1234/b001/exe/tactful", []string{"service", "install"}, 1, "go install ./daemon/cmd/tactful"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &serviceMain{dir: t.TempDir()}
			_, err := s.run(t, tc.bin, append(tc.args, "--home", home)...)
			if ExitCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v (exit %d), want exit %d saying %q", err, ExitCode(err), tc.code, tc.says)
			}
			if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
				t.Errorf("wrote %v", entries)
			}
		})
	}
}

func startDaemon(t *testing.T, home string) *daemon.Daemon {
	t.Helper()
	d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0", Version: "v-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}
