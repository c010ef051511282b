package server

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// annotationCache keeps the encoded JSON of each card's annotation, so a
// batch of cards that did not change since the page last sent them is
// answered by concatenating bytes: no rules, no sentences, no encoding.
//
// An annotation is a pure function of the contact's stored state (the
// index's record, named by slug and version: store.Seen), of the local day
// the rules count from, and of the visit going on and the end of the one
// before (the New badge; Visits.Last, which moves every minute, plays no
// part). Entries hold for one (day, visit) and are all dropped when either
// moves; a contact written since has a new version and misses.
type annotationCache struct {
	mu      sync.Mutex
	day     time.Time // local midnight the entries were computed for
	current time.Time // Visits.Current
	prevEnd time.Time // Visits.PreviousEnd
	entries map[string]cachedAnnotation
	size    int // bytes of JSON held
}

type cachedAnnotation struct {
	version uint64
	json    []byte
}

// maxCachedAnnotationBytes bounds the cache: about 30,000 plain cards, a
// heavy user's whole list. Past it, the cache starts again empty.
const maxCachedAnnotationBytes = 6 << 20

// encodedReply is a reply already encoded as JSON, in a buffer of
// replyBuffers; conn.reply sends it as it is and gives the buffer back.
type encodedReply []byte

// replyBuffers hold contacts_seen replies (about 20 KB for 100 cards)
// until they are written.
var replyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledReply is the largest reply buffer kept for the next reply.
const maxPooledReply = 256 << 10

func getReplyBuffer() []byte {
	return (*replyBuffers.Get().(*[]byte))[:0]
}

func putReplyBuffer(b []byte) {
	if cap(b) <= maxPooledReply {
		b = b[:0]
		replyBuffers.Put(&b)
	}
}

// appendAnnotations appends the annotation of each seen contact to buf, as
// a JSON list, computing and caching the ones it does not hold. rules'
// clock must stand still (one instant for the whole batch), so every card
// is annotated for the same day the cache is keyed by.
func (ac *annotationCache) appendAnnotations(buf []byte, seen []store.Seen, rules annotate.Rules, v protocol.Visits) ([]byte, error) {
	now := rules.Now()
	y, m, d := now.In(time.Local).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	parts := make([][]byte, len(seen))
	missing := 0
	ac.mu.Lock()
	if ac.entries == nil || !ac.day.Equal(day) || !ac.current.Equal(v.Current) || !ac.prevEnd.Equal(v.PreviousEnd) {
		ac.reset(day, v)
	}
	for i, sn := range seen {
		if e, ok := ac.entries[sn.Input.Slug]; ok && sn.Version != 0 && e.version == sn.Version {
			parts[i] = e.json
		} else {
			missing++
		}
	}
	ac.mu.Unlock()
	if missing > 0 {
		for i, sn := range seen {
			if parts[i] != nil {
				continue
			}
			data, err := json.Marshal(rules.AnnotateInput(sn.Input, v))
			if err != nil {
				return nil, err
			}
			parts[i] = data
		}
		ac.mu.Lock()
		// Another batch may have moved the day or the visit meanwhile;
		// then these entries belong to no key and are not kept.
		if ac.day.Equal(day) && ac.current.Equal(v.Current) && ac.prevEnd.Equal(v.PreviousEnd) {
			for i, sn := range seen {
				if sn.Version == 0 {
					continue
				}
				if e, ok := ac.entries[sn.Input.Slug]; ok && e.version >= sn.Version {
					continue
				}
				if ac.size+len(parts[i]) > maxCachedAnnotationBytes {
					ac.reset(day, v)
				}
				old, had := ac.entries[sn.Input.Slug]
				ac.size += len(parts[i]) - len(old.json)
				slug := sn.Input.Slug
				if !had {
					// A first sighting's slug shares the request's bytes.
					slug = strings.Clone(slug)
				}
				ac.entries[slug] = cachedAnnotation{version: sn.Version, json: parts[i]}
			}
		}
		ac.mu.Unlock()
	}
	buf = append(buf, '[')
	for i, p := range parts {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, p...)
	}
	return append(buf, ']'), nil
}

// reset empties the cache for a new key (ac.mu held).
func (ac *annotationCache) reset(day time.Time, v protocol.Visits) {
	ac.day, ac.current, ac.prevEnd = day, v.Current, v.PreviousEnd
	ac.entries = make(map[string]cachedAnnotation)
	ac.size = 0
}
