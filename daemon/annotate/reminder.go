package annotate

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tactful/tactful/protocol"
)

// Reminder answers "should I remove this person now?" the way a thoughtful
// friend would: what speaks against doing it today, the gentler steps, what
// the user wrote down and why, and how removal works on LinkedIn. It never
// forbids; Advice is "wait" only when timing speaks against it.
func (r Rules) Reminder(c protocol.Contact) protocol.Reminder {
	r = r.withDefaults()
	s := r.situation(InputOf(c))
	name := nameOr(c.Name, "this person")
	rem := protocol.Reminder{
		Slug:       c.Slug,
		Name:       c.Name,
		ProfileURL: "https://www.linkedin.com/in/" + url.PathEscape(c.Slug) + "/",
		Advice:     "consider",
		Timing:     timing(s),
		Unfollow:   unfollow(c.Status, name),
		Options:    options(),
		Reasons:    reasons(c),
		Drafts:     drafts(firstName(c.Name), s),
		Decision:   decisionPoint(c), // review.go
		Facts: []string{
			"LinkedIn does not notify someone when you remove them.",
			"After a removal, only you can send a new invitation to reconnect.",
			"They may still notice if they look for you: you will no longer appear among their connections.",
		},
	}
	if len(rem.Timing) > 0 {
		rem.Advice = "wait"
	}
	rem.Headline = headline(s, name, c.Status)
	return rem
}

// timing lists what speaks against removing today, strongest first: a
// cool-down the user chose, then a connection too young to judge, then a
// note written in the heat of the moment.
func timing(s situation) []protocol.Point {
	out := []protocol.Point{}
	if s.cooldown {
		out = append(out, protocol.Point{
			Kind:   "cooldown",
			Title:  "Cooling down",
			Detail: s.cooldownSentence() + ". Decide after that, with a clear head.",
		})
	}
	if s.recent {
		out = append(out, protocol.Point{
			Kind:   "recent",
			Title:  "Recently connected",
			Detail: "You connected " + s.connectedWhen() + ". Give it a few weeks before deciding.",
		})
	}
	if s.recentNote {
		out = append(out, protocol.Point{
			Kind:   "recent_note",
			Title:  "Fresh note",
			Detail: "You wrote a note " + ago(s.noteWrittenD) + "; decisions made in the heat of the moment read badly later.",
		})
	}
	return out
}

// headline sums the reminder up in one sentence, naming the strongest
// timing reason when there is one.
func headline(s situation, name string, status protocol.Status) string {
	switch {
	case s.cooldown:
		return fmt.Sprintf("You are still cooling down after a disagreement with %s; wait until %s before you decide.", name, humanDate(s.cooldownEnd))
	case s.recent:
		when := "only " + ago(daysBetween(s.connected, s.today))
		if s.approximate && daysBetween(s.connected, s.today) > 1 {
			when = "only about " + ago(daysBetween(s.connected, s.today))
		}
		return fmt.Sprintf("You connected with %s %s; removing now may read as a snub.", name, when)
	case s.recentNote:
		return fmt.Sprintf("You wrote about %s %s; sleep on it before you remove them.", name, ago(s.noteWrittenD))
	case status == protocol.StatusUnfollowed:
		return fmt.Sprintf("You already unfollowed %s; remove them only if that is not enough.", name)
	}
	return fmt.Sprintf("Before you remove %s: unfollowing may be enough.", name)
}

func unfollow(status protocol.Status, name string) protocol.Point {
	if status == protocol.StatusUnfollowed {
		return protocol.Point{
			Kind:   "unfollow",
			Title:  "You already unfollowed",
			Detail: fmt.Sprintf("%s's posts are already out of your feed, and the connection stays. Nobody was notified.", name),
		}
	}
	return protocol.Point{
		Kind:  "unfollow",
		Title: "Unfollow instead",
		Detail: fmt.Sprintf("Unfollowing hides %s's posts from your feed but keeps the connection. "+
			"Nobody is notified, and you can follow again at any time. "+
			"Unfollow is in the … (More) menu on their profile.", name),
	}
}

func options() []protocol.Point {
	return []protocol.Point{
		{Kind: "limit", Title: "Limit who sees your activity", Detail: "Your settings can keep your updates from reaching this connection."},
		{Kind: "message", Title: "Send a private message", Detail: "If something bothered you, a short private word often settles it."},
		{Kind: "engage", Title: "Engage selectively", Detail: "Keep the tie and simply stop reacting to what you do not want to amplify."},
	}
}

// maxReasonNotes is how many notes the reminder quotes: enough to recall
// why, few enough to read beside a dialog.
const maxReasonNotes = 3

func reasons(c protocol.Contact) protocol.Reasons {
	rs := protocol.Reasons{Tags: tagsOf(c), Status: c.Status, Notes: []string{}}
	for _, n := range newestNotes(c.Notes) {
		if len(rs.Notes) == maxReasonNotes {
			break
		}
		rs.Notes = append(rs.Notes, strings.TrimSpace(n.Text))
	}
	if len(rs.Tags) == 0 && rs.Status == protocol.StatusNone && len(rs.Notes) == 0 {
		rs.Prompt = "You haven't recorded why. Name a reason first: it helps you decide now, and it helps future you remember."
	}
	return rs
}

// drafts are messages for users who would rather say something than vanish:
// short, kind, honest, and never an essay. tactful does not send them.
func drafts(first string, s situation) []string {
	hi := "Hi " + first + ", "
	out := []string{hi + "I'm narrowing my network to people I work with day to day. Wishing you all the best."}
	if s.recent {
		out = append(out, hi+"thanks for connecting. I'm keeping my feed focused for a while, and I hope our paths cross again.")
	} else {
		out = append(out, hi+"thank you for being part of my network. I'm keeping it smaller now, and I wish you well.")
	}
	if s.cooldown {
		out = append(out, hi+"I didn't like how our last exchange went, and I'd rather step back than argue. I wish you well.")
	}
	return out
}

// honorifics are skipped when greeting someone by first name: "Hi Ada",
// not "Hi Dr.".
var honorifics = map[string]bool{
	"dr": true, "dr.": true, "prof": true, "prof.": true, "mr": true, "mr.": true,
	"mrs": true, "mrs.": true, "ms": true, "ms.": true, "mx": true, "mx.": true,
}

func firstName(name string) string {
	for _, w := range strings.Fields(name) {
		if !honorifics[strings.ToLower(w)] {
			return strings.TrimRight(w, ",")
		}
	}
	return "there"
}
