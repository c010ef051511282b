package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tactful/tactful/daemon/service"
)

func serviceCommand() *command {
	return &command{
		name:  "service",
		args:  "install|uninstall|status",
		short: "keep the daemon running: start it at login and after a failure",
		long: `install registers this tactful binary, with the --home and --addr given,
as a per-user service that starts at login and again when it fails: a systemd
user unit on Linux (~/.config/systemd/user/tactful.service), a launchd agent
on macOS (~/Library/LaunchAgents/` + service.LaunchdLabel + `.plist), a Task
Scheduler logon task on Windows (task "tactful"). Installing again replaces it
and restarts the daemon with the new flags.

uninstall stops the daemon and removes the service; your data stays in the home.

status says whether the service is installed and running, and whether a
daemon answers on the address.`,
		nargs: 1,
		run:   (*Main).service,
	}
}

// serviceManager is the Manager for this machine unless a test set one.
func (m *Main) serviceManager() (*service.Manager, error) {
	if m.ServiceManager != nil {
		return m.ServiceManager()
	}
	return service.ForThisMachine()
}

func (m *Main) service(ctx context.Context, e *env) error {
	mgr, err := m.serviceManager()
	if err != nil {
		return err
	}
	switch e.Args[0] {
	case "install":
		return m.serviceInstall(ctx, e, mgr)
	case "uninstall":
		removed, err := mgr.Uninstall(ctx)
		if err != nil {
			return fmt.Errorf("service uninstall: %w", err)
		}
		if !removed {
			fmt.Fprintln(m.Stdout, "The tactful service was not installed; nothing to remove.")
			return nil
		}
		fmt.Fprintf(m.Stdout, "Removed the %s %s and stopped the daemon. Your data stays in %s.\n", mgr.Kind(), mgr.Path(), e.Home)
		return nil
	case "status":
		return m.serviceStatus(ctx, e, mgr)
	default:
		return usagef("usage: tactful service install|uninstall|status, not %q", e.Args[0])
	}
}

func (m *Main) serviceInstall(ctx context.Context, e *env, mgr *service.Manager) error {
	exe := os.Executable
	if m.Executable != nil {
		exe = m.Executable
	}
	bin, err := exe()
	if err != nil {
		return fmt.Errorf("service install: find this program's path: %w", err)
	}
	if isGoRunBinary(bin) {
		return fmt.Errorf("service install: %s is a temporary build of `go run`, gone when it exits; "+
			"install tactful first (`go install ./daemon/cmd/tactful` or `make build`) and run that binary's `service install`", bin)
	}
	home, err := filepath.Abs(e.Home)
	if err != nil {
		return fmt.Errorf("service install: home %s: %w", e.Home, err)
	}
	c := service.Config{Binary: bin, Home: home, Addr: e.Addr}
	if mgr.GOOS == "darwin" {
		if u, err := os.UserHomeDir(); err == nil {
			c.LogFile = filepath.Join(u, "Library", "Logs", "tactful.log")
		}
	}
	if mgr.GOOS == "windows" {
		if u, err := user.Current(); err == nil {
			c.User = u.Username
		}
	}

	// A daemon started by hand holds the port; the service's would fail.
	before, _ := mgr.Status(ctx)
	if res, _, _ := probe(ctx, e.Addr); res == probeTactful && before.State != service.Running {
		fmt.Fprintf(m.Stdout, "Note: a tactful daemon already runs on %s, not as the service. Stop it (Ctrl-C where it runs) so the service's can listen.\n", e.Addr)
	}

	if err := mgr.Install(ctx, c); err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Installed the %s %s.\nIt runs: %s %s\n", mgr.Kind(), mgr.Path(), bin, strings.Join(c.Args(), " "))
	fmt.Fprintln(m.Stdout, "It starts when you log in and again if it fails. `tactful service status` shows it; `tactful service uninstall` removes it.")
	if answersSoon(ctx, e.Addr, m.serviceWait()) {
		fmt.Fprintf(m.Stdout, "The daemon answers on %s.\n", e.Addr)
	} else {
		fmt.Fprintf(m.Stdout, "The daemon does not answer on %s yet; %s\n", e.Addr, logHint(mgr.GOOS))
	}
	return nil
}

func (m *Main) serviceWait() time.Duration {
	if m.ServiceWait != 0 {
		return m.ServiceWait
	}
	return 5 * time.Second
}

func (m *Main) serviceStatus(ctx context.Context, e *env, mgr *service.Manager) error {
	st, err := mgr.Status(ctx)
	if err != nil {
		return fmt.Errorf("service status: %w", err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	switch st.State {
	case service.NotInstalled:
		fmt.Fprintf(tw, "service:\tnot installed (`tactful service install` installs it)\n")
	default:
		fmt.Fprintf(tw, "service:\t%s %s\n", mgr.Kind(), st.Path)
		fmt.Fprintf(tw, "state:\tinstalled, %s (%s)\n", st.State, st.Detail)
	}
	switch res, h, _ := probe(ctx, e.Addr); res {
	case probeTactful:
		fmt.Fprintf(tw, "daemon:\ttactful %s answers on %s\n", h.Version, e.Addr)
	case probeOther:
		fmt.Fprintf(tw, "daemon:\tsomething that is not tactful answers on %s\n", e.Addr)
	default:
		fmt.Fprintf(tw, "daemon:\tnothing answers on %s\n", e.Addr)
		if st.State == service.Stopped {
			fmt.Fprintf(tw, "logs:\t%s\n", logHint(mgr.GOOS))
		}
	}
	return nil
}

// answersSoon polls addr until a tactful daemon answers or wait passes.
func answersSoon(ctx context.Context, addr string, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for {
		if res, _, _ := probe(ctx, addr); res == probeTactful {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func logHint(goos string) string {
	switch goos {
	case "darwin":
		return "its log is ~/Library/Logs/tactful.log."
	case "windows":
		return "Task Scheduler's history for the task \"tactful\" says why."
	default:
		return "`journalctl --user -u tactful` shows its log."
	}
}

// isGoRunBinary tells a binary `go run` built into a temporary folder
// (…/go-build123/b001/exe/tactful), which is gone when it exits.
func isGoRunBinary(path string) bool {
	p := filepath.ToSlash(path)
	return strings.Contains(p, "/go-build") && strings.Contains(p, "/exe/")
}
