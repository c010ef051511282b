package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/server"
	"github.com/tactful/tactful/protocol"
)

const protocolVersion = protocol.Version

// ShutdownTimeout bounds a graceful shutdown; a second signal cuts it short.
const ShutdownTimeout = 10 * time.Second

func serveCommand() *command {
	return &command{
		name:  "serve",
		short: "run the daemon the extension talks to (the default)",
		long: `Runs the tactful daemon until SIGINT or SIGTERM (a second one stops it at
once). It listens on loopback only, keeps its data in HOME/tactful.db (mode
0600, in a 0700 directory) and prints how to load the extension and pair it.
With --addr 127.0.0.1:0 it picks a free port and logs it (field "addr").`,
		bind: func(fs *flag.FlagSet) runFunc {
			var o serveOptions
			fs.Var(&o.Origins, "allow-origin", "also accept WebSocket connections from this browser `ORIGIN` (repeatable), e.g. a development build's chrome-extension://ID")
			def := annotate.Default()
			fs.IntVar(&o.RecentDays, "recent-days", def.RecentDays, "a connection made within `DAYS` counts as recent")
			fs.IntVar(&o.CooldownDays, "cooldown-days", def.CooldownDays, "a marked disagreement cools down for `DAYS` unless the extension says otherwise")
			fs.IntVar(&o.RecentNoteDays, "fresh-note-days", def.RecentNoteDays, "a note written within `DAYS` makes the reminder advise waiting")
			fs.IntVar(&o.MaxConns, "max-conns", server.DefaultMaxConns, "accept at most `N` WebSocket connections at once (tabs, popups, local programs); more get 503")
			return func(m *Main, ctx context.Context, e *env) error { return m.serve(ctx, e, o) }
		},
	}
}

// serveOptions are serve's own flags.
type serveOptions struct {
	Origins stringList
	// Thresholds of the annotation rules.
	RecentDays, CooldownDays, RecentNoteDays int
	// MaxConns caps simultaneous WebSocket connections.
	MaxConns int
}

func (m *Main) serve(ctx context.Context, e *env, o serveOptions) error {
	for _, t := range []struct {
		flag string
		days int
	}{{"recent-days", o.RecentDays}, {"cooldown-days", o.CooldownDays}, {"fresh-note-days", o.RecentNoteDays}, {"max-conns", o.MaxConns}} {
		if t.days < 1 || t.days > 3650 {
			return usagef("--%s must be between 1 and 3650, not %d", t.flag, t.days)
		}
	}
	d, err := daemon.Start(daemon.Config{
		Home:         e.Home,
		Addr:         e.Addr,
		Logger:       e.Log,
		ExtraOrigins: o.Origins,
		Version:      m.Version,
		Rules:        annotate.Rules{RecentDays: o.RecentDays, CooldownDays: o.CooldownDays, RecentNoteDays: o.RecentNoteDays},
		MaxConns:     o.MaxConns,
	})
	if err != nil {
		return err
	}
	e.Log.Info().Str("addr", d.Addr()).Str("home", d.Home()).Str("db", d.DBPath()).
		Str("version", m.Version).Int("protocol", protocol.Version).Msg("tactful is listening")
	if note := daemon.DefaultHomeNote(); note != "" && e.Home == daemon.DefaultHome() {
		e.Log.Info().Str("home", d.Home()).Msg(note)
	}
	m.printWelcome(d)
	if m.OnServe != nil {
		m.OnServe(d)
	}

	<-ctx.Done()
	e.Log.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := d.Close(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	e.Log.Info().Msg("stopped")
	return nil
}

// printWelcome tells a person how to load the extension and pair it. It is
// not part of the log. The pairing code is a secret, so it is printed only
// on a terminal, never into a file that may be a log.
func (m *Main) printWelcome(d *daemon.Daemon) {
	w := m.Stderr
	ext, manifest := "the extension/ folder of your tactful checkout", "the manifest.json in it"
	if dir := findExtensionDir(); dir != "" {
		ext, manifest = dir, filepath.Join(dir, "manifest.json")
	}
	fmt.Fprintf(w, `
tactful is running on %s; your data is in %s.

Load the extension (once):
  Chromium/Chrome: chrome://extensions, switch on Developer mode, Load unpacked,
                   choose %s
  Firefox:         about:debugging, This Firefox, Load Temporary Add-on…,
                   choose %s

`, d.Addr(), d.Home(), ext, manifest)
	code, err := pairing.Ensure(d.Home())
	if m.isTerminal(w) && err == nil {
		fmt.Fprintf(w, "Pair it: open the extension's popup and paste this pairing code:\n\n    %s\n\n", code)
	} else {
		fmt.Fprintf(w, "Pair it: open the extension's popup and paste the pairing code that\n")
	}
	fmt.Fprintf(w, "`%s pair --home %s` prints. Stop with Ctrl-C.\n\n", selfCommand(), d.Home())
}

// selfCommand is how the person started this binary, so the commands we
// suggest work as typed: ./bin/tactful after `make run`, tactful when it is
// on the PATH or run through `go run`.
func selfCommand() string {
	arg := os.Args[0]
	if !strings.ContainsRune(arg, filepath.Separator) || strings.Contains(arg, "go-build") {
		return "tactful"
	}
	return arg
}

// findExtensionDir looks for the repository's extension/ folder near the
// working directory and the executable; "" when there is none.
func findExtensionDir() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for i := 0; i < 5; i++ {
			cand := filepath.Join(dir, "extension")
			if _, err := os.Stat(filepath.Join(cand, "manifest.json")); err == nil {
				return cand
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return ""
}

func pairCommand() *command {
	return &command{
		name:  "pair",
		short: "print the pairing code (--rotate: replace it)",
		long: `Prints the pairing code the extension needs, creating it if there is none yet.
With --rotate it replaces the code: browsers paired with the old one must pair
again, and a running daemon disconnects them at once.`,
		bind: func(fs *flag.FlagSet) runFunc {
			rotate := fs.Bool("rotate", false, "replace the pairing code with a new one")
			return func(m *Main, ctx context.Context, e *env) error { return m.pair(ctx, e, *rotate) }
		},
	}
}

func (m *Main) pair(ctx context.Context, e *env, rotate bool) error {
	if !rotate {
		code, err := pairing.Ensure(e.Home)
		if err != nil {
			return fmt.Errorf("pairing code: %w", err)
		}
		fmt.Fprintln(m.Stdout, code)
		if m.isTerminal(m.Stdout) {
			fmt.Fprintln(m.Stderr, "Paste it into the tactful extension's popup.")
		}
		return nil
	}
	if err := os.MkdirAll(e.Home, 0o700); err != nil {
		return fmt.Errorf("home directory: %w", err)
	}
	code, err := pairing.Rotate(e.Home)
	if err != nil {
		return fmt.Errorf("rotate the pairing code: %w", err)
	}
	fmt.Fprintln(m.Stdout, code)
	fmt.Fprintln(m.Stderr, "This is the new pairing code. Browsers paired with the old one must pair again;\na running daemon disconnects them now.")
	e.Log.Info().Str("home", e.Home).Msg("pairing code rotated")
	return nil
}
