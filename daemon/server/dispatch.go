package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/daemon/transfer"
	"github.com/tactful/tactful/protocol"
)

// contactEvents is how many of a contact's newest events contact_get returns.
const contactEvents = 20

// safeHandle runs handle, turning a panic into an internal error.
func (s *Server) safeHandle(req protocol.Request) (reply any, changed *protocol.Annotation, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error().Str("type", req.RequestType()).Str("panic", fmt.Sprint(p)).Bytes("stack", debug.Stack()).Msg("handler panicked")
			reply, changed, err = nil, nil, fmt.Errorf("panic in %s: %v", req.RequestType(), p)
		}
	}()
	if s.hook != nil {
		s.hook(req)
	}
	if s.cfg.Store == nil {
		if _, ok := req.(*protocol.Ping); !ok {
			return nil, nil, fmt.Errorf("no store configured")
		}
	}
	return s.handle(req)
}

// handler answers one kind of authenticated request. changed is the
// annotation to push to the other connections, when the request changed a
// contact.
type handler func(s *Server, req protocol.Request) (reply any, changed *protocol.Annotation, err error)

// handles adapts a function of one request type to a handler.
func handles[R protocol.Request](f func(s *Server, r R) (any, *protocol.Annotation, error)) handler {
	return func(s *Server, req protocol.Request) (any, *protocol.Annotation, error) {
		r, ok := req.(R)
		if !ok {
			return nil, nil, fmt.Errorf("request %T filed under %q", req, req.RequestType())
		}
		return f(s, r)
	}
}

// handlers holds one small function per request type. hello is the
// connection's own business (conn.go) and has none.
var handlers = map[string]handler{
	protocol.TypePing:              handles(ping),
	protocol.TypeContactsSeen:      handles(contactsSeen),
	protocol.TypeNoteAdd:           handles(noteAdd),
	protocol.TypeNoteEdit:          handles(noteEdit),
	protocol.TypeNoteDelete:        handles(noteDelete),
	protocol.TypeTagsSet:           handles(tagsSet),
	protocol.TypeFalloutMark:       handles(falloutMark),
	protocol.TypeRemovalIntent:     handles(removalIntent),
	protocol.TypeRemovalOutcome:    handles(removalOutcome),
	protocol.TypeContactGet:        handles(contactGet),
	protocol.TypeHistoryGet:        handles(historyGet),
	protocol.TypeImportConnections: handles(importConnections),
	protocol.TypeImportJSON:        handles(importJSON),
	protocol.TypeExport:            handles(exportData),
	protocol.TypeStatus:            handles(status),

	// Guided review (review.go).
	protocol.TypeReviewSave:       handles(reviewSave),
	protocol.TypeReviewQueue:      handles(reviewQueue),
	protocol.TypeRemovalPlanGet:   handles(removalPlanGet),
	protocol.TypeRemovalPlanApply: handles(removalPlanApply),
	protocol.TypeNetworkSummary:   handles(networkSummary),
}

// handle answers one authenticated request through its handler.
func (s *Server) handle(req protocol.Request) (reply any, changed *protocol.Annotation, err error) {
	h, ok := handlers[req.RequestType()]
	if !ok {
		return nil, nil, fmt.Errorf("no handler for request type %q", req.RequestType())
	}
	return h(s, req)
}

func header(req protocol.Request, typ string) protocol.Header {
	return protocol.Header{Type: typ, ID: req.RequestID()}
}

// annotated answers with the contact's new annotation and pushes it.
func (s *Server) annotated(req protocol.Request, c protocol.Contact, err error) (any, *protocol.Annotation, error) {
	if err != nil {
		return nil, nil, err
	}
	a := s.rules.Annotate(c, s.visits())
	return protocol.AnnotationReply{Header: header(req, protocol.TypeAnnotation), Annotation: a}, &a, nil
}

func ping(s *Server, r *protocol.Ping) (any, *protocol.Annotation, error) {
	return protocol.Pong{Header: header(r, protocol.TypePong)}, nil, nil
}

func contactsSeen(s *Server, r *protocol.ContactsSeen) (any, *protocol.Annotation, error) {
	now := s.now()
	seen := make([]store.Sighting, len(r.Contacts))
	for i, sc := range r.Contacts {
		seen[i] = store.Sighting{Slug: sc.Slug, Name: sc.Name, Headline: sc.Headline, ConnectedText: sc.ConnectedText}
		if sc.ConnectedText != "" {
			if day, src, ok := s.dates.parse(sc.ConnectedText, r.Locale, now); ok {
				seen[i].ConnectedOn, seen[i].ConnectedSource = day, src
			}
		}
	}
	// The page is being looked at: that moves the visits on before the
	// cards are filed, so a person first seen now is seen in this visit.
	// Visits that cannot be recorded cost the New badges, not the reply.
	visits, err := s.cfg.Store.AdvanceVisits(annotate.NextVisits)
	if err != nil {
		s.log.Error().Err(err).Msg("cannot record the visit; no New badges in this reply")
		visits = protocol.Visits{}
	}
	contacts, err := s.cfg.Store.SeeInputs(seen)
	if err != nil {
		return nil, nil, err
	}
	if len(contacts) != len(seen) {
		return nil, nil, fmt.Errorf("store saw %d contacts for %d sightings", len(contacts), len(seen))
	}
	// The reply is written here rather than by json.Marshal: most of it is
	// annotations already encoded (annotations.go). It is byte for byte what
	// json.Marshal of protocol.Annotations gives.
	rules := s.rules
	at := rules.Now()
	rules.Now = func() time.Time { return at }
	buf := append(getReplyBuffer(), `{"type":"annotations"`...)
	if r.ID != "" {
		id, err := json.Marshal(r.ID)
		if err != nil {
			return nil, nil, err
		}
		buf = append(append(buf, `,"id":`...), id...)
	}
	buf = append(buf, `,"annotations":`...)
	if buf, err = s.annotations.appendAnnotations(buf, contacts, rules, visits); err != nil {
		return nil, nil, err
	}
	return encodedReply(append(buf, '}')), nil, nil
}

func noteAdd(s *Server, r *protocol.NoteAdd) (any, *protocol.Annotation, error) {
	c, n, err := s.cfg.Store.AddNote(r.Slug, r.NoteID, r.Text)
	return s.noteSaved(header(r, protocol.TypeNoteSaved), c, n, err)
}

func noteEdit(s *Server, r *protocol.NoteEdit) (any, *protocol.Annotation, error) {
	c, n, err := s.cfg.Store.EditNote(r.Slug, r.NoteID, r.Text)
	return s.noteSaved(header(r, protocol.TypeNoteSaved), c, n, err)
}

func noteDelete(s *Server, r *protocol.NoteDelete) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.DeleteNote(r.Slug, r.NoteID)
	return s.annotated(r, c, err)
}

func tagsSet(s *Server, r *protocol.TagsSet) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.SetTags(r.Slug, r.Tags, r.Status)
	return s.annotated(r, c, err)
}

func falloutMark(s *Server, r *protocol.FalloutMark) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.MarkFallout(r.Slug, s.rules.CooldownUntil(r.Days), r.Text)
	return s.annotated(r, c, err)
}

// removalIntent records that the reminder was shown and builds it from the
// contact read in that same write.
func removalIntent(s *Server, r *protocol.RemovalIntent) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.RecordReminder(r.Slug)
	if err != nil {
		return nil, nil, err
	}
	clusters, err := s.clustersOf(c) // review.go
	if err != nil {
		return nil, nil, err
	}
	return protocol.ReminderReply{Header: header(r, protocol.TypeReminder), Reminder: s.rules.ReminderIn(c, clusters)}, nil, nil
}

func removalOutcome(s *Server, r *protocol.RemovalOutcome) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.RecordOutcome(r.Slug, r.Outcome)
	return s.annotated(r, c, err)
}

func contactGet(s *Server, r *protocol.ContactGet) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.Contact(r.Slug)
	if err != nil {
		return nil, nil, err
	}
	reply, err := s.contactReply(header(r, protocol.TypeContact), c) // review.go
	if err != nil {
		return nil, nil, err
	}
	return reply, nil, nil
}

func historyGet(s *Server, r *protocol.HistoryGet) (any, *protocol.Annotation, error) {
	q := store.HistoryQuery{Slug: r.Slug, Kinds: r.Kinds, Text: r.Query, Limit: r.Limit, Before: r.Before}
	if !r.SinceDay.IsZero() {
		// The user's own calendar day, like every day tactful shows.
		y, m, d := r.SinceDay.Date()
		q.Since = time.Date(y, m, d, 0, 0, 0, 0, s.now().Location())
	}
	events, next, err := s.cfg.Store.History(q)
	if err != nil {
		return nil, nil, err
	}
	out := protocol.HistoryReply{Header: header(r, protocol.TypeHistory), Events: nonNil(events)}
	if !next.IsZero() {
		out.NextCursor = next.String()
	}
	return out, nil, nil
}

func importConnections(s *Server, r *protocol.ImportConnections) (any, *protocol.Annotation, error) {
	sum, err := transfer.ImportCSV(s.cfg.Store, strings.NewReader(r.CSV))
	if err != nil {
		return nil, nil, err
	}
	s.log.Info().Int("added", sum.Added).Int("updated", sum.Updated).Int("skipped", len(sum.Skipped)).Int("total", sum.Total).Msg("connections imported")
	return protocol.ImportResult{Header: header(r, protocol.TypeImportResult), Summary: sum}, nil, nil
}

func importJSON(s *Server, r *protocol.ImportJSON) (any, *protocol.Annotation, error) {
	sum, err := transfer.ImportJSON(s.cfg.Store, strings.NewReader(r.Data))
	if err != nil {
		return nil, nil, err
	}
	return protocol.ImportResult{Header: header(r, protocol.TypeImportResult), Summary: sum}, nil, nil
}

func exportData(s *Server, r *protocol.Export) (any, *protocol.Annotation, error) {
	var buf bytes.Buffer
	if err := transfer.Export(s.cfg.Store, r.Format, &buf); err != nil {
		return nil, nil, err
	}
	return protocol.ExportData{Header: header(r, protocol.TypeExportData), Format: r.Format,
		Filename: transfer.Filename(r.Format, s.now()), Data: buf.String()}, nil, nil
}

func status(s *Server, r *protocol.StatusGet) (any, *protocol.Annotation, error) {
	st, err := s.cfg.Store.Stats()
	if err != nil {
		return nil, nil, err
	}
	return protocol.StatusReply{Header: header(r, protocol.TypeStatusReply), Protocol: protocol.Version, DaemonVersion: s.cfg.Version,
		Contacts: st.Contacts, Notes: st.Notes, Events: st.Events, Connections: s.authenticated()}, nil, nil
}

func (s *Server) noteSaved(h protocol.Header, c protocol.Contact, n protocol.Note, err error) (any, *protocol.Annotation, error) {
	if err != nil {
		return nil, nil, err
	}
	a := s.rules.Annotate(c, s.visits())
	return protocol.NoteSaved{Header: h, Note: n, Annotation: a}, &a, nil
}

// visits are the user's visits to the connections page, for the "New"
// badge. When they cannot be read, nobody is new: a missing badge is better
// than a false one, and the request itself still succeeds.
func (s *Server) visits() protocol.Visits {
	v, err := s.cfg.Store.Visits()
	if err != nil {
		s.log.Error().Err(err).Msg("cannot read the visits; no New badges in this reply")
		return protocol.Visits{}
	}
	return v
}

// vocabulary is the default tags followed by every other tag in use.
func (s *Server) vocabulary() []string {
	tags := slices.Clone(protocol.DefaultTags)
	if s.cfg.Store == nil {
		return tags
	}
	used, err := s.cfg.Store.Tags()
	if err != nil {
		s.log.Error().Err(err).Msg("cannot list tags; welcome carries the defaults only")
		return tags
	}
	var extra []string
	for _, t := range used {
		if !slices.Contains(tags, t) && !slices.Contains(extra, t) {
			extra = append(extra, t)
		}
	}
	slices.Sort(extra)
	return append(tags, extra...)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
