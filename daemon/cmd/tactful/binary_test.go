package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// The tests in this file run the real binary, as a user would.

// fixture returns the project's LinkedIn export sample (Connections.csv).
func fixture(t *testing.T) string {
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

// build compiles tactful into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tactful")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary to completion. The deadline only keeps a hang from
// stalling the suite; every command here should end at once.
func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "TACTFUL_HOME=", "TACTFUL_ADDR=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tactful %s hung; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// ok runs the binary and fails the test unless it exits 0.
func ok(t *testing.T, bin string, args ...string) result {
	t.Helper()
	r := run(t, bin, args...)
	if r.code != 0 {
		t.Fatalf("tactful %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// proc is a running `tactful serve`.
type proc struct {
	cmd  *exec.Cmd
	addr string
	home string
	done chan struct{}
	err  error
	// lines receives the log lines after the one that names the address.
	lines chan string

	mu     sync.Mutex
	stderr bytes.Buffer
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// serve starts `tactful serve` on a free port and waits for the log line
// that names its address.
func serve(t *testing.T, bin, home string) *proc {
	t.Helper()
	p := &proc{home: home, done: make(chan struct{}), lines: make(chan string, 1000)}
	p.cmd = exec.Command(bin, "serve", "--home", home, "--addr", "127.0.0.1:0", "--log-format", "json")
	p.cmd.Env = append(os.Environ(), "TACTFUL_HOME=", "TACTFUL_ADDR=")
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var entry struct {
				Message string `json:"message"`
				Addr    string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Addr != "" && entry.Message == "tactful is listening" {
				addrc <- entry.Addr
				continue
			}
			select {
			case p.lines <- line:
			default:
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.addr = <-addrc:
	case <-p.done:
		t.Fatalf("tactful serve exited before listening: %v\n%s", p.err, p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("tactful serve did not log its address\n%s", p.log())
	}
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.err != nil {
		t.Fatalf("tactful serve did not exit cleanly after SIGTERM: %v\n%s", p.err, p.log())
	}
}

func (p *proc) flags(extra ...string) []string {
	return append(extra, "--home", p.home, "--addr", p.addr)
}

func dialHome(t *testing.T, addr, home string) *client.Client {
	t.Helper()
	code, err := os.ReadFile(pairing.Path(home))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, strings.TrimSpace(string(code)), nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func call(t *testing.T, c *client.Client, req, reply any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Call(ctx, req, reply); err != nil {
		t.Fatalf("%s: %v", client.TypeOf(req), err)
	}
}

const ada = "ada-lovelace-1815"

func addNote(t *testing.T, c *client.Client, text string) {
	t.Helper()
	call(t, c, &protocol.ContactsSeen{Contacts: []protocol.SeenContact{{Slug: ada, Name: "Ada Lovelace"}}}, nil)
	call(t, c, &protocol.NoteAdd{Slug: ada, NoteID: "note-1", Text: text}, nil)
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestBinary(t *testing.T) {
	bin := build(t)

	t.Run("second daemon on the same home fails fast", func(t *testing.T) {
		home := t.TempDir()
		serve(t, bin, home)
		r := run(t, bin, "serve", "--home", home, "--addr", "127.0.0.1:0")
		want := "another tactful daemon is using " + filepath.Join(home, "tactful.db")
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
	})

	t.Run("port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		r := run(t, bin, "serve", "--home", t.TempDir(), "--addr", ln.Addr().String())
		want := "port " + ln.Addr().String() + " is in use"
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, want)
		}
	})

	t.Run("non-loopback address", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "home")
		r := run(t, bin, "serve", "--home", home, "--addr", "0.0.0.0:0")
		if r.code != 2 || !strings.Contains(r.stderr, "loopback only") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("exit %d, stderr:\n%s\nwant one line saying loopback only, exit 2", r.code, r.stderr)
		}
		if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
			t.Error("a refused address still created the home directory")
		}
	})

	t.Run("corrupt database is refused and left alone", func(t *testing.T) {
		home := t.TempDir()
		path := filepath.Join(home, "tactful.db")
		junk := bytes.Repeat([]byte("this was a database once\x00\x01"), 1000)
		if err := os.WriteFile(path, junk, 0o600); err != nil {
			t.Fatal(err)
		}
		r := run(t, bin, "serve", "--home", home, "--addr", "127.0.0.1:0")
		if r.code == 0 || !strings.Contains(r.stderr, path) {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
			t.Error("the corrupt database was modified")
		}
	})

	t.Run("restart keeps data", func(t *testing.T) {
		home := t.TempDir()
		p := serve(t, bin, home)
		addNote(t, dialHome(t, p.addr, home), "Kept across restarts.")
		p.stop(t)

		p = serve(t, bin, home)
		var reply protocol.ContactReply
		call(t, dialHome(t, p.addr, home), &protocol.ContactGet{Slug: ada}, &reply)
		if len(reply.Contact.Notes) != 1 || reply.Contact.Notes[0].Text != "Kept across restarts." {
			t.Errorf("notes after restart: %+v", reply.Contact.Notes)
		}
	})

	t.Run("pair --rotate disconnects paired clients", func(t *testing.T) {
		home := t.TempDir()
		p := serve(t, bin, home)
		c := dialHome(t, p.addr, home)
		old := strings.TrimSpace(ok(t, bin, "pair", "--home", home).stdout)
		r := ok(t, bin, "pair", "--rotate", "--home", home)
		code := strings.TrimSpace(r.stdout)
		if code == old || !pairing.Valid(code) || !strings.Contains(r.stderr, "pair again") {
			t.Errorf("pair --rotate printed %q (old %q), stderr %q", code, old, r.stderr)
		}
		select {
		case <-c.Done():
		case <-time.After(30 * time.Second):
			t.Fatal("the client paired with the old code is still connected")
		}
		if !errors.Is(c.Err(), client.ErrPairingRotated) {
			t.Errorf("client error = %v, want ErrPairingRotated", c.Err())
		}
		call(t, dialHome(t, p.addr, home), &protocol.Ping{}, nil) // the new code works
	})

	t.Run("a second signal cuts a slow shutdown short", func(t *testing.T) {
		home := t.TempDir()
		p := serve(t, bin, home)
		// A client that stops reading never answers the daemon's close
		// frame, which holds up a graceful shutdown for seconds.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, "ws://"+p.addr+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		code, _ := os.ReadFile(pairing.Path(home))
		hello := fmt.Sprintf(`{"type":"hello","id":"1","protocol":%d,"pairing_code":%q}`, protocol.Version, strings.TrimSpace(string(code)))
		if err := ws.Write(ctx, websocket.MessageText, []byte(hello)); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := ws.Read(ctx); err != nil || !strings.Contains(string(msg), `"welcome"`) {
			t.Fatalf("no welcome: %s %v", msg, err)
		}
		p.cmd.Process.Signal(syscall.SIGINT)
		for line := range p.lines {
			if strings.Contains(line, "shutting down") {
				break
			}
		}
		p.cmd.Process.Signal(syscall.SIGINT)
		<-p.done
		var ee *exec.ExitError
		if !errors.As(p.err, &ee) || ee.ExitCode() != 130 || !strings.Contains(p.log(), "second signal") {
			t.Errorf("after two signals: %v, want exit 130 at once\n%s", p.err, p.log())
		}
	})

	t.Run("status", func(t *testing.T) {
		home := t.TempDir()
		addr := freeAddr(t)
		r := run(t, bin, "status", "--home", home, "--addr", addr)
		if r.code != 1 || !strings.Contains(r.stderr, "no tactful daemon is running on "+addr) ||
			!strings.Contains(r.stdout, "does not exist") {
			t.Errorf("without a daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}

		other := httptest.NewServer(http.NotFoundHandler())
		defer other.Close()
		r = run(t, bin, "status", "--home", home, "--addr", strings.TrimPrefix(other.URL, "http://"))
		if r.code != 1 || !strings.Contains(r.stderr, "not tactful") {
			t.Errorf("with another server: exit %d\n%s", r.code, r.stderr)
		}

		p := serve(t, bin, home)
		ok(t, bin, append([]string{"import", fixture(t)}, p.flags()...)...)
		r = ok(t, bin, p.flags("status")...)
		for _, want := range []string{"running on " + p.addr, "contacts:", "35", "protocol:", "connections:", filepath.Join(home, "tactful.db")} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("status lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	// The data commands, first with the database opened directly, then
	// through a running daemon: the same user-visible results.
	for _, withDaemon := range []bool{false, true} {
		name := "data commands without a daemon"
		if withDaemon {
			name = "data commands with a daemon"
		}
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			flags := []string{"--home", home, "--addr", freeAddr(t)}
			var p *proc
			if withDaemon {
				p = serve(t, bin, home)
				flags = p.flags()
			}
			args := func(a ...string) []string { return append(a, flags...) }

			r := ok(t, bin, args("import", fixture(t))...)
			if !strings.Contains(r.stdout, "35 added") || !strings.Contains(r.stdout, "line 40") {
				t.Errorf("import summary:\n%s", r.stdout)
			}
			if !withDaemon {
				// status reads the stopped daemon's database directly.
				r = run(t, bin, args("status")...)
				if r.code != 1 || !regexp.MustCompile(`(?m)^contacts: +35$`).MatchString(r.stdout) {
					t.Errorf("status without a daemon: exit %d\n%s", r.code, r.stdout)
				}
			}

			if withDaemon {
				addNote(t, dialHome(t, p.addr, home), "Met at the Analytical Engine meetup.")
			}

			out := filepath.Join(t.TempDir(), "export.json")
			ok(t, bin, args("export", "--out", out)...)
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("export file: %v, mode %v; want 0600", err, fi.Mode())
			}
			var archive protocol.Archive
			data, _ := os.ReadFile(out)
			if err := json.Unmarshal(data, &archive); err != nil || len(archive.Contacts) != 35 {
				t.Errorf("export holds %d contacts (%v), want 35", len(archive.Contacts), err)
			}

			r = ok(t, bin, args("export", "--format", "csv")...)
			if !strings.Contains(r.stdout, "ada-lovelace-1815") || !strings.Contains(r.stdout, "Babbage & Co") {
				t.Errorf("CSV export on stdout lacks Ada:\n%.300s", r.stdout)
			}

			r = ok(t, bin, args("history", "--contact", "https://www.linkedin.com/in/ada-lovelace-1815/")...)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if !strings.Contains(lines[len(lines)-1], "Ada Lovelace") || strings.Contains(r.stdout, "Grace Hopper") {
				t.Errorf("history of Ada:\n%s", r.stdout)
			}
			if withDaemon && !strings.Contains(lines[0], "Note added") {
				t.Errorf("the newest event should come first, the note:\n%s", r.stdout)
			}
			r = ok(t, bin, args("history", "--limit", "3")...)
			if n := strings.Count(r.stdout, "\n"); n != 3 {
				t.Errorf("history --limit 3 printed %d lines:\n%s", n, r.stdout)
			}

			backup := filepath.Join(t.TempDir(), "backup.db")
			ok(t, bin, args("backup", backup)...)
			if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("backup file: %v, mode %v; want 0600", err, fi.Mode())
			}
			if err := store.Verify(backup); err != nil {
				t.Errorf("backup does not verify: %v", err)
			}

			// The backup restores into a fresh home, with everything in it.
			home2 := t.TempDir()
			ok(t, bin, "restore", backup, "--home", home2, "--addr", freeAddr(t))
			db, err := store.Open(filepath.Join(home2, "tactful.db"), store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			st, err := db.Stats()
			db.Close()
			wantNotes := 0
			if withDaemon {
				wantNotes = 1
			}
			if err != nil || st.Contacts != 35 || st.Notes != wantNotes {
				t.Errorf("restored stats %+v (%v), want 35 contacts, %d notes", st, err, wantNotes)
			}
			if fi, _ := os.Stat(filepath.Join(home2, "tactful.db")); fi.Mode().Perm() != 0o600 {
				t.Errorf("restored database mode %v, want 0600", fi.Mode().Perm())
			}

			if withDaemon {
				// Restoring under a running daemon is refused.
				r = run(t, bin, args("restore", backup, "--force")...)
				if r.code == 0 || !strings.Contains(r.stderr, "stop the daemon first") {
					t.Errorf("restore while running: exit %d, %s", r.code, r.stderr)
				}
				// Names and note text stay out of the log.
				p.stop(t)
				for _, secret := range []string{"Ada Lovelace", "Analytical Engine", "Grace"} {
					if strings.Contains(p.log(), secret) {
						t.Errorf("the daemon's log holds %q", secret)
					}
				}
			} else {
				r = run(t, bin, args("restore", backup)...)
				if r.code == 0 || !strings.Contains(r.stderr, "--force") {
					t.Errorf("restore over an existing database without --force: exit %d, %s", r.code, r.stderr)
				}
			}
		})
	}
}
