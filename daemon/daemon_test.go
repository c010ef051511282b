package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/protocol"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func start(t *testing.T, home string) *daemon.Daemon {
	t.Helper()
	d, err := daemon.Start(daemon.Config{
		Home:    home,
		Addr:    "127.0.0.1:0",
		Logger:  zerolog.New(zerolog.NewTestWriter(t)),
		Version: "test",
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

func dial(t *testing.T, d *daemon.Daemon) *client.Client {
	t.Helper()
	code, err := d.PairingCode()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(testContext(t), d.Addr(), code, nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestStartKeepsDataPrivateAndServes(t *testing.T) {
	home := filepath.Join(t.TempDir(), "nested", "home")
	d := start(t, home)

	if got := mode(t, home); got != 0o700 {
		t.Errorf("home mode = %v, want 0700: other users must not list the data", got)
	}
	for _, f := range []string{daemon.DBFileName, pairing.FileName} {
		if got := mode(t, filepath.Join(home, f)); got != 0o600 {
			t.Errorf("%s mode = %v, want 0600", f, got)
		}
	}
	host, port, _ := net.SplitHostPort(d.Addr())
	if host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr = %q, want 127.0.0.1 with the real port", d.Addr())
	}

	resp, err := http.Get("http://" + d.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Service  string `json:"service"`
		Version  string `json:"version"`
		Protocol int    `json:"protocol"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Service != "tactful" || h.Version != "test" || h.Protocol != protocol.Version {
		t.Errorf("healthz = %+v", h)
	}

	c := dial(t, d)
	if w := c.Welcome(); w.DaemonVersion != "test" {
		t.Errorf("welcome daemon_version = %q", w.DaemonVersion)
	}
}

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	for _, tc := range []struct{ name, addr string }{
		{"all interfaces", "0.0.0.0:0"},
		{"empty host", ":0"},
		{"LAN address", "192.168.1.10:47291"},
		{"IPv6 any", "[::]:0"},
		{"host name", "example.com:47291"},
		{"no port", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			d, err := daemon.Start(daemon.Config{Home: home, Addr: tc.addr})
			if err == nil {
				d.Close(context.Background())
				t.Fatalf("Start(%q) succeeded", tc.addr)
			}
			if !errors.Is(err, daemon.ErrNotLoopback) || !strings.Contains(err.Error(), "127.0.0.1:") {
				t.Errorf("err = %v, want a loopback-only error that suggests 127.0.0.1:PORT", err)
			}
			if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused address still created %s", home)
			}
		})
	}
}

func TestCheckAddrAcceptsLoopback(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:47291": "127.0.0.1:47291",
		"localhost:0":     "127.0.0.1:0",
		"[::1]:8080":      "[::1]:8080",
		"127.0.0.2:1":     "127.0.0.2:1",
	} {
		got, err := daemon.CheckAddr(in)
		if err != nil || got != want {
			t.Errorf("CheckAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSecondDaemonOnSameHomeFailsFast(t *testing.T) {
	home := t.TempDir()
	start(t, home)
	d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0"})
	if err == nil {
		d.Close(context.Background())
		t.Fatal("a second daemon opened the same database")
	}
	want := "another tactful daemon is using " + filepath.Join(home, daemon.DBFileName)
	if !errors.Is(err, daemon.ErrLocked) || err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	home := t.TempDir()
	d, err := daemon.Start(daemon.Config{Home: home, Addr: ln.Addr().String()})
	if err == nil {
		d.Close(context.Background())
		t.Fatal("Start succeeded on a taken port")
	}
	if !errors.Is(err, daemon.ErrPortInUse) || !strings.Contains(err.Error(), "port "+ln.Addr().String()+" is in use") {
		t.Errorf("err = %v", err)
	}
	// The failed start let go of the database: a daemon on a free port can
	// use the same home at once.
	start(t, home)
}

func TestCorruptDatabaseIsRefusedAndLeftAlone(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, daemon.DBFileName)
	junk := bytes.Repeat([]byte("not a bbolt file, but someone's data all the same\n"), 400)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0"})
	if err == nil {
		d.Close(context.Background())
		t.Fatal("Start accepted a corrupt database")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "tactful restore") {
		t.Errorf("err = %v, want it to name %s and say how to recover", err, path)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil || !bytes.Equal(got, junk) {
		t.Errorf("the corrupt database was changed (err %v)", rerr)
	}
}

func TestUnreadableDatabaseGetsNoAdviceToReplaceIt(t *testing.T) {
	home := t.TempDir()
	// A directory where the database should be: the system refuses to
	// open it, which says nothing against the user's data.
	if err := os.Mkdir(filepath.Join(home, daemon.DBFileName), 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0"})
	if err == nil {
		d.Close(context.Background())
		t.Fatal("Start opened a directory as its database")
	}
	if strings.Contains(err.Error(), "restore") || strings.Contains(err.Error(), "afresh") {
		t.Errorf("err = %v: advice to replace data that may be intact", err)
	}
}

func TestRestartKeepsNotes(t *testing.T) {
	ctx := testContext(t)
	home := t.TempDir()
	d := start(t, home)
	c := dial(t, d)
	seen := &protocol.ContactsSeen{Contacts: []protocol.SeenContact{{Slug: "ada-lovelace-1815", Name: "Ada Lovelace"}}}
	if err := c.Call(ctx, seen, nil); err != nil {
		t.Fatal(err)
	}
	add := &protocol.NoteAdd{Slug: "ada-lovelace-1815", NoteID: "n1", Text: "Met at the meetup."}
	if err := c.Call(ctx, add, nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	<-c.Done()
	if !errors.Is(c.Err(), client.ErrClosed) {
		t.Errorf("after Close the client's error is %v, want ErrClosed", c.Err())
	}

	d2 := start(t, home)
	c2 := dial(t, d2)
	var reply protocol.ContactReply
	if err := c2.Call(ctx, &protocol.ContactGet{Slug: "ada-lovelace-1815"}, &reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Contact.Notes) != 1 || reply.Contact.Notes[0].Text != "Met at the meetup." {
		t.Errorf("notes after restart = %+v", reply.Contact.Notes)
	}
}

func TestCloseStopsListening(t *testing.T) {
	d := start(t, t.TempDir())
	addr := d.Addr()
	if err := d.Close(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
}

func TestDefaultAddr(t *testing.T) {
	if got := daemon.DefaultAddr(); got != "127.0.0.1:47291" {
		t.Errorf("DefaultAddr = %q", got)
	}
}

func TestLooseDatabaseIsMadePrivate(t *testing.T) {
	home := t.TempDir()
	first := start(t, home)
	if err := first.Close(testContext(t)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, daemon.DBFileName)
	if err := os.Chmod(path, 0o644); err != nil { // as a careless copy leaves it
		t.Fatal(err)
	}
	start(t, home)
	if got := mode(t, path); got != 0o600 {
		t.Errorf("database mode after start = %v, want 0600", got)
	}
}
