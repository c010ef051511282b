package server

import (
	"encoding/json"
	"slices"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

// Guided review (issue 13): the handlers of review_save, review_queue,
// removal_plan_get, removal_plan_apply and network_summary, and the parts
// of contact_get and removal_intent that speak of reviews. The rules are
// annotate's; the writes are the store's.

// reviewSave stores the decision and answers like contact_get, with the
// advice the review page shows next.
func reviewSave(s *Server, r *protocol.ReviewSave) (any, *protocol.Annotation, error) {
	c, err := s.cfg.Store.SaveReview(r.Slug, r.Review(s.now()), r.Tags)
	if err != nil {
		return nil, nil, err
	}
	// Only the decision and its day are logged: why, assessment and draft
	// are the user's words.
	s.log.Debug().Str("decision", string(r.Decision)).Str("on", r.On).Msg("review saved")
	reply, err := s.contactReply(header(r, protocol.TypeContact), c)
	if err != nil {
		return nil, nil, err
	}
	a := reply.Annotation
	return reply, &a, nil
}

// contactReply is the answer of contact_get and review_save: the contact,
// its annotation, its newest events and the review page's advice.
func (s *Server) contactReply(h protocol.Header, c protocol.Contact) (protocol.ContactReply, error) {
	events, _, err := s.cfg.Store.History(store.HistoryQuery{Slug: c.Slug, Limit: contactEvents})
	if err != nil {
		return protocol.ContactReply{}, err
	}
	clusters, err := s.clustersOf(c)
	if err != nil {
		return protocol.ContactReply{}, err
	}
	return protocol.ContactReply{Header: h, Contact: c, Annotation: s.rules.Annotate(c, s.visits()), Events: nonNil(events),
		Advice: s.rules.Advice(c, clusters)}, nil
}

// planned returns every planned removal (annotate.Planned).
func (s *Server) planned() ([]protocol.Contact, error) {
	var out []protocol.Contact
	err := s.cfg.Store.ForEachContact(func(c protocol.Contact) error {
		if annotate.Planned(c) {
			// c may share its slices with the store's index: keep a copy
			// of what the plan reads.
			c.Tags, c.Notes = slices.Clone(c.Tags), nil
			if c.Review != nil {
				rv := *c.Review
				c.Review = &rv
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// clustersOf are the clusters of planned removals, for a page about c.
// Only a planned removal is in any, so for anyone else no scan is needed.
func (s *Server) clustersOf(c protocol.Contact) ([]protocol.Cluster, error) {
	if !annotate.Planned(c) {
		return nil, nil
	}
	planned, err := s.planned()
	if err != nil {
		return nil, err
	}
	return s.rules.Clusters(planned), nil
}

// reviewQueue sorts the chosen people by their small queue keys, and builds
// the items of only those it returns.
func reviewQueue(s *Server, r *protocol.ReviewQueue) (any, *protocol.Annotation, error) {
	var keys []annotate.QueueKey
	err := s.cfg.Store.ForEachContact(func(c protocol.Contact) error {
		if s.rules.InQueue(r.Filter, c) {
			keys = append(keys, s.rules.QueueKey(c))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(keys, annotate.CompareQueue)
	items := make([]protocol.QueueItem, 0, min(len(keys), r.Limit))
	for _, k := range keys[:min(len(keys), r.Limit)] {
		c, err := s.cfg.Store.Contact(k.Slug)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, s.rules.QueueItem(c))
	}
	return protocol.ReviewQueueReply{Header: header(r, protocol.TypeReviewQueueReply), Items: items, Total: len(keys)}, nil, nil
}

func removalPlanGet(s *Server, r *protocol.RemovalPlanGet) (any, *protocol.Annotation, error) {
	return s.removalPlan(header(r, protocol.TypeRemovalPlan))
}

// removalPlanApply sets every date of the plan at once, then tells the
// other pages about each contact that changed, and answers with the plan
// as it now stands.
func removalPlanApply(s *Server, r *protocol.RemovalPlanApply) (any, *protocol.Annotation, error) {
	changed, err := s.cfg.Store.ApplyRemovalPlan(r.Schedule)
	if err != nil {
		return nil, nil, err
	}
	plan, _, err := s.removalPlan(header(r, protocol.TypeRemovalPlan))
	if err != nil {
		return nil, nil, err
	}
	visits := s.visits()
	anns := make([]protocol.Annotation, len(changed))
	for i, c := range changed {
		anns[i] = s.rules.Annotate(c, visits)
	}
	return withChanged{reply: plan, changed: anns}, nil, nil
}

// manyChanged is a reply after which the connection pushes contact_changed
// for each of several contacts, as it does for a handler's one.
type manyChanged interface {
	changedAnnotations() []protocol.Annotation
}

// withChanged is a reply, encoded as itself, with the annotations of the
// contacts it changed.
type withChanged struct {
	reply   any
	changed []protocol.Annotation
}

func (w withChanged) MarshalJSON() ([]byte, error)              { return json.Marshal(w.reply) }
func (w withChanged) changedAnnotations() []protocol.Annotation { return w.changed }

func (s *Server) removalPlan(h protocol.Header) (any, *protocol.Annotation, error) {
	planned, err := s.planned()
	if err != nil {
		return nil, nil, err
	}
	return protocol.RemovalPlan{Header: h, Planned: len(planned), Clusters: s.rules.Clusters(planned),
		Schedule: s.rules.Spread(planned)}, nil, nil
}

// pushChanged sends contact_changed to every paired connection but from.
func (s *Server) pushChanged(from *conn, a protocol.Annotation) {
	msg, err := json.Marshal(protocol.ContactChanged{Header: protocol.Header{Type: protocol.TypeContactChanged}, Annotation: a})
	if err != nil {
		s.log.Error().Err(err).Msg("cannot encode contact_changed")
		return
	}
	s.broadcast(from, msg)
}

func networkSummary(s *Server, r *protocol.NetworkSummaryGet) (any, *protocol.Annotation, error) {
	t := s.rules.Tally()
	if err := s.cfg.Store.ForEachContact(func(c protocol.Contact) error {
		t.AddContact(c)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	err := s.cfg.Store.EventsSince(annotate.SummarySince(s.now()), annotate.SummaryKinds, func(e protocol.Event) error {
		t.AddEvent(e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return protocol.NetworkSummaryReply{Header: header(r, protocol.TypeNetworkSummaryReply), NetworkSummary: t.Summary()}, nil, nil
}
