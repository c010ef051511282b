package protocol

import "time"

// Visits says when the user looked at the connections page: the visit going
// on now and the end of the one before it. A visit is a run of contacts_seen
// batches without a long pause (annotate.NextVisits says how long); the
// store keeps the value and the annotation rules read it to tell who is new
// since the previous visit. It never goes on the wire.
type Visits struct {
	// Current is when the visit going on now began; zero before the first.
	Current time.Time `json:"current"`
	// PreviousEnd is the last sighting of the visit before Current; zero
	// during the first visit.
	PreviousEnd time.Time `json:"previous_end"`
	// Last is the latest sighting the store recorded (to the minute).
	Last time.Time `json:"last"`
}
