package crashtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tactful/tactful/daemon/client"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// Shape of one kill -9 cycle.
const (
	defaultCycles   = 3
	clientsPerCycle = 4   // WebSocket connections writing at once
	writersPerConn  = 2   // goroutines sharing each connection
	contactsPerStep = 6   // new contacts seen at the start of each cycle
	minAcksPerCycle = 150 // the daemon is killed after a random number of
	maxAcksPerCycle = 450 // acknowledged notes between these two
	// writeWindow bounds how long writers wait for the kill; reaching it
	// is not a failure (a slow machine), the kill then just comes later.
	writeWindow = 20 * time.Second
)

// soakCycles is TACTFUL_SOAK_CYCLES, or defaultCycles.
func soakCycles(t *testing.T) int {
	v := os.Getenv("TACTFUL_SOAK_CYCLES")
	if v == "" {
		return defaultCycles
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("TACTFUL_SOAK_CYCLES=%q: want a number of cycles, 1 or more", v)
	}
	return n
}

// TestCrashKill9 kills the daemon with SIGKILL while clients write notes,
// restarts it on the same home and checks that every note it acknowledged
// is there exactly once, that resending the unanswered ones with their ids
// adds each at most once, and that the file passes bbolt's check.
func TestCrashKill9(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	crashCycles(t, "kill -9", func() string { return home }, func(t *testing.T, cycle int) {
		if err := store.Verify(filepath.Join(home, "tactful.db")); err != nil {
			t.Fatalf("cycle %d: after kill -9 the database fails its check: %v", cycle, err)
		}
	})
}

// crashCycles runs the cycles of a crash test: start the daemon on home(),
// check the ledger, resend what was unanswered, write from several clients
// until a random number of notes is acknowledged, kill -9 the daemon, then
// afterKill. A last restart checks everything and stops cleanly.
func crashCycles(t *testing.T, what string, home func() string, afterKill func(t *testing.T, cycle int)) {
	cycles := soakCycles(t)
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("TACTFUL_SOAK_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TACTFUL_SOAK_SEED=%q is not a number", v)
		}
		seed = s
	}
	t.Logf("%d cycles, seed %d (TACTFUL_SOAK_SEED=%d repeats this run's choices)", cycles, seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x7461637466756c))

	led := newLedger()
	addr := "127.0.0.1:0"
	var total time.Duration

	for cycle := 1; cycle <= cycles; cycle++ {
		began := time.Now()
		d := restartDaemon(t, home(), addr)
		restarted := time.Now()
		addr = d.addr // later cycles restart on the same port, as a user's daemon would
		admin := d.mustDial(t)

		// What was acknowledged before the last crash must all be there,
		// before anything is resent.
		led.mustCheck(t, admin, fmt.Sprintf("cycle %d, after the %s and a restart", cycle, what))
		resent, landed := resendPending(t, admin, led, restarted)
		led.mustCheck(t, admin, fmt.Sprintf("cycle %d, after resending %d unanswered notes", cycle, resent))

		slugs := make([]string, contactsPerStep)
		for i := range slugs {
			slugs[i] = fmt.Sprintf("crash-c%03d-k%d", cycle, i)
		}
		seeContacts(t, admin, slugs)
		led.addSlugs(slugs...)
		admin.Close()

		target := minAcksPerCycle + rng.IntN(maxAcksPerCycle-minAcksPerCycle+1)
		acked, unanswered := writeUntilKilled(t, d, led, cycle, target, rng.Uint64())
		afterKill(t, cycle)
		took := time.Since(began)
		total += took
		t.Logf("cycle %d: resent %d unanswered notes of the last cycle (%d had been stored before the %s); %s after %d acknowledged notes with %d in flight; %s",
			cycle, resent, landed, what, what, acked, unanswered, took.Round(time.Millisecond))
	}

	// A last restart: everything, including the last cycle's unanswered
	// notes resent, then a clean stop and the file's check.
	d := restartDaemon(t, home(), addr)
	restarted := time.Now()
	admin := d.mustDial(t)
	led.mustCheck(t, admin, "after the last restart")
	resent, landed := resendPending(t, admin, led, restarted)
	t.Logf("last restart: resent %d unanswered notes (%d had been stored before the %s)", resent, landed, what)
	led.mustCheck(t, admin, "after resending the last unanswered notes")
	_, acked, pending := led.snapshot()
	if len(pending) != 0 {
		t.Fatalf("%d notes still unanswered after resending", len(pending))
	}
	var st protocol.StatusReply
	if err := call(admin, protocol.StatusGet{}, &st); err != nil {
		t.Fatalf("status: %v", err)
	}
	if st.Notes != len(acked) {
		t.Errorf("status counts %d notes; the clients had %d acknowledged", st.Notes, len(acked))
	}
	admin.Close()
	d.mustStop(t)
	if err := store.Verify(filepath.Join(home(), "tactful.db")); err != nil {
		t.Fatalf("after a clean stop the database fails its check: %v", err)
	}
	t.Logf("%d notes acknowledged over %d %s cycles, all stored exactly once (cycles took %s)",
		len(acked), cycles, what, total.Round(time.Millisecond))
}

// resendPending sends every unanswered note again with its own id; each must
// now be acknowledged. It returns how many it sent.
func resendPending(t *testing.T, c *client.Client, led *ledger, restarted time.Time) (sent, landed int) {
	t.Helper()
	_, acked, pending := led.snapshot()
	for _, n := range pending {
		saved, err := addNote(c, n)
		if err != nil {
			t.Fatalf("resend unanswered note %s: %v", n.ID, err)
		}
		if saved.Note.Created.Before(restarted) {
			landed++ // stored before the kill; only the reply was lost
		}
		led.ack(n)
	}
	// A retry of an acknowledged note is answered with the stored note and
	// adds nothing: the extension's queue may resend after a lost reply.
	i := 0
	for _, n := range acked {
		if i == 10 {
			break
		}
		i++
		if _, err := addNote(c, n); err != nil {
			t.Fatalf("resend acknowledged note %s: %v", n.ID, err)
		}
	}
	return len(pending), landed
}

// writeUntilKilled runs the writers against d until target notes are
// acknowledged, kills d with SIGKILL while they still write, and waits for
// the writers to notice. It returns how many notes were acknowledged and how
// many were left unanswered in this cycle.
func writeUntilKilled(t *testing.T, d *proc, led *ledger, cycle, target int, seed uint64) (acked, unanswered int) {
	t.Helper()
	slugs, _, _ := led.snapshot()
	var ackCount, unansweredCount atomic.Int64
	reached := make(chan struct{})
	var reachOnce sync.Once
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, clientsPerCycle*writersPerConn)

	for ci := 0; ci < clientsPerCycle; ci++ {
		c, err := d.dial(t.Context())
		if err != nil {
			t.Fatalf("cycle %d: connect writer %d: %v", cycle, ci, err)
		}
		defer c.Close()
		for wi := 0; wi < writersPerConn; wi++ {
			wg.Add(1)
			rng := rand.New(rand.NewPCG(seed, uint64(ci*writersPerConn+wi)))
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					n := note{
						ID:   fmt.Sprintf("c%d-w%d.%d-n%d", cycle, ci, wi, i),
						Slug: slugs[rng.IntN(len(slugs))],
					}
					n.Text = fmt.Sprintf("Note %s: met at the meetup, follow up about the %d-person team.", n.ID, rng.IntN(500))
					led.sending(n)
					_, err := addNote(c, n)
					if err == nil {
						led.ack(n)
						if ackCount.Add(1) >= int64(target) {
							reachOnce.Do(func() { close(reached) })
						}
						continue
					}
					if codeOf(err) != "" {
						errs <- fmt.Errorf("note_add %s: the daemon refused it: %w", n.ID, err)
					} else if !d.killed() {
						errs <- fmt.Errorf("note_add %s: %w", n.ID, err)
					}
					// Killed: this note was sent and never answered.
					unansweredCount.Add(1)
					return
				}
			}()
		}
	}

	select {
	case <-reached:
	case err := <-errs:
		close(stop)
		d.kill()
		wg.Wait()
		t.Fatalf("cycle %d: a writer failed before the kill: %v", cycle, err)
	case <-time.After(writeWindow):
		t.Logf("cycle %d: only %d notes acknowledged after %s; killing now", cycle, ackCount.Load(), writeWindow)
	}
	d.markKilled()
	if err := d.kill(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(callDeadline + exitDeadline):
		t.Fatalf("cycle %d: writers still busy %s after the kill", cycle, callDeadline+exitDeadline)
	}
	close(errs)
	for err := range errs {
		t.Errorf("cycle %d: %v", cycle, err)
	}
	return int(ackCount.Load()), int(unansweredCount.Load())
}
