// Command tactful runs the tactful daemon and manages its data: serve, pair,
// status, import, export, backup, restore, history and review. `tactful help` lists
// them; `tactful CMD -h` describes one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/service"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx: serve shuts down gracefully,
	// other commands stop what they do. A second one exits at once.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "tactful: second signal, exiting now")
		os.Exit(130)
	}()

	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tactful: "+err.Error())
	}
	os.Exit(ExitCode(err))
}

// Main is the program, with everything a test needs to run it in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (TACTFUL_HOME, TACTFUL_ADDR).
	Getenv func(string) string
	// Version is what `tactful version` prints and the daemon reports.
	Version string
	// OnServe, when set, is called once serve's daemon listens.
	OnServe func(*daemon.Daemon)
	// ServiceManager, Executable and ServiceWait let tests run `tactful
	// service` against a temporary folder and a fake service manager.
	ServiceManager func() (*service.Manager, error)
	Executable     func() (string, error)
	ServiceWait    time.Duration
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Version: buildVersion(),
	}
}

// UsageError is a mistake in the command line: wrong flag, missing argument.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ExitCode is the process exit status for the error Run returned: 0 for
// none (or help asked for), 2 for bad use, 1 for anything else.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// command is one subcommand.
type command struct {
	name  string
	args  string // the positional arguments, for the usage line
	short string // one line for `tactful help`
	long  string // the paragraph for `tactful CMD -h`
	// bind registers the command's own flags on fs, into variables of its
	// own, and returns what runs the command with them.
	bind func(fs *flag.FlagSet) runFunc
	// run and flags are the older form of bind: flags into env, then run.
	run   runFunc
	flags func(fs *flag.FlagSet, env *env)
	// nargs is the number of positional arguments, or -1 for any.
	nargs int
	// homeless commands never touch the home, so its checks do not apply.
	homeless bool
}

// runFunc runs a command once its flags are parsed.
type runFunc func(m *Main, ctx context.Context, env *env) error

func commands() []*command {
	return []*command{
		serveCommand(), pairCommand(), statusCommand(), importCommand(), exportCommand(),
		backupCommand(), restoreCommand(), historyCommand(), reviewCommand(), serviceCommand(), versionCommand(),
	}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run runs the command line args (without the program name) until done or
// until ctx is cancelled.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if m.Stdin == nil {
		m.Stdin = strings.NewReader("")
	}
	if len(args) == 0 {
		return m.runCommand(ctx, findCommand("serve"), nil)
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := findCommand(args[1])
			if c == nil {
				return usagef("unknown command %q; `tactful help` lists them", args[1])
			}
			m.commandUsage(m.Stdout, c)
			return nil
		}
		m.usage(m.Stdout)
		return nil
	case "-version", "--version", "-v":
		return m.runCommand(ctx, findCommand("version"), args[1:])
	default:
		if strings.HasPrefix(name, "-") {
			// Plain `tactful --addr ...` is serve.
			return m.runCommand(ctx, findCommand("serve"), args)
		}
		c := findCommand(name)
		if c == nil {
			return usagef("unknown command %q; `tactful help` lists them", name)
		}
		return m.runCommand(ctx, c, args[1:])
	}
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintf(w, `tactful keeps notes, tags and a removal reminder for your LinkedIn
connections, on your machine only.

Usage:

  tactful [COMMAND] [ARGS] [FLAGS]

Commands:

`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprintf(w, `
Without a command, tactful serves. Flags come after the command. Every
command takes:

  --home DIR          where the data lives (env TACTFUL_HOME; default
                      ~/.local/share/tactful on Linux, ~/Library/Application
                      Support/tactful on macOS, %%LOCALAPPDATA%%\tactful on Windows)
  --addr HOST:PORT    the daemon's loopback address (env TACTFUL_ADDR; default %s)
  --log-format FORMAT auto, console or json (auto: console on a terminal)
  --log-level LEVEL   debug, info, warn or error (info for serve, warn otherwise)

Run 'tactful help COMMAND' or 'tactful COMMAND -h' for more.
`, daemon.DefaultAddr())
}

func (m *Main) commandUsage(w io.Writer, c *command) {
	fs, _, _ := m.flagSet(c)
	fmt.Fprintf(w, "Usage: tactful %s", c.name)
	if c.args != "" {
		fmt.Fprintf(w, " %s", c.args)
	}
	fmt.Fprintf(w, " [FLAGS]\n\n%s\n\nFlags:\n", strings.TrimSpace(c.long))
	printFlags(w, fs)
}

// printFlags lists the flags the way people type them: --name VALUE.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(w, " %s", name)
		}
		fmt.Fprintf(w, "\n      %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// env is what every command gets: the flags every command takes, resolved,
// and its arguments. A command's own flags live in its bind.
type env struct {
	Home      string
	Addr      string
	LogFormat string
	LogLevel  string
	Args      []string
	Log       zerolog.Logger
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (m *Main) flagSet(c *command) (*flag.FlagSet, *env, runFunc) {
	e := &env{}
	fs := flag.NewFlagSet("tactful "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	home := m.Getenv("TACTFUL_HOME")
	if home == "" {
		home = daemon.DefaultHome()
	}
	addr := m.Getenv("TACTFUL_ADDR")
	if addr == "" {
		addr = daemon.DefaultAddr()
	}
	fs.StringVar(&e.Home, "home", home, "the `DIR` that holds tactful.db and the pairing code (env TACTFUL_HOME)")
	fs.StringVar(&e.Addr, "addr", addr, "the daemon's loopback address `HOST:PORT` (env TACTFUL_ADDR)")
	fs.StringVar(&e.LogFormat, "log-format", "auto", "log `FORMAT`: auto (console on a terminal, JSON otherwise), console or json")
	level := "warn" // the other commands speak through their output
	if c.name == "serve" {
		level = "info"
	}
	fs.StringVar(&e.LogLevel, "log-level", level, "log `LEVEL`: debug, info, warn or error")
	run := c.run
	switch {
	case c.bind != nil:
		run = c.bind(fs)
	case c.flags != nil:
		c.flags(fs, e)
	}
	return fs, e, run
}

func (m *Main) runCommand(ctx context.Context, c *command, args []string) error {
	fs, e, run := m.flagSet(c)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		m.commandUsage(m.Stdout, c)
		return nil
	}
	if err != nil {
		return usagef("%s: %v (see `tactful %s -h`)", c.name, err, c.name)
	}
	if c.nargs >= 0 && len(pos) != c.nargs {
		if c.nargs == 0 {
			return usagef("%s takes no arguments, got %q (see `tactful %s -h`)", c.name, pos, c.name)
		}
		return usagef("usage: tactful %s %s (see `tactful %s -h`)", c.name, c.args, c.name)
	}
	e.Args = pos
	if e.Addr, err = daemon.CheckAddr(e.Addr); err != nil {
		return &UsageError{Msg: "--addr: " + err.Error()}
	}
	if e.Home == "" {
		return usagef("cannot find a home directory; set --home or TACTFUL_HOME")
	}
	// No command may use a home that another user owns or can write to.
	if !c.homeless {
		if err := daemon.CheckHome(e.Home); err != nil {
			return err
		}
	}
	if e.Log, err = m.logger(e.LogFormat, e.LogLevel); err != nil {
		return err
	}
	// serve and service say where a daemon shall listen; the others look
	// for the one that does.
	if c.name != "serve" && c.name != "service" && !addrGiven(fs, m.Getenv) {
		e.Addr = recordedAddr(ctx, e)
	}
	return run(m, ctx, e)
}

// addrGiven reports whether the user named the daemon's address, with
// --addr or TACTFUL_ADDR.
func addrGiven(fs *flag.FlagSet, getenv func(string) string) bool {
	given := getenv("TACTFUL_ADDR") != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			given = true
		}
	})
	return given
}

// recordedAddr is the address a running daemon wrote into the home (see
// daemon.AddrFileName) when a tactful daemon answers there, and e.Addr
// otherwise: a file left by a crash, or naming a port something else took
// since, is ignored.
func recordedAddr(ctx context.Context, e *env) string {
	addr, err := daemon.ReadAddr(e.Home)
	if err != nil {
		e.Log.Warn().Err(err).Msg("ignoring the recorded daemon address")
		return e.Addr
	}
	if addr == "" || addr == e.Addr {
		return e.Addr
	}
	if res, _, _ := probe(ctx, addr); res != probeTactful {
		e.Log.Debug().Str("addr", addr).Msg("no tactful daemon at the recorded address; it is stale")
		return e.Addr
	}
	return addr
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments (`import FILE --format csv`); everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			rest = args[i+1:]
			args = args[:i]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return append(pos, rest...), nil
}

// logger builds the logger for the flags: console on a terminal (or when
// asked), JSON otherwise, on stderr.
func (m *Main) logger(format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || level == "" {
		return zerolog.Nop(), usagef("--log-level: %q is not one of debug, info, warn, error", level)
	}
	var w io.Writer
	switch format {
	case "auto":
		if m.isTerminal(m.Stderr) {
			w = zerolog.ConsoleWriter{Out: m.Stderr, TimeFormat: "15:04:05"}
		} else {
			w = m.Stderr
		}
	case "console":
		w = zerolog.ConsoleWriter{Out: m.Stderr, TimeFormat: "15:04:05", NoColor: !m.isTerminal(m.Stderr)}
	case "json":
		w = m.Stderr
	default:
		return zerolog.Nop(), usagef("--log-format: %q is not one of auto, console, json", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// isTerminal reports whether w is a terminal.
func (m *Main) isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func versionCommand() *command {
	return &command{
		name:     "version",
		short:    "print tactful's version and protocol version",
		long:     "Prints the version of this tactful binary and the protocol version it speaks.",
		homeless: true,
		run: func(m *Main, ctx context.Context, e *env) error {
			fmt.Fprintf(m.Stdout, "tactful %s (protocol %d)\n", m.Version, protocolVersion)
			return nil
		},
	}
}
