package service

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// configs are realistic installations: macOS's home has a space in it.
var configs = map[string]Config{
	"linux": {Binary: "/home/ada/go/bin/tactful", Home: "/home/ada/.local/share/tactful", Addr: "127.0.0.1:47291"},
	"darwin": {Binary: "/usr/local/bin/tactful", Home: "/Users/ada/Library/Application Support/tactful",
		Addr: "127.0.0.1:47291", LogFile: "/Users/ada/Library/Logs/tactful.log"},
	"windows": {Binary: `C:\Users\ada\go\bin\tactful.exe`, Home: `C:\Users\ada\AppData\Local\tactful`,
		Addr: "127.0.0.1:47291", User: `LAPTOP\ada`},
}

func TestDefinitionsMatchGoldenFiles(t *testing.T) {
	for goos, c := range configs {
		t.Run(goos, func(t *testing.T) {
			got, err := Definition(goos, c)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", goos+"-"+DefinitionFile(goos))
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run TestDefinitionsMatchGoldenFiles -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the generated definition:\n%s", golden, got)
			}
		})
	}
}

func TestDefinitionsRunServeWithTheInstalledFlags(t *testing.T) {
	for goos, c := range configs {
		got, _ := Definition(goos, c)
		for _, want := range []string{"serve", "--home", "--addr", "127.0.0.1:47291"} {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("%s: the definition lacks %q", goos, want)
			}
		}
	}
}

func TestSystemdQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/usr/bin/tactful", "/usr/bin/tactful"},
		{"/home/ada/My Data", `"/home/ada/My Data"`},
		{"/tmp/100%", "/tmp/100%%"},
		{"/tmp/$HOME", "/tmp/$$HOME"},
		{`/tmp/a"b\c`, `"/tmp/a\"b\\c"`},
		{"/tmp/semi;colon", `"/tmp/semi;colon"`},
		{"", `""`},
	} {
		if got := systemdQuote(tc.in); got != tc.want {
			t.Errorf("systemdQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestWindowsQuote(t *testing.T) {
	// Cases from CommandLineToArgvW's rules (and Go's syscall.EscapeArg).
	for _, tc := range []struct{ in, want string }{
		{`C:\tactful`, `C:\tactful`},
		{`C:\Users\Ada Lovelace\AppData\Local\tactful`, `"C:\Users\Ada Lovelace\AppData\Local\tactful"`},
		{`C:\My Data\`, `"C:\My Data\\"`},
		{`a"b`, `"a\"b"`},
		{`a\"b`, `"a\\\"b"`},
		{"", `""`},
	} {
		if got := windowsQuote(tc.in); got != tc.want {
			t.Errorf("windowsQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestEncodeUTF16(t *testing.T) {
	got := EncodeUTF16([]byte("<a>é</a>\n<b/>\n"))
	if !bytes.HasPrefix(got, []byte{0xFF, 0xFE}) {
		t.Fatalf("no UTF-16LE byte order mark: % x", got[:2])
	}
	units := make([]uint16, 0, len(got)/2)
	for i := 2; i+1 < len(got); i += 2 {
		units = append(units, uint16(got[i])|uint16(got[i+1])<<8)
	}
	if s := string(utf16.Decode(units)); s != "<a>é</a>\r\n<b/>\r\n" {
		t.Errorf("decoded %q", s)
	}
}

func TestInvalidConfigsAreRefused(t *testing.T) {
	good := configs["linux"]
	for _, tc := range []struct {
		name string
		goos string
		edit func(*Config)
	}{
		{"relative binary", "linux", func(c *Config) { c.Binary = "bin/tactful" }},
		{"relative home", "darwin", func(c *Config) { c.Home = "tactful" }},
		{"no address", "linux", func(c *Config) { c.Addr = "" }},
		{"newline in home", "linux", func(c *Config) { c.Home = "/tmp/a\n[Service]" }},
		{"unix path on windows", "windows", func(c *Config) { c.User = `PC\ada` }},
		{"windows without a user", "windows", func(c *Config) {
			*c = configs["windows"]
			c.User = ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			if _, err := Definition(tc.goos, c); !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

// fakeManager answers like a service manager that runs whatever is enabled.
type fakeManager struct {
	calls   []string
	running bool
	fail    string // a command prefix that fails
}

func (f *fakeManager) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	call := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, call)
	if f.fail != "" && strings.HasPrefix(call, f.fail) {
		return []byte("Failed to connect to bus: No medium found"), errors.New("exit status 1")
	}
	switch {
	case strings.Contains(call, " restart ") || strings.Contains(call, " bootstrap ") || strings.Contains(call, "/Run "):
		f.running = true
	case strings.Contains(call, "disable --now") || strings.Contains(call, "bootout") || strings.Contains(call, "/End "):
		f.running = false
	case strings.Contains(call, "is-active"):
		if f.running {
			return []byte("active\n"), nil
		}
		return []byte("inactive\n"), errors.New("exit status 3")
	case strings.HasPrefix(call, "launchctl print"):
		if f.running {
			return []byte("gui/501/" + LaunchdLabel + " = {\n\tactive count = 1\n\tstate = running\n}\n"), nil
		}
		return []byte("Could not find service"), errors.New("exit status 113")
	case strings.HasPrefix(call, "powershell"):
		if f.running {
			return []byte("Running\r\n"), nil
		}
		return []byte("Ready\r\n"), nil
	}
	return nil, nil
}

func TestInstallStatusUninstallRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		goos                     string
		install, uninstall       []string
		runningWord, stoppedWord string
	}{
		{"linux",
			[]string{"systemctl --user daemon-reload", "systemctl --user enable tactful.service", "systemctl --user restart tactful.service"},
			[]string{"systemctl --user disable --now tactful.service", "systemctl --user daemon-reload"},
			"active", "inactive"},
		{"darwin",
			[]string{"launchctl bootout gui/501/" + LaunchdLabel, "launchctl bootstrap gui/501 DIR/" + LaunchdLabel + ".plist"},
			[]string{"launchctl bootout gui/501/" + LaunchdLabel},
			"running", "not loaded"},
		{"windows",
			[]string{"schtasks /Create /TN tactful /XML DIR/tactful-task.xml /F", "schtasks /End /TN tactful", "schtasks /Run /TN tactful"},
			[]string{"schtasks /End /TN tactful", "schtasks /Delete /TN tactful /F"},
			"Running", "Ready"},
	} {
		t.Run(tc.goos, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "config", "systemd", "user")
			fake := &fakeManager{}
			m := &Manager{GOOS: tc.goos, Dir: dir, Run: fake.run, UID: "501"}
			expand := func(calls []string) []string {
				out := make([]string, len(calls))
				for i, c := range calls {
					out[i] = strings.ReplaceAll(c, "DIR/", dir+string(filepath.Separator))
				}
				return out
			}

			st, err := m.Status(ctx)
			if err != nil || st.State != NotInstalled {
				t.Fatalf("before install: %+v, %v", st, err)
			}

			if err := m.Install(ctx, configs[tc.goos]); err != nil {
				t.Fatal(err)
			}
			if got, want := fake.calls, expand(tc.install); !equal(got, want) {
				t.Errorf("install ran\n%q\nwant\n%q", got, want)
			}
			written, err := os.ReadFile(m.Path())
			if err != nil {
				t.Fatal(err)
			}
			want, _ := Definition(tc.goos, configs[tc.goos])
			if tc.goos == "windows" {
				want = EncodeUTF16(want)
			}
			if !bytes.Equal(written, want) {
				t.Errorf("%s holds something else than the definition", m.Path())
			}

			st, err = m.Status(ctx)
			if err != nil || st.State != Running || st.Detail != tc.runningWord || st.Path != m.Path() {
				t.Errorf("after install: %+v, %v", st, err)
			}
			fake.running = false
			if st, _ = m.Status(ctx); st.State != Stopped || st.Detail != tc.stoppedWord {
				t.Errorf("stopped: %+v", st)
			}
			fake.running = true

			fake.calls = nil
			removed, err := m.Uninstall(ctx)
			if err != nil || !removed {
				t.Fatalf("uninstall: %v, %v", removed, err)
			}
			if got, want := fake.calls, expand(tc.uninstall); !equal(got, want) {
				t.Errorf("uninstall ran\n%q\nwant\n%q", got, want)
			}
			if _, err := os.Stat(m.Path()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s is still there: %v", m.Path(), err)
			}
			if st, _ = m.Status(ctx); st.State != NotInstalled {
				t.Errorf("after uninstall: %+v", st)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("left behind in %s: %v", dir, entries)
			}
		})
	}
}

func TestReinstallReplacesTheDefinition(t *testing.T) {
	fake := &fakeManager{}
	m := &Manager{GOOS: "linux", Dir: t.TempDir(), Run: fake.run}
	c := configs["linux"]
	if err := m.Install(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	c.Addr = "127.0.0.1:50000"
	if err := m.Install(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(m.Path())
	if !bytes.Contains(got, []byte("--addr 127.0.0.1:50000")) || bytes.Contains(got, []byte("47291")) {
		t.Errorf("the unit was not replaced:\n%s", got)
	}
	if last := fake.calls[len(fake.calls)-1]; last != "systemctl --user restart tactful.service" {
		t.Errorf("a reinstall must restart the daemon with the new flags; last call %q", last)
	}
}

func TestInstallSaysWhatFailed(t *testing.T) {
	fake := &fakeManager{fail: "systemctl --user daemon-reload"}
	m := &Manager{GOOS: "linux", Dir: t.TempDir(), Run: fake.run}
	err := m.Install(context.Background(), configs["linux"])
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CommandError", err)
	}
	for _, want := range []string{m.Path(), "systemctl --user daemon-reload", "Failed to connect to bus", "systemd user session"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
}

func TestUninstallWhenNothingIsInstalled(t *testing.T) {
	fake := &fakeManager{}
	m := &Manager{GOOS: "linux", Dir: t.TempDir(), Run: fake.run}
	removed, err := m.Uninstall(context.Background())
	if err != nil || removed {
		t.Errorf("removed=%v err=%v, want false, nil", removed, err)
	}
	if len(fake.calls) != 0 {
		t.Errorf("nothing installed, yet it ran %q", fake.calls)
	}
}

// TestSystemdAcceptsTheUnit runs `systemd-analyze --user verify` on a unit
// whose paths need quoting. As root (CI) there is no user manager to ask,
// so it gets a runtime directory of its own.
func TestSystemdAcceptsTheUnit(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian: apt-get install systemd)")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "bin dir 100%", "tactful")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	runtimeDir := filepath.Join(root, "runtime")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	verify := func(c Config) (string, error) {
		dir := filepath.Join(root, "units", filepath.Base(c.Home))
		m := &Manager{GOOS: "linux", Dir: dir, Run: (&fakeManager{}).run}
		if err := m.Install(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(analyze, "--user", "verify", m.Path())
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir, "SYSTEMD_LOG_COLOR=0")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := verify(Config{Binary: bin, Home: filepath.Join(root, "My $HOME's data"), Addr: "127.0.0.1:47291"})
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The check can fail: a unit whose binary is missing is refused.
	out, err = verify(Config{Binary: filepath.Join(root, "missing", "tactful"), Home: filepath.Join(root, "other"), Addr: "127.0.0.1:47291"})
	if err == nil || !strings.Contains(out, "missing") {
		t.Errorf("systemd-analyze accepted a unit with a missing binary: %v\n%s", err, out)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPlistAndTaskAreWellFormedXML(t *testing.T) {
	for _, goos := range []string{"darwin", "windows"} {
		def, err := Definition(goos, configs[goos])
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(def))
		// The task says UTF-16, which it becomes at install; the text is UTF-8.
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
		d.Entity = map[string]string{}
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", goos, err)
			}
		}
	}
}

func TestUninstallWithoutAUserSession(t *testing.T) {
	dir := t.TempDir()
	m := &Manager{GOOS: "linux", Dir: dir, Run: (&fakeManager{}).run}
	if err := m.Install(context.Background(), configs["linux"]); err != nil {
		t.Fatal(err)
	}
	// No systemd user session: every systemctl call fails.
	m.Run = (&fakeManager{fail: "systemctl"}).run
	removed, err := m.Uninstall(context.Background())
	if err != nil || !removed {
		t.Errorf("removed=%v err=%v, want the unit removed without complaint", removed, err)
	}
	if _, err := os.Stat(m.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unit is still there: %v", err)
	}
}
