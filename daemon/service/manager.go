package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Runner runs a program and returns what it printed (stdout and stderr).
// The error is non-nil when it could not start or exited non-zero.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// ExecRunner runs programs for real.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// Manager installs, removes and inspects the service on one platform.
type Manager struct {
	// GOOS picks systemd ("linux" and the rest), launchd ("darwin") or Task
	// Scheduler ("windows").
	GOOS string
	// Dir holds the definition: ~/.config/systemd/user, ~/Library/LaunchAgents,
	// or on Windows a copy of the registered task in %AppData%\tactful.
	Dir string
	// Run calls systemctl, launchctl, schtasks or powershell.
	Run Runner
	// UID is the numeric user id launchd's gui/UID domain names (macOS).
	UID string
}

// ForThisMachine returns the Manager for the current user on this machine.
func ForThisMachine() (*Manager, error) {
	m := &Manager{GOOS: runtime.GOOS, Run: ExecRunner, UID: strconv.Itoa(os.Getuid())}
	switch m.GOOS {
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("find the LaunchAgents folder: %w", err)
		}
		m.Dir = filepath.Join(home, "Library", "LaunchAgents")
	case "windows":
		cfg, err := os.UserConfigDir()
		if err != nil {
			return nil, fmt.Errorf("find the AppData folder: %w", err)
		}
		m.Dir = filepath.Join(cfg, "tactful")
	default:
		if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
			m.Dir = filepath.Join(x, "systemd", "user")
		} else {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, fmt.Errorf("find the systemd user folder: %w", err)
			}
			m.Dir = filepath.Join(home, ".config", "systemd", "user")
		}
	}
	return m, nil
}

// Path is the definition file.
func (m *Manager) Path() string { return filepath.Join(m.Dir, DefinitionFile(m.GOOS)) }

// Kind names the service manager for people: "systemd user unit", ...
func (m *Manager) Kind() string {
	switch m.GOOS {
	case "darwin":
		return "launchd agent"
	case "windows":
		return "Task Scheduler logon task"
	default:
		return "systemd user unit"
	}
}

// CommandError is a service manager command that failed.
type CommandError struct {
	Command string
	Output  string
	Err     error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("`%s` failed: %v", e.Command, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += ": " + out
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

func (m *Manager) run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := m.Run(ctx, name, args...)
	if err != nil {
		return string(out), &CommandError{Command: strings.Join(append([]string{name}, args...), " "), Output: string(out), Err: err}
	}
	return string(out), nil
}

// Install writes the definition for c and registers and starts it; it
// replaces an earlier installation (with other flags, say) and restarts it.
func (m *Manager) Install(ctx context.Context, c Config) error {
	def, err := Definition(m.GOOS, c)
	if err != nil {
		return err
	}
	if m.GOOS == "windows" {
		def = EncodeUTF16(def)
	}
	if err := os.MkdirAll(m.Dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", m.Dir, err)
	}
	path := m.Path()
	// launchd refuses a plist that others can write; 0644 suits all three.
	if err := writeFileAtomic(path, def, 0o644); err != nil {
		return err
	}
	for _, s := range m.installSteps(path) {
		if _, err := m.run(ctx, s.args[0], s.args[1:]...); err != nil && !s.optional {
			if m.isSystemd() {
				return fmt.Errorf("wrote %s, but %w (is a systemd user session running? WSL and containers often have none; run `tactful serve` there)", path, err)
			}
			return fmt.Errorf("wrote %s, but %w", path, err)
		}
	}
	return nil
}

// Uninstall stops and unregisters the service and removes its definition.
// It reports false when nothing was installed.
func (m *Manager) Uninstall(ctx context.Context) (bool, error) {
	path := m.Path()
	_, statErr := os.Stat(path)
	existed := statErr == nil
	registered := false
	for _, s := range m.uninstallSteps(existed) {
		if _, err := m.run(ctx, s.args[0], s.args[1:]...); err == nil {
			registered = true
		} else if !s.optional {
			return existed, err
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return existed, fmt.Errorf("remove %s: %w", path, err)
	}
	if m.isSystemd() && existed {
		// systemd forgets the unit after a reload; without a user session
		// (the reload fails) it had nothing loaded to forget.
		_, _ = m.run(ctx, "systemctl", "--user", "daemon-reload")
	}
	return existed || registered, nil
}

// step is one command; an optional one may fail (stopping what does not run).
type step struct {
	args     []string
	optional bool
}

func must(args ...string) step    { return step{args: args} }
func mayFail(args ...string) step { return step{args: args, optional: true} }

func (m *Manager) isSystemd() bool { return m.GOOS != "darwin" && m.GOOS != "windows" }

func (m *Manager) launchdTarget() string { return "gui/" + m.UID + "/" + LaunchdLabel }

func (m *Manager) installSteps(path string) []step {
	switch m.GOOS {
	case "darwin":
		return []step{
			// An agent loaded earlier (other flags, another binary) goes first.
			mayFail("launchctl", "bootout", m.launchdTarget()),
			must("launchctl", "bootstrap", "gui/"+m.UID, path),
		}
	case "windows":
		return []step{
			must("schtasks", "/Create", "/TN", WindowsTaskName, "/XML", path, "/F"),
			mayFail("schtasks", "/End", "/TN", WindowsTaskName),
			must("schtasks", "/Run", "/TN", WindowsTaskName),
		}
	default:
		return []step{
			must("systemctl", "--user", "daemon-reload"),
			must("systemctl", "--user", "enable", SystemdUnitName),
			must("systemctl", "--user", "restart", SystemdUnitName),
		}
	}
}

func (m *Manager) uninstallSteps(existed bool) []step {
	switch m.GOOS {
	case "darwin":
		return []step{mayFail("launchctl", "bootout", m.launchdTarget())}
	case "windows":
		return []step{
			mayFail("schtasks", "/End", "/TN", WindowsTaskName),
			mayFail("schtasks", "/Delete", "/TN", WindowsTaskName, "/F"),
		}
	default:
		if !existed {
			return nil
		}
		return []step{mayFail("systemctl", "--user", "disable", "--now", SystemdUnitName)}
	}
}

// State is what Status found.
type State string

const (
	NotInstalled State = "not installed"
	Running      State = "running"
	Stopped      State = "stopped"
)

// Status is the service's state and what the service manager said.
type Status struct {
	State State
	// Path is the definition file (set when installed).
	Path string
	// Detail is the manager's own word: "failed", "inactive", "Ready", ...
	Detail string
}

// Status says whether the service is installed and whether it runs.
func (m *Manager) Status(ctx context.Context) (Status, error) {
	path := m.Path()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return Status{State: NotInstalled}, nil
	} else if err != nil {
		return Status{}, err
	}
	st := Status{State: Stopped, Path: path}
	switch m.GOOS {
	case "darwin":
		out, err := m.run(ctx, "launchctl", "print", m.launchdTarget())
		if err != nil {
			st.Detail = "not loaded"
			return st, nil
		}
		st.Detail = launchdState(out)
		if st.Detail == "running" {
			st.State = Running
		}
	case "windows":
		out, err := m.run(ctx, "powershell", "-NoProfile", "-NonInteractive", "-Command",
			"(Get-ScheduledTask -TaskName '"+WindowsTaskName+"').State")
		if err != nil {
			st.Detail = "not registered"
			return st, nil
		}
		st.Detail = strings.TrimSpace(out)
		if st.Detail == "Running" {
			st.State = Running
		}
	default:
		// is-active exits non-zero for anything but active; its word counts.
		out, _ := m.run(ctx, "systemctl", "--user", "is-active", SystemdUnitName)
		st.Detail = strings.TrimSpace(out)
		if st.Detail == "active" {
			st.State = Running
		}
		if st.Detail == "" {
			st.Detail = "unknown"
		}
	}
	return st, nil
}

// launchdState finds "state = running" in `launchctl print` output.
func launchdState(out string) string {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "state = "); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// writeFileAtomic writes path through a temporary file in the same folder,
// so a crash leaves the old definition or the new one, never half of one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
