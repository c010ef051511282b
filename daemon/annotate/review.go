package annotate

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// Guided review (issue 13): when a review's day comes, what the review page
// advises beside a contact, and who a review queue holds.

// Due reports whether c's review asks for attention on the day of now: a
// revisit day, or a removal day while the connection is not removed yet,
// that is today or past. on is that day, kind protocol.DueRevisit or
// protocol.DueRemove.
func Due(c protocol.Contact, now time.Time) (on, kind string, ok bool) {
	if c.Review == nil {
		return "", "", false
	}
	return due(c.Review.Decision, c.Review.On, c.Status, now)
}

// Due is the package's Due, from the badge rules' input.
func (in Input) Due(now time.Time) (on, kind string, ok bool) {
	return due(in.ReviewDecision, in.ReviewOn, in.Status, now)
}

func due(decision protocol.Decision, on string, status protocol.Status, now time.Time) (string, string, bool) {
	if on == "" {
		return "", "", false
	}
	day, err := time.ParseInLocation(time.DateOnly, on, time.Local)
	if err != nil || day.After(dateOf(now)) {
		return "", "", false
	}
	switch {
	case decision == protocol.DecisionRevisit:
		return on, protocol.DueRevisit, true
	case decision == protocol.DecisionRemoveOn && status != protocol.StatusRemoved:
		return on, protocol.DueRemove, true
	}
	return "", "", false
}

// revisitBadge is the badge of a review whose day has come, and that day;
// ok is false when none has.
func (r Rules) revisitBadge(in Input) (b protocol.Badge, dueOn string, ok bool) {
	on, kind, ok := in.Due(r.Now())
	if !ok {
		return b, "", false
	}
	day, _ := time.ParseInLocation(time.DateOnly, on, time.Local)
	detail := "You planned to revisit this on " + humanDate(day) + "."
	if kind == protocol.DueRemove {
		detail = "You planned to remove this connection on " + humanDate(day) + "."
	}
	return protocol.Badge{Kind: protocol.BadgeRevisit, Label: "Revisit", Detail: detail}, on, true
}

// withRevisit appends the revisit badge when the review day has come, and
// returns the day (Annotation.DueOn).
func (r Rules) withRevisit(badges []protocol.Badge, in Input) ([]protocol.Badge, string) {
	b, on, ok := r.revisitBadge(in)
	if !ok {
		return badges, ""
	}
	return append(badges, b), on
}

// WaitUntil is the first day (YYYY-MM-DD) timing no longer speaks against
// removing c: the later of the end of a running cool-down and the day after
// the recent-connection window. It is empty when nothing holds back today.
func (r Rules) WaitUntil(c protocol.Contact) string {
	r = r.withDefaults()
	s := r.situation(InputOf(c))
	var until time.Time
	if s.cooldown {
		until = s.cooldownEnd
	}
	if s.recent {
		if free := s.connected.AddDate(0, 0, r.RecentDays+1); free.After(until) {
			until = free
		}
	}
	if until.IsZero() {
		return ""
	}
	return until.Format(time.DateOnly)
}

// Advice is what the review page shows beside c: when to wait until, the
// reminder's timing and drafts, reconnection drafts for someone removed,
// a review day that has come, and the clusters c is in (clusters are
// those of every planned removal; Advice keeps c's own).
func (r Rules) Advice(c protocol.Contact, clusters []protocol.Cluster) protocol.ReviewAdvice {
	r = r.withDefaults()
	s := r.situation(InputOf(c))
	a := protocol.ReviewAdvice{
		WaitUntil:       r.WaitUntil(c),
		Timing:          timing(s),
		Drafts:          drafts(firstName(c.Name), s),
		ReconnectDrafts: []string{},
		Clusters:        clustersOf(c.Slug, clusters),
	}
	if c.Status == protocol.StatusRemoved {
		a.ReconnectDrafts = ReconnectDrafts(c)
	}
	a.DueOn, a.DueKind, _ = Due(c, r.Now())
	return a
}

// decisionPoint recalls the user's review beside the removal dialog; nil
// when they never reviewed c.
func decisionPoint(c protocol.Contact) *protocol.Point {
	rv := c.Review
	if rv == nil {
		return nil
	}
	detail := "You decided: " + rv.Phrase() + "."
	if !rv.At.IsZero() {
		detail = "On " + humanDate(dateOf(rv.At)) + " you decided: " + rv.Phrase() + "."
	}
	if rv.Why != "" {
		detail += " Why: " + excerpt(rv.Why, 160)
	}
	return &protocol.Point{Kind: "decision", Title: "Your decision", Detail: detail}
}

// ReminderIn is the reminder for c, with the clusters of planned removals
// c is in (clusters as Clusters returns them for every planned removal).
func (r Rules) ReminderIn(c protocol.Contact, clusters []protocol.Cluster) protocol.Reminder {
	rem := r.Reminder(c)
	for _, cl := range clustersOf(c.Slug, clusters) {
		rem.Clusters = append(rem.Clusters, protocol.Point{
			Kind:   "cluster",
			Title:  clusterTitle(cl),
			Detail: cl.Sentence + " The review page can spread them out over the coming weeks.",
		})
	}
	return rem
}

func clusterTitle(cl protocol.Cluster) string {
	switch cl.Kind {
	case protocol.ClusterCompany:
		return fmt.Sprintf("%d planned removals at %s", cl.Count, cl.Key)
	case protocol.ClusterWeek:
		return fmt.Sprintf("%d planned removals in one week", cl.Count)
	}
	return fmt.Sprintf("%d planned removals tagged %s", cl.Count, cl.Key)
}

// clustersOf keeps the clusters slug is in; never nil.
func clustersOf(slug string, clusters []protocol.Cluster) []protocol.Cluster {
	out := []protocol.Cluster{}
	for _, cl := range clusters {
		for _, s := range cl.Slugs {
			if s == slug {
				out = append(out, cl)
				break
			}
		}
	}
	return out
}

// ReconnectDrafts are short messages for asking back someone the user
// removed: kind, personal by first name and by what the user recorded
// (tags, company), never quoting a note. With a name of usual length each
// fits the 200 characters of LinkedIn's invitation note.
func ReconnectDrafts(c protocol.Contact) []string {
	hi := "Hi " + firstName(c.Name) + ", "
	out := []string{hi + "I tidied up my network a while ago and I've missed hearing what you're up to. Would you be open to reconnecting?"}
	switch {
	case hasTag(c, "interests-drifted"):
		out = append(out, hi+"our work went different ways for a while, and I'd like to hear where yours led. Happy to reconnect if you are.")
	case hasTag(c, "inactive"):
		out = append(out, hi+"I lost track of you when things went quiet. I'd be glad to be in touch again, if you'd like that.")
	default:
		out = append(out, hi+"I removed our connection in a tidy-up I've since thought better of. No need to reply, but I'd be glad to reconnect.")
	}
	if co := strings.TrimSpace(c.Company); co != "" && len(co) <= 60 {
		out = append(out, hi+"I'd like to follow what you and the team at "+co+" are doing again. Would you accept a new invitation?")
	}
	return out
}

func hasTag(c protocol.Contact, tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// InQueue reports whether c meets every part of the filter f.
func (r Rules) InQueue(f protocol.QueueFilter, c protocol.Contact) bool {
	r = r.withDefaults()
	for _, t := range f.Tags {
		if !hasTag(c, t) {
			return false
		}
	}
	switch f.Status {
	case "":
	case protocol.StatusFilterNone:
		if c.Status != protocol.StatusNone {
			return false
		}
	default:
		if c.Status != f.Status {
			return false
		}
	}
	if f.ConnectedBeforeYears > 0 {
		on, err := time.ParseInLocation(time.DateOnly, c.ConnectedOn, time.Local)
		if err != nil || !on.Before(dateOf(r.Now()).AddDate(-f.ConnectedBeforeYears, 0, 0)) {
			return false
		}
	}
	if f.NeverSeen && !c.LastSeen.IsZero() {
		return false
	}
	if f.NeverAnnotated && (len(c.Notes) > 0 || len(c.Tags) > 0 || c.Status != protocol.StatusNone || c.Review != nil) {
		return false
	}
	if f.Company != "" {
		needle := strings.ToLower(f.Company)
		if !containsFold(c.Company, needle) && !containsFold(c.Headline, needle) {
			return false
		}
	}
	if f.Due {
		if _, _, ok := Due(c, r.Now()); !ok {
			return false
		}
	}
	return true
}

// QueueItem is c as the review queue lists it.
func (r Rules) QueueItem(c protocol.Contact) protocol.QueueItem {
	r = r.withDefaults()
	it := protocol.QueueItem{
		Slug: c.Slug, Name: c.Name, Headline: c.Headline, Company: c.Company, Position: c.Position,
		Status: c.Status, ConnectedOn: c.ConnectedOn, FirstSeen: c.FirstSeen, LastSeen: c.LastSeen,
		NoteCount: len(c.Notes), Tags: tagsOf(c),
	}
	if c.Review != nil {
		rv := *c.Review
		it.Review = &rv
	}
	it.DueOn, it.DueKind, _ = Due(c, r.Now())
	return it
}

// QueueKey is what orders a contact in the review queue: small, so a
// queue of 30,000 sorts without moving whole items.
type QueueKey struct {
	Slug, DueOn, ConnectedOn string
}

// QueueKey is c's place in the review queue (see QueueOrder).
func (r Rules) QueueKey(c protocol.Contact) QueueKey {
	k := QueueKey{Slug: c.Slug, ConnectedOn: c.ConnectedOn}
	if c.Review != nil {
		k.DueOn, _, _ = Due(c, r.withDefaults().Now())
	}
	return k
}

// QueueOrder orders the review queue: what is due first, the oldest day
// first; then the oldest connection (unknown dates last); then the slug, so
// the order is stable and a resumed review finds its place.
func QueueOrder(a, b protocol.QueueItem) int {
	return CompareQueue(QueueKey{a.Slug, a.DueOn, a.ConnectedOn}, QueueKey{b.Slug, b.DueOn, b.ConnectedOn})
}

// CompareQueue is QueueOrder on keys.
func CompareQueue(a, b QueueKey) int {
	if (a.DueOn != "") != (b.DueOn != "") {
		if a.DueOn != "" {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.DueOn, b.DueOn); c != 0 {
		return c
	}
	if (a.ConnectedOn != "") != (b.ConnectedOn != "") {
		if a.ConnectedOn != "" {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.ConnectedOn, b.ConnectedOn); c != 0 {
		return c
	}
	return cmp.Compare(a.Slug, b.Slug)
}

// containsFold reports whether s contains the lower-case needle in any
// case. ASCII text, nearly every company and headline, is compared in
// place: a queue filters 30,000 people without copying each string.
func containsFold(s, needle string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), needle)
		}
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		j := 0
		for ; j < len(needle); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}
