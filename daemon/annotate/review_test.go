package annotate

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// Reviews as of Sunday 29 Nov 2026 (testNow).
func reviewed(d protocol.Decision, on string) *protocol.Review {
	return &protocol.Review{Decision: d, On: on, Why: "Posts rarely now.", At: at(2026, time.November, 1, 9, 0)}
}

func person(slug, company string, status protocol.Status, rv *protocol.Review, tags ...string) protocol.Contact {
	if tags == nil {
		tags = []string{}
	}
	return protocol.Contact{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:] + " Test", Company: company, Status: status,
		Review: rv, Tags: tags, Notes: []protocol.Note{}}
}

func TestDue(t *testing.T) {
	tests := []struct {
		name     string
		contact  protocol.Contact
		on, kind string
	}{
		{"no review", person("ada", "", "", nil), "", ""},
		{"revisit today", person("ada", "", protocol.StatusReviewing, reviewed(protocol.DecisionRevisit, "2026-11-29")), "2026-11-29", protocol.DueRevisit},
		{"revisit long past", person("ada", "", "", reviewed(protocol.DecisionRevisit, "2025-01-02")), "2025-01-02", protocol.DueRevisit},
		{"revisit tomorrow", person("ada", "", "", reviewed(protocol.DecisionRevisit, "2026-11-30")), "", ""},
		{"removal day came", person("ada", "", protocol.StatusRemovalPlanned, reviewed(protocol.DecisionRemoveOn, "2026-11-28")), "2026-11-28", protocol.DueRemove},
		{"removal day came, already removed", person("ada", "", protocol.StatusRemoved, reviewed(protocol.DecisionRemoveOn, "2026-11-28")), "", ""},
		{"revisit of someone removed", person("ada", "", protocol.StatusRemoved, reviewed(protocol.DecisionRevisit, "2026-11-28")), "2026-11-28", protocol.DueRevisit},
		{"keep has no day", person("ada", "", protocol.StatusKeep, reviewed(protocol.DecisionKeep, "")), "", ""},
		{"remove now has no day", person("ada", "", protocol.StatusRemovalPlanned, reviewed(protocol.DecisionRemoveNow, "")), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			on, kind, ok := Due(tt.contact, testNow)
			if on != tt.on || kind != tt.kind || ok != (tt.on != "") {
				t.Errorf("Due = %q, %q, %v; want %q, %q", on, kind, ok, tt.on, tt.kind)
			}
		})
	}
}

// The revisit badge comes when the day comes, after what timing says and
// before what the user recorded.
func TestRevisitBadge(t *testing.T) {
	r := testRules()
	ada := recentAda
	ada.Review = reviewed(protocol.DecisionRevisit, "2026-11-29")
	a := r.Annotate(ada, protocol.Visits{})
	if a.DueOn != "2026-11-29" {
		t.Errorf("due_on = %q", a.DueOn)
	}
	var kinds []protocol.BadgeKind
	for _, b := range a.Badges {
		kinds = append(kinds, b.Kind)
	}
	want := []protocol.BadgeKind{protocol.BadgeRecent, protocol.BadgeRevisit, protocol.BadgeStatus, protocol.BadgeTag, protocol.BadgeNote}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("badges %v, want %v", kinds, want)
	}
	if b := a.Badges[1]; b.Label != "Revisit" || b.Detail != "You planned to revisit this on 29 Nov 2026." {
		t.Errorf("badge %+v", b)
	}

	ada.Review = reviewed(protocol.DecisionRemoveOn, "2026-11-20")
	if b := r.Annotate(ada, protocol.Visits{}).Badges[1]; b.Detail != "You planned to remove this connection on 20 Nov 2026." {
		t.Errorf("removal badge %+v", b)
	}
	ada.Review = reviewed(protocol.DecisionRevisit, "2026-11-30")
	a = r.Annotate(ada, protocol.Visits{})
	if a.DueOn != "" || len(a.Badges) != 4 {
		t.Errorf("a day still to come shows %+v", a)
	}
	// The next morning it is due.
	r.Now = func() time.Time { return testNow.Add(24 * time.Hour) }
	if a := r.Annotate(ada, protocol.Visits{}); a.DueOn != "2026-11-30" {
		t.Errorf("the next day: due_on = %q", a.DueOn)
	}
}

func TestWaitUntil(t *testing.T) {
	r := testRules() // RecentDays 90
	tests := []struct {
		name    string
		contact protocol.Contact
		want    string
	}{
		{"old connection, nothing recorded", blankEdsger, ""},
		// Connected 15 Nov: recent through 13 Feb (90 days), free on 14 Feb.
		{"recent connection", recentAda, "2027-02-14"},
		{"cool-down until 1 Dec", coolingGrace, "2026-12-01"},
		{"cool-down outlasting a recent connection", protocol.Contact{ConnectedOn: "2026-09-01", CooldownUntil: "2026-12-24"}, "2026-12-24"},
		{"recent connection outlasting a cool-down", protocol.Contact{ConnectedOn: "2026-11-20", CooldownUntil: "2026-12-03"}, "2027-02-19"},
		{"cool-down that ended", protocol.Contact{CooldownUntil: "2026-11-29"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.WaitUntil(tt.contact); got != tt.want {
				t.Errorf("WaitUntil = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPlanned(t *testing.T) {
	for _, tt := range []struct {
		c    protocol.Contact
		want bool
	}{
		{person("ada", "", protocol.StatusRemovalPlanned, nil), true},
		{person("ada", "", "", reviewed(protocol.DecisionRemoveNow, "")), true},
		{person("ada", "", protocol.StatusUnfollowed, reviewed(protocol.DecisionRemoveOn, "2027-01-05")), true},
		{person("ada", "", protocol.StatusRemoved, reviewed(protocol.DecisionRemoveOn, "2027-01-05")), false},
		{person("ada", "", protocol.StatusReviewing, reviewed(protocol.DecisionRevisit, "2027-01-05")), false},
		{person("ada", "", protocol.StatusKeep, nil), false},
	} {
		if got := Planned(tt.c); got != tt.want {
			t.Errorf("Planned(status %q, review %+v) = %v", tt.c.Status, tt.c.Review, got)
		}
	}
}

func TestClusters(t *testing.T) {
	r := testRules()
	planned := func(slug, company, on string, tags ...string) protocol.Contact {
		rv := reviewed(protocol.DecisionRemoveNow, "")
		if on != "" {
			rv = reviewed(protocol.DecisionRemoveOn, on)
		}
		return person(slug, company, protocol.StatusRemovalPlanned, rv, tags...)
	}
	tests := []struct {
		name     string
		contacts []protocol.Contact
		want     []protocol.Cluster
	}{
		{
			name:     "nothing shared",
			contacts: []protocol.Contact{planned("ada", "Acme", ""), planned("bob", "Initech", "")},
			want:     []protocol.Cluster{},
		},
		{
			name: "one company, however it is written",
			contacts: []protocol.Contact{planned("ada", "Acme", ""), planned("bob", " ACME ", ""), planned("cy", "acme", ""),
				planned("dee", "Initech", ""), person("eve", "Acme", protocol.StatusRemoved, nil), person("fay", "Acme", protocol.StatusKeep, nil)},
			want: []protocol.Cluster{{Kind: "company", Key: "Acme", Count: 3, Total: 4, Slugs: []string{"ada", "bob", "cy"},
				Sentence: "3 of your 4 planned removals work at Acme; removing them in one week may be noticed."}},
		},
		{
			name: "one week, by ISO week (Mon 4 to Sun 10 Jan 2027)",
			contacts: []protocol.Contact{planned("ada", "", "2027-01-04"), planned("bob", "", "2027-01-10"), planned("cy", "", "2027-01-06"),
				planned("dee", "", "2027-01-11")},
			want: []protocol.Cluster{{Kind: "week", Key: "2027-W01", Count: 3, Total: 4, Slugs: []string{"ada", "bob", "cy"},
				Sentence: "3 of your 4 planned removals fall in the week of 4 Jan 2027; spread out, they are less likely to be noticed."}},
		},
		{
			name: "one tag; two of a tag are no cluster",
			contacts: []protocol.Contact{planned("ada", "", "", "inactive", "reputation"), planned("bob", "", "", "inactive"),
				planned("cy", "", "", "inactive", "reputation")},
			want: []protocol.Cluster{{Kind: "tag", Key: "inactive", Count: 3, Total: 3, Slugs: []string{"ada", "bob", "cy"},
				Sentence: "3 of your 3 planned removals are tagged inactive; removing them all at once may look like a purge."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Clusters(tt.contacts)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	// Thresholds come from the rules.
	r.Plan.CompanyCluster = 3
	if got := r.Clusters([]protocol.Contact{planned("ada", "Acme", ""), planned("bob", "Acme", "")}); len(got) != 0 {
		t.Errorf("two at Acme with a threshold of 3: %+v", got)
	}
}

func TestSpread(t *testing.T) {
	r := testRules() // Sunday 29 Nov 2026: tomorrow is Monday 30 Nov
	planned := func(slug, company, on string) protocol.Contact {
		if on == "" {
			return person(slug, company, protocol.StatusRemovalPlanned, nil)
		}
		return person(slug, company, protocol.StatusRemovalPlanned, reviewed(protocol.DecisionRemoveOn, on))
	}
	tests := []struct {
		name     string
		contacts []protocol.Contact
		want     []string // slug@day, in the schedule's order
	}{
		{
			name:     "two a week from tomorrow",
			contacts: []protocol.Contact{planned("ada", "", ""), planned("bob", "", ""), planned("cy", "", ""), planned("dee", "", ""), planned("eve", "", "")},
			want:     []string{"ada@2026-11-30", "bob@2026-11-30", "cy@2026-12-07", "dee@2026-12-07", "eve@2026-12-14"},
		},
		{
			name:     "one company two weeks apart",
			contacts: []protocol.Contact{planned("ada", "Acme", ""), planned("bob", "acme", ""), planned("cy", "Initech", ""), planned("dee", "ACME", "")},
			want:     []string{"ada@2026-11-30", "cy@2026-11-30", "bob@2026-12-14", "dee@2026-12-28"},
		},
		{
			name:     "a chosen day that breaks no rule stays",
			contacts: []protocol.Contact{planned("ada", "", ""), planned("bob", "", "2026-12-02"), planned("cy", "", "")},
			want:     []string{"ada@2026-11-30", "bob@2026-12-02", "cy@2026-12-07"},
		},
		{
			name:     "a day in the past moves",
			contacts: []protocol.Contact{planned("ada", "", "2026-11-01")},
			want:     []string{"ada@2026-11-30"},
		},
		{
			name:     "a third day in one week moves later, the earliest two stay",
			contacts: []protocol.Contact{planned("ada", "", "2026-12-09"), planned("bob", "", "2026-12-08"), planned("cy", "", "2026-12-10")},
			want:     []string{"bob@2026-12-08", "ada@2026-12-09", "cy@2026-12-14"},
		},
		{
			name: "chosen days of one company too close: the later moves",
			contacts: []protocol.Contact{planned("ada", "Acme", "2026-12-01"), planned("bob", "Acme", "2026-12-03"),
				removedWith("cy", "Acme")},
			want: []string{"ada@2026-12-01", "bob@2026-12-15"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range r.Spread(tt.contacts) {
				got = append(got, s.Slug+"@"+s.On)
			}
			sortByDay(tt.want)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func removedWith(slug, company string) protocol.Contact {
	return person(slug, company, protocol.StatusRemoved, reviewed(protocol.DecisionRemoveOn, "2026-12-02"))
}

// sortByDay orders slug@day strings as the schedule is: by day, then slug.
func sortByDay(s []string) {
	key := func(x string) string { i := strings.IndexByte(x, '@'); return x[i+1:] + x[:i] }
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && key(s[j]) < key(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// A long plan still keeps both rules, and costs linear time.
func TestSpreadKeepsItsRules(t *testing.T) {
	r := testRules()
	var contacts []protocol.Contact
	companies := []string{"Acme", "Initech", "Globex", ""}
	for i := 0; i < 400; i++ {
		contacts = append(contacts, person("p"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+time.Duration(i).String(), companies[i%4], protocol.StatusRemovalPlanned, nil))
	}
	s := r.Spread(contacts)
	if len(s) != len(contacts) {
		t.Fatalf("%d scheduled of %d", len(s), len(contacts))
	}
	perWeek := map[string]int{}
	last := map[string]time.Time{}
	company := map[string]string{}
	for _, c := range contacts {
		company[c.Slug] = companyKey(c)
	}
	for _, x := range s {
		d, _ := time.ParseInLocation(time.DateOnly, x.On, time.Local)
		if !d.After(dateOf(testNow)) {
			t.Fatalf("%s scheduled on %s, not after today", x.Slug, x.On)
		}
		perWeek[isoWeek(d)]++
		if perWeek[isoWeek(d)] > 2 {
			t.Fatalf("three in week %s", isoWeek(d))
		}
		if k := company[x.Slug]; k != "" {
			if p, ok := last[k]; ok && daysBetween(p, d) < 14 {
				t.Fatalf("%s: two at %s %d days apart", x.On, k, daysBetween(p, d))
			}
			last[k] = d
		}
	}
}

func TestReconnectDrafts(t *testing.T) {
	c := person("grace-hopper", "US Navy", protocol.StatusRemoved, reviewed(protocol.DecisionRemoveNow, ""), "interests-drifted")
	c.Name = "Dr. Grace Hopper"
	c.Notes = []protocol.Note{note("She was rude in the thread about COBOL.", at(2026, time.November, 1, 9, 0))}
	got := ReconnectDrafts(c)
	if len(got) < 2 || len(got) > 3 {
		t.Fatalf("%d drafts, want two or three", len(got))
	}
	for _, d := range got {
		if !strings.HasPrefix(d, "Hi Grace, ") {
			t.Errorf("draft does not greet by first name: %q", d)
		}
		if strings.Contains(d, "COBOL") || strings.Contains(d, "rude") || strings.Contains(d, "Posts rarely") {
			t.Errorf("draft quotes what the user wrote: %q", d)
		}
		// LinkedIn's invitation note holds 200 characters.
		if n := utf8.RuneCountInString(d); n > 200 {
			t.Errorf("draft of %d characters: %q", n, d)
		}
	}
	if !strings.Contains(got[1], "different ways") || !strings.Contains(got[2], "US Navy") {
		t.Errorf("drafts ignore what was recorded: %q", got)
	}
	if a := testRules().Advice(c, nil); len(a.ReconnectDrafts) != len(got) {
		t.Errorf("advice for someone removed has %d reconnection drafts", len(a.ReconnectDrafts))
	}
	c.Status = protocol.StatusReviewing
	if a := testRules().Advice(c, nil); len(a.ReconnectDrafts) != 0 || a.ReconnectDrafts == nil {
		t.Errorf("advice for someone connected offers reconnection: %q", a.ReconnectDrafts)
	}
}

func TestAdvice(t *testing.T) {
	r := testRules()
	ada := recentAda
	ada.Review = reviewed(protocol.DecisionRemoveOn, "2026-11-29")
	clusters := []protocol.Cluster{
		{Kind: "company", Key: "Acme", Count: 2, Total: 3, Slugs: []string{"ada-lovelace-1815", "bob"}},
		{Kind: "tag", Key: "inactive", Count: 3, Total: 3, Slugs: []string{"bob", "cy", "dee"}},
	}
	a := r.Advice(ada, clusters)
	if a.WaitUntil != "2027-02-14" || len(a.Timing) != 1 || a.Timing[0].Kind != "recent" || len(a.Drafts) < 2 {
		t.Errorf("timing advice %+v", a)
	}
	if a.DueOn != "2026-11-29" || a.DueKind != protocol.DueRemove {
		t.Errorf("due %q %q", a.DueOn, a.DueKind)
	}
	if len(a.Clusters) != 1 || a.Clusters[0].Key != "Acme" {
		t.Errorf("clusters %+v, want Acme's only", a.Clusters)
	}
}

func TestReminderRecallsDecisionAndClusters(t *testing.T) {
	r := testRules()
	c := blankEdsger
	if rem := r.ReminderIn(c, nil); rem.Decision != nil || rem.Clusters != nil {
		t.Errorf("no review, no clusters: %+v %+v", rem.Decision, rem.Clusters)
	}
	c.Review = &protocol.Review{Decision: protocol.DecisionRemoveOn, On: "2026-12-12", Why: "Never posts anything I read.", At: at(2026, time.November, 3, 9, 0)}
	cl := []protocol.Cluster{{Kind: "company", Key: "Acme", Count: 4, Total: 9, Slugs: []string{"edsger-dijkstra"},
		Sentence: "4 of your 9 planned removals work at Acme; removing them in one week may be noticed."}}
	rem := r.ReminderIn(c, cl)
	if rem.Decision == nil || rem.Decision.Detail != "On 3 Nov 2026 you decided: remove on 12 Dec 2026. Why: Never posts anything I read." {
		t.Errorf("decision %+v", rem.Decision)
	}
	if len(rem.Clusters) != 1 || rem.Clusters[0].Kind != "cluster" || rem.Clusters[0].Title != "4 planned removals at Acme" ||
		!strings.HasPrefix(rem.Clusters[0].Detail, cl[0].Sentence) || !strings.Contains(rem.Clusters[0].Detail, "spread them out") {
		t.Errorf("clusters %+v", rem.Clusters)
	}
}

func TestQueue(t *testing.T) {
	r := testRules()
	old := person("old-quiet", "", "", nil)
	old.ConnectedOn, old.LastSeen = "2019-06-01", at(2026, time.November, 2, 9, 0)
	imported := person("imported-only", "Acme Corp", "", nil)
	imported.ConnectedOn = "2023-01-01"
	tagged := person("tagged", "", protocol.StatusReviewing, nil, "inactive", "reputation")
	tagged.Headline, tagged.ConnectedOn, tagged.LastSeen = "Engineer at ACME", "2022-03-03", testNow
	due := person("due-revisit", "", protocol.StatusReviewing, reviewed(protocol.DecisionRevisit, "2026-11-20"))
	dueRemove := person("due-remove", "", protocol.StatusRemovalPlanned, reviewed(protocol.DecisionRemoveOn, "2026-11-01"))
	everyone := []protocol.Contact{old, imported, tagged, due, dueRemove}

	tests := []struct {
		name   string
		filter protocol.QueueFilter
		want   []string // in queue order
	}{
		{"everyone: due first, then oldest connection, unknown dates last", protocol.QueueFilter{},
			[]string{"due-remove", "due-revisit", "old-quiet", "tagged", "imported-only"}},
		{"tags, all of them", protocol.QueueFilter{Tags: []string{"inactive", "reputation"}}, []string{"tagged"}},
		{"status none", protocol.QueueFilter{Status: protocol.StatusFilterNone}, []string{"old-quiet", "imported-only"}},
		{"status", protocol.QueueFilter{Status: protocol.StatusReviewing}, []string{"due-revisit", "tagged"}},
		{"connected more than 5 years ago", protocol.QueueFilter{ConnectedBeforeYears: 5}, []string{"old-quiet"}},
		{"connected more than 3 years ago", protocol.QueueFilter{ConnectedBeforeYears: 3}, []string{"old-quiet", "tagged", "imported-only"}},
		{"never seen", protocol.QueueFilter{NeverSeen: true}, []string{"due-remove", "due-revisit", "imported-only"}},
		{"never annotated", protocol.QueueFilter{NeverAnnotated: true}, []string{"old-quiet", "imported-only"}},
		{"company or headline, any case", protocol.QueueFilter{Company: "acme"}, []string{"tagged", "imported-only"}},
		{"due", protocol.QueueFilter{Due: true}, []string{"due-remove", "due-revisit"}},
		{"filters combine", protocol.QueueFilter{NeverSeen: true, Company: "acme"}, []string{"imported-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []protocol.QueueItem
			for _, c := range everyone {
				if r.InQueue(tt.filter, c) {
					items = append(items, r.QueueItem(c))
				}
			}
			sortItems(items)
			var got []string
			for _, it := range items {
				got = append(got, it.Slug)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	it := r.QueueItem(dueRemove)
	if it.DueOn != "2026-11-01" || it.DueKind != protocol.DueRemove || it.Review == nil || it.Review == dueRemove.Review {
		t.Errorf("queue item %+v: due fields, and a copy of the review", it)
	}
}

func sortItems(items []protocol.QueueItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && QueueOrder(items[j], items[j-1]) < 0; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func TestTally(t *testing.T) {
	r := testRules() // November 2026: the window is December 2025 to November 2026
	tl := r.Tally()
	tl.AddContact(person("ada", "", "", nil, "inactive"))
	tl.AddContact(person("bob", "", protocol.StatusKeep, nil, "inactive", "reputation"))
	tl.AddContact(person("cy", "", protocol.StatusReviewing, reviewed(protocol.DecisionRevisit, "2026-11-01")))
	ev := func(kind protocol.EventKind, when time.Time, d protocol.Decision, o protocol.Outcome) protocol.Event {
		return protocol.Event{At: when, Kind: kind, Decision: d, Outcome: o}
	}
	for _, e := range []protocol.Event{
		ev(protocol.EventReviewed, at(2026, time.November, 3, 9, 0), protocol.DecisionKeep, ""),
		ev(protocol.EventReviewed, at(2026, time.November, 4, 9, 0), protocol.DecisionRemoveOn, ""),
		ev(protocol.EventReviewed, at(2026, time.November, 4, 9, 5), protocol.DecisionRemoveNow, ""),
		ev(protocol.EventOutcome, at(2026, time.November, 5, 9, 0), "", protocol.OutcomeRemoved),
		ev(protocol.EventOutcome, at(2026, time.November, 5, 9, 0), "", protocol.OutcomeKept),
		ev(protocol.EventReconnected, at(2026, time.January, 5, 9, 0), "", ""),
		ev(protocol.EventReviewed, at(2025, time.November, 30, 9, 0), protocol.DecisionKeep, ""), // before the window
	} {
		tl.AddEvent(e)
	}
	s := tl.Summary()
	if s.Total != 3 || s.Due != 1 || !reflect.DeepEqual(s.ByStatus, map[string]int{"none": 1, "keep": 1, "reviewing": 1}) {
		t.Errorf("counts %+v", s)
	}
	if want := []protocol.TagCount{{Tag: "inactive", Count: 2}, {Tag: "reputation", Count: 1}}; !reflect.DeepEqual(s.ByTag, want) {
		t.Errorf("by tag %+v", s.ByTag)
	}
	if len(s.DecisionsByMonth) != 12 || s.DecisionsByMonth[0].Month != "2025-12" || s.DecisionsByMonth[11].Month != "2026-11" {
		t.Fatalf("months %+v", s.DecisionsByMonth)
	}
	if nov := s.DecisionsByMonth[11]; nov != (protocol.MonthDecisions{Month: "2026-11", Keep: 1, Remove: 2, Removed: 1}) {
		t.Errorf("November %+v", nov)
	}
	if jan := s.DecisionsByMonth[1]; jan.Reconnected != 1 {
		t.Errorf("January %+v", jan)
	}
}

func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, needle string
		want      bool
	}{
		{"Engineer at ACME Corp", "acme", true},
		{"Engineer at ACME Corp", "acme corp", true},
		{"Acme", "acme corp", false},
		{"Ingénieure chez Société Générale", "société", true},
		{"SOCIÉTÉ GÉNÉRALE", "société", true},
		{"", "a", false},
		{"anything", "", true},
	} {
		if got := containsFold(c.s, c.needle); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.needle, got)
		}
	}
}
