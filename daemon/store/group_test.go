package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGroupUpdateAnswersEachWriter: writers that meet share commits, each
// learns its own outcome, and one that fails fails alone: the others'
// writes are all there.
func TestGroupUpdateAnswersEachWriter(t *testing.T) {
	db, _, _ := openTemp(t)
	errMine := errors.New("this writer's own mistake")
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = db.groupUpdate(func(tx *bolt.Tx) error {
				if w%10 == 3 {
					return errMine
				}
				return tx.Bucket(bucketMeta).Put([]byte(fmt.Sprintf("group-test-%02d", w)), []byte("x"))
			})
		}()
	}
	wg.Wait()
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		for w, err := range errs {
			stored := tx.Bucket(bucketMeta).Get([]byte(fmt.Sprintf("group-test-%02d", w))) != nil
			if w%10 == 3 {
				if !errors.Is(err, errMine) || stored {
					t.Errorf("writer %d: %v, stored %v; want its own error and nothing stored", w, err, stored)
				}
				continue
			}
			if err != nil || !stored {
				t.Errorf("writer %d: %v, stored %v", w, err, stored)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
