// Package service keeps the tactful daemon running for one person: a systemd
// user unit on Linux, a launchd agent on macOS and a logon task in Windows'
// Task Scheduler. Each starts `tactful serve` with the binary's absolute path
// and the --home and --addr it was installed with, at login, and starts it
// again when it fails.
//
// Generating the definitions (SystemdUnit, LaunchdPlist, WindowsTask) is pure,
// so every platform's output is tested on any machine. Manager writes them
// into a folder and calls the platform's tool through a Runner; tests give it
// a temporary folder and a fake Runner and never touch the real session.
package service

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The names the service is registered under.
const (
	SystemdUnitName = "tactful.service"
	LaunchdLabel    = "com.github.tactful.tactful"
	WindowsTaskName = "tactful"
)

// Config is what the service runs.
type Config struct {
	// Binary is the absolute path of the tactful executable.
	Binary string
	// Home and Addr become serve's --home and --addr.
	Home string
	Addr string
	// LogFile is where launchd writes the daemon's output (macOS only; systemd
	// has the journal, Windows has no console to keep).
	LogFile string
	// User is the account the Windows logon task belongs to, DOMAIN\name.
	User string
}

// Args are the arguments after the binary.
func (c Config) Args() []string {
	return []string{"serve", "--home", c.Home, "--addr", c.Addr, "--log-format", "json"}
}

// ErrInvalid is wrapped by every error about a Config that cannot be written.
var ErrInvalid = errors.New("invalid service configuration")

func (c Config) validate(goos string) error {
	for _, f := range []struct{ name, value string }{{"binary", c.Binary}, {"home", c.Home}, {"address", c.Addr}} {
		if f.value == "" {
			return fmt.Errorf("%w: no %s", ErrInvalid, f.name)
		}
		if strings.IndexFunc(f.value, unicode.IsControl) >= 0 {
			return fmt.Errorf("%w: the %s %q contains a control character", ErrInvalid, f.name, f.value)
		}
	}
	for _, f := range []struct{ name, value string }{{"binary", c.Binary}, {"home", c.Home}} {
		if !isAbs(goos, f.value) {
			return fmt.Errorf("%w: the %s %q is not an absolute path", ErrInvalid, f.name, f.value)
		}
	}
	return nil
}

// isAbs tells an absolute path the way goos does, whatever this machine is.
func isAbs(goos, path string) bool {
	if goos == "windows" {
		return (len(path) >= 3 && path[1] == ':' && (path[2] == '\\' || path[2] == '/')) || strings.HasPrefix(path, `\\`)
	}
	return strings.HasPrefix(path, "/")
}

// DefinitionFile is the file name of goos's service definition inside the
// manager's folder.
func DefinitionFile(goos string) string {
	switch goos {
	case "darwin":
		return LaunchdLabel + ".plist"
	case "windows":
		return WindowsTaskName + "-task.xml"
	default:
		return SystemdUnitName
	}
}

// Definition returns goos's service definition for c.
func Definition(goos string, c Config) ([]byte, error) {
	switch goos {
	case "darwin":
		return LaunchdPlist(c)
	case "windows":
		return WindowsTask(c)
	default:
		return SystemdUnit(c)
	}
}
