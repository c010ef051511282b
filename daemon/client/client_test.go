package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/tactful/tactful/daemon"
	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/pairing"
	"github.com/tactful/tactful/protocol"
)

const slug = "ada-lovelace-1815"

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start runs a real daemon on a free loopback port with its data in a
// temporary directory, and knows one contact.
func start(t *testing.T) (*daemon.Daemon, string) {
	t.Helper()
	d, err := daemon.Start(daemon.Config{
		Home:    t.TempDir(),
		Addr:    "127.0.0.1:0",
		Logger:  zerolog.New(zerolog.NewTestWriter(t)),
		Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	code, err := d.PairingCode()
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, d.Addr(), code, nil)
	seen := &protocol.ContactsSeen{Contacts: []protocol.SeenContact{{Slug: slug, Name: "Ada Lovelace"}}}
	if err := c.Call(testContext(t), seen, nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	return d, code
}

func dial(t *testing.T, addr, code string, opts *client.Options) *client.Client {
	t.Helper()
	c, err := client.Dial(testContext(t), addr, code, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDialRefusals(t *testing.T) {
	d, code := start(t)
	for _, tc := range []struct {
		name string
		code string
		opts *client.Options
		want func(error) bool
		says string
	}{
		{"wrong pairing code", "AAAAA-AAAAA-AAAAA-AAAAA", nil,
			func(err error) bool { return errors.Is(err, client.ErrPairingRefused) }, "tactful pair"},
		{"no pairing code", "", nil,
			func(err error) bool { return errors.Is(err, client.ErrPairingRefused) }, "tactful pair"},
		{"unsupported protocol", code, &client.Options{Protocol: 99},
			func(err error) bool {
				var ce *client.CloseError
				return errors.As(err, &ce) && ce.Code == protocol.CloseUnsupportedVersion && ce.Reason != ""
			}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.Dial(testContext(t), d.Addr(), tc.code, tc.opts)
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !tc.want(err) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v (%T)", err, err)
			}
		})
	}
}

func TestDialNothingListening(t *testing.T) {
	d, code := start(t)
	addr := d.Addr()
	d.Close(testContext(t))
	if c, err := client.Dial(testContext(t), addr, code, nil); err == nil {
		c.Close()
		t.Fatal("Dial succeeded with no daemon")
	} else if !strings.Contains(err.Error(), addr) {
		t.Errorf("err = %v, want it to name %s", err, addr)
	}
}

func TestCallMatchesConcurrentReplies(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	ctx := testContext(t)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("note-%d", i)
			text := fmt.Sprintf("note number %d", i)
			var reply protocol.NoteSaved
			if err := c.Call(ctx, &protocol.NoteAdd{Slug: slug, NoteID: id, Text: text}, &reply); err != nil {
				errs <- err
				return
			}
			if reply.Note.ID != id || reply.Note.Text != text {
				errs <- fmt.Errorf("call for %s got the reply for %s", id, reply.Note.ID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got protocol.ContactReply
	if err := c.Call(ctx, protocol.ContactGet{Slug: slug}, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Contact.Notes) != n {
		t.Errorf("%d notes stored, want %d", len(got.Contact.Notes), n)
	}
}

func TestErrorReplyIsProtocolError(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	err := c.Call(testContext(t), &protocol.ContactGet{Slug: "nobody-we-know"}, nil)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeNotFound || pe.Message == "" {
		t.Fatalf("err = %v (%T), want a *protocol.Error not_found", err, err)
	}
	// The connection survives an error reply.
	if err := c.Call(testContext(t), &protocol.Ping{}, nil); err != nil {
		t.Errorf("ping after an error: %v", err)
	}
}

func TestEventsArriveAndKeepTheNewest(t *testing.T) {
	d, code := start(t)
	ctx := testContext(t)
	writer := dial(t, d.Addr(), code, nil)
	reader := dial(t, d.Addr(), code, &client.Options{EventBuffer: 2})

	for i := 1; i <= 5; i++ {
		add := &protocol.NoteAdd{Slug: slug, NoteID: fmt.Sprintf("n%d", i), Text: "text"}
		if err := writer.Call(ctx, add, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The daemon handles a connection's requests in order and queues the
	// push for one before it reads the next: once the writer's ping is
	// answered, all five events are queued for the reader, ahead of the
	// answer to the reader's own ping.
	if err := writer.Call(ctx, &protocol.Ping{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := reader.Call(ctx, &protocol.Ping{}, nil); err != nil {
		t.Fatal(err)
	}
	var counts []int
	for len(reader.Events()) > 0 {
		ev := <-reader.Events()
		if ev.Annotation.Slug != slug {
			t.Errorf("event for %q", ev.Annotation.Slug)
		}
		counts = append(counts, ev.Annotation.NoteCount)
	}
	if fmt.Sprint(counts) != "[4 5]" {
		t.Errorf("kept events with note counts %v, want the newest two [4 5]", counts)
	}
	if len(writer.Events()) != 0 {
		t.Errorf("the writer got %d events about its own changes", len(writer.Events()))
	}
}

func TestRotatedCodeEndsTheConnection(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	if _, err := pairing.Rotate(d.Home()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-testContext(t).Done():
		t.Fatal("the connection stayed open after the pairing code was rotated")
	}
	if !errors.Is(c.Err(), client.ErrPairingRotated) {
		t.Errorf("Err = %v, want ErrPairingRotated", c.Err())
	}
	if err := c.Call(testContext(t), &protocol.Ping{}, nil); !errors.Is(err, client.ErrPairingRotated) {
		t.Errorf("Call after the rotation: %v", err)
	}
	if _, ok := <-c.Events(); ok {
		t.Error("Events is still open after the connection ended")
	}
}

func TestTooLargeRequestIsRefusedBeforeSending(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	huge := &protocol.ImportConnections{CSV: strings.Repeat("a", protocol.MaxMessageBytes)}
	err := c.Call(testContext(t), huge, nil)
	if protocol.ErrorCode(err) != protocol.CodeTooLarge {
		t.Fatalf("err = %v, want too_large", err)
	}
	if err := c.Call(testContext(t), &protocol.Ping{}, nil); err != nil {
		t.Errorf("the connection did not survive: %v", err)
	}
}

func TestNotesKeepTheirCharacters(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	text := `Tom & Jerry <ops> "quoted" — ünïcode ✓`
	var saved protocol.NoteSaved
	if err := c.Call(testContext(t), &protocol.NoteAdd{Slug: slug, NoteID: "n1", Text: text}, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Note.Text != text {
		t.Errorf("saved %q, want %q", saved.Note.Text, text)
	}
}

func TestCloseEndsCalls(t *testing.T) {
	d, code := start(t)
	c := dial(t, d.Addr(), code, nil)
	c.Close()
	if err := c.Call(testContext(t), &protocol.Ping{}, nil); !errors.Is(err, client.ErrClosed) {
		t.Errorf("Call after Close: %v, want ErrClosed", err)
	}
}

func TestTypeOf(t *testing.T) {
	if got := client.TypeOf(&protocol.HistoryGet{}); got != protocol.TypeHistoryGet {
		t.Errorf("TypeOf(*HistoryGet) = %q", got)
	}
	if got := client.TypeOf(struct{}{}); got != "" {
		t.Errorf("TypeOf(struct{}) = %q", got)
	}
}
