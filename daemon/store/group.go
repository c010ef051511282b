package store

import (
	"fmt"
	"runtime/debug"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// commitGroup lets writers that meet share one commit, without making a
// writer alone wait for company. bolt.Batch waits MaxBatchDelay (2 ms)
// before a lone write: for a page's first sighting of new people, whose
// reply waits for the commit, that was as long as the commit itself
// (docs/benchmarks.md, issue 12). Here the first writer commits at once;
// writers that arrive while a commit is under way queue, and the next
// commit takes all of them: under load each commit carries everyone who
// waited for the one before, with no timer.
type commitGroup struct {
	mu      sync.Mutex
	leading bool // a goroutine is committing, or about to
	queue   []*groupCall
}

type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// groupUpdate runs fn in a write transaction it may share with other
// writers, and returns once that transaction has committed (or fn's error).
// As with bolt.Batch, fn may run more than once, so it must be idempotent:
// when one writer fails, the others run again without it, and it runs
// alone for its own error.
func (db *DB) groupUpdate(fn func(*bolt.Tx) error) error {
	call := &groupCall{fn: fn, done: make(chan error, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, call)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		db.leadGroup()
	}
	return <-call.done
}

// leadGroup commits what is queued in one transaction, then hands the
// lead on to a new goroutine when more writers queued meanwhile, so its
// own caller returns after one commit.
func (db *DB) leadGroup() {
	g := &db.group
	g.mu.Lock()
	calls := g.queue
	g.queue = nil
	g.mu.Unlock()
	db.runGroup(calls)
	g.mu.Lock()
	if len(g.queue) == 0 {
		g.leading = false
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	go func() {
		// As on the server's handlers: a fault reading a damaged page is a
		// panic, which runGroup answers as an error, not a crash.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		db.leadGroup()
	}()
}

// runGroup runs calls in one transaction and answers each.
func (db *DB) runGroup(calls []*groupCall) {
	for len(calls) > 0 {
		failed := -1
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := callSafely(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.done <- err
			}
			return
		}
		bad := calls[failed]
		calls = append(calls[:failed:failed], calls[failed+1:]...)
		bad.done <- db.bolt.Update(func(tx *bolt.Tx) error { return callSafely(bad.fn, tx) })
	}
}

// callSafely runs fn, turning a panic into an error: fn may run in
// another writer's goroutine.
func callSafely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a grouped write: %v", p)
		}
	}()
	return fn(tx)
}
