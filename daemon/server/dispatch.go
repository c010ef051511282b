package server

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/export"
	"github.com/tactful/tactful/daemon/linkedincsv"
	"github.com/tactful/tactful/daemon/store"
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

// handle answers one authenticated request. changed is the annotation to push
// to the other connections, when the request changed a contact.
func (s *Server) handle(req protocol.Request) (reply any, changed *protocol.Annotation, err error) {
	db := s.cfg.Store
	head := func(typ string) protocol.Header { return protocol.Header{Type: typ, ID: req.RequestID()} }
	annotated := func(c protocol.Contact, err error) (any, *protocol.Annotation, error) {
		if err != nil {
			return nil, nil, err
		}
		a := s.rules.Annotate(c, s.visits())
		return protocol.AnnotationReply{Header: head(protocol.TypeAnnotation), Annotation: a}, &a, nil
	}
	switch r := req.(type) {
	case *protocol.Ping:
		return protocol.Pong{Header: head(protocol.TypePong)}, nil, nil

	case *protocol.ContactsSeen:
		now := s.now()
		seen := make([]store.Sighting, len(r.Contacts))
		for i, sc := range r.Contacts {
			seen[i] = store.Sighting{Slug: sc.Slug, Name: sc.Name, Headline: sc.Headline, ConnectedText: sc.ConnectedText}
			if sc.ConnectedText != "" {
				if day, src, ok := annotate.ParseConnected(sc.ConnectedText, r.Locale, now); ok {
					seen[i].ConnectedOn, seen[i].ConnectedSource = day, src
				}
			}
		}
		// The page is being looked at: that moves the visits on before the
		// cards are filed, so a person first seen now is seen in this visit.
		// Visits that cannot be recorded cost the New badges, not the reply.
		visits, err := db.AdvanceVisits(annotate.NextVisits)
		if err != nil {
			s.log.Error().Err(err).Msg("cannot record the visit; no New badges in this reply")
			visits = protocol.Visits{}
		}
		contacts, err := db.See(seen)
		if err != nil {
			return nil, nil, err
		}
		if len(contacts) != len(seen) {
			return nil, nil, fmt.Errorf("store saw %d contacts for %d sightings", len(contacts), len(seen))
		}
		anns := make([]protocol.Annotation, len(contacts))
		for i, c := range contacts {
			anns[i] = s.rules.Annotate(c, visits)
		}
		return protocol.Annotations{Header: head(protocol.TypeAnnotations), Annotations: anns}, nil, nil

	case *protocol.NoteAdd:
		c, n, err := db.AddNote(r.Slug, r.NoteID, r.Text)
		return s.noteSaved(head(protocol.TypeNoteSaved), c, n, err)

	case *protocol.NoteEdit:
		c, n, err := db.EditNote(r.Slug, r.NoteID, r.Text)
		return s.noteSaved(head(protocol.TypeNoteSaved), c, n, err)

	case *protocol.NoteDelete:
		return annotated(db.DeleteNote(r.Slug, r.NoteID))

	case *protocol.TagsSet:
		return annotated(db.SetTags(r.Slug, r.Tags, r.Status))

	case *protocol.FalloutMark:
		return annotated(db.MarkFallout(r.Slug, s.rules.CooldownUntil(r.Days), r.Text))

	case *protocol.RemovalIntent:
		c, err := db.Contact(r.Slug)
		if err != nil {
			return nil, nil, err
		}
		if err := db.RecordReminder(r.Slug); err != nil {
			return nil, nil, err
		}
		return protocol.ReminderReply{Header: head(protocol.TypeReminder), Reminder: s.rules.Reminder(c)}, nil, nil

	case *protocol.RemovalOutcome:
		return annotated(db.RecordOutcome(r.Slug, r.Outcome))

	case *protocol.ContactGet:
		c, err := db.Contact(r.Slug)
		if err != nil {
			return nil, nil, err
		}
		events, _, err := db.History(store.HistoryQuery{Slug: r.Slug, Limit: contactEvents})
		if err != nil {
			return nil, nil, err
		}
		return protocol.ContactReply{Header: head(protocol.TypeContact), Contact: c, Annotation: s.rules.Annotate(c, s.visits()), Events: nonNil(events)}, nil, nil

	case *protocol.HistoryGet:
		q := store.HistoryQuery{Slug: r.Slug, Kinds: r.Kinds, Text: r.Query, Limit: r.Limit}
		if r.Cursor != "" {
			before, err := strconv.ParseUint(r.Cursor, 10, 64)
			if err != nil {
				return nil, nil, protocol.Errorf(protocol.CodeInvalidField, "Field cursor must be a next_cursor the daemon gave.")
			}
			q.Before = before
		}
		if r.Since != "" {
			// The user's own calendar day, like every day tactful shows.
			since, err := time.ParseInLocation(time.DateOnly, r.Since, s.now().Location())
			if err != nil {
				return nil, nil, protocol.Errorf(protocol.CodeInvalidField, "Field since must be a date like 2026-01-31.")
			}
			q.Since = since
		}
		events, next, err := db.History(q)
		if err != nil {
			return nil, nil, err
		}
		out := protocol.HistoryReply{Header: head(protocol.TypeHistory), Events: nonNil(events)}
		if next != 0 {
			out.NextCursor = strconv.FormatUint(next, 10)
		}
		return out, nil, nil

	case *protocol.ImportConnections:
		res, err := linkedincsv.Parse(strings.NewReader(r.CSV))
		if err != nil {
			return nil, nil, err
		}
		rows := make([]store.ImportedContact, len(res.Rows))
		for i, row := range res.Rows {
			rows[i] = store.ImportedContact{Slug: row.Slug, Name: row.Name, Company: row.Company, Position: row.Position, ConnectedOn: row.ConnectedOn}
		}
		added, updated, err := db.Import(rows)
		if err != nil {
			return nil, nil, err
		}
		s.log.Info().Int("added", added).Int("updated", updated).Int("skipped", len(res.Skipped)).Int("total", res.Total).Msg("connections imported")
		return protocol.ImportResult{Header: head(protocol.TypeImportResult), Summary: protocol.ImportSummary{
			Added: added, Updated: updated, Skipped: nonNil(res.Skipped), Total: res.Total,
		}}, nil, nil

	case *protocol.ImportJSON:
		a, err := export.ReadJSON(strings.NewReader(r.Data))
		if err != nil {
			return nil, nil, err
		}
		added, updated, err := db.Load(a)
		if err != nil {
			return nil, nil, err
		}
		s.log.Info().Int("added", added).Int("updated", updated).Int("contacts", len(a.Contacts)).Msg("export restored")
		return protocol.ImportResult{Header: head(protocol.TypeImportResult), Summary: protocol.ImportSummary{
			Added: added, Updated: updated, Skipped: []protocol.Skipped{}, Total: len(a.Contacts),
		}}, nil, nil

	case *protocol.Export:
		a, err := db.Dump()
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		switch r.Format {
		case "csv":
			err = export.WriteCSV(&buf, a)
		default:
			err = export.WriteJSON(&buf, a)
		}
		if err != nil {
			return nil, nil, err
		}
		return protocol.ExportData{Header: head(protocol.TypeExportData), Format: r.Format,
			Filename: export.Filename(r.Format, s.now()), Data: buf.String()}, nil, nil

	case *protocol.StatusGet:
		st, err := db.Stats()
		if err != nil {
			return nil, nil, err
		}
		return protocol.StatusReply{Header: head(protocol.TypeStatusReply), Protocol: protocol.Version, DaemonVersion: s.cfg.Version,
			Contacts: st.Contacts, Notes: st.Notes, Events: st.Events, Connections: s.authenticated()}, nil, nil
	}
	return nil, nil, fmt.Errorf("no handler for request type %q", req.RequestType())
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
