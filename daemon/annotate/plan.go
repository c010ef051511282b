package annotate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tactful/tactful/protocol"
)

// PlanRules are the thresholds of removal plans. A field that is zero or
// negative takes its DefaultPlan value.
type PlanRules struct {
	// CompanyCluster, WeekCluster and TagCluster are how many planned
	// removals at one company, in one ISO week, or with one reason tag make
	// a cluster worth a warning.
	CompanyCluster int
	WeekCluster    int
	TagCluster     int
	// PerWeek is the most removals a spread-out plan puts in one week.
	PerWeek int
	// CompanyGapDays is how many days apart a plan puts people of one company.
	CompanyGapDays int
}

// DefaultPlan returns the plan thresholds tactful ships with.
func DefaultPlan() PlanRules {
	return PlanRules{CompanyCluster: 2, WeekCluster: 3, TagCluster: 3, PerWeek: 2, CompanyGapDays: 14}
}

func (p PlanRules) withDefaults() PlanRules {
	d := DefaultPlan()
	orDefault := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	p.CompanyCluster = orDefault(p.CompanyCluster, d.CompanyCluster)
	p.WeekCluster = orDefault(p.WeekCluster, d.WeekCluster)
	p.TagCluster = orDefault(p.TagCluster, d.TagCluster)
	p.PerWeek = orDefault(p.PerWeek, d.PerWeek)
	p.CompanyGapDays = orDefault(p.CompanyGapDays, d.CompanyGapDays)
	return p
}

// Planned reports whether c is a planned removal: the review decided to
// remove (now or on a day), or the status says removal_planned, and the
// connection is not removed yet.
func Planned(c protocol.Contact) bool {
	if c.Status == protocol.StatusRemoved {
		return false
	}
	return c.Status == protocol.StatusRemovalPlanned || (c.Review != nil && c.Review.Decision.Removes())
}

// companyKey folds a company name for comparing; "" when unknown.
func companyKey(c protocol.Contact) string {
	return strings.ToLower(strings.Join(strings.Fields(c.Company), " "))
}

// removalDay is the day the review set for removing c, if any.
func removalDay(c protocol.Contact) (time.Time, bool) {
	if c.Review == nil || c.Review.Decision != protocol.DecisionRemoveOn {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(time.DateOnly, c.Review.On, time.Local)
	return d, err == nil
}

// isoWeek names the ISO week of a day: "2027-W02".
func isoWeek(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// weekStart is the Monday of d's week.
func weekStart(d time.Time) time.Time {
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -back)
}

// Clusters finds what the planned removals among contacts share that others
// could notice: two or more at one company, three or more on days of one
// week, three or more with one reason tag (PlanRules). Largest first.
func (r Rules) Clusters(contacts []protocol.Contact) []protocol.Cluster {
	p := r.Plan.withDefaults()
	planned := slices.DeleteFunc(slices.Clone(contacts), func(c protocol.Contact) bool { return !Planned(c) })
	// In slug order, whatever order the store gave, so a company's name is
	// always written the same way.
	slices.SortFunc(planned, func(a, b protocol.Contact) int { return cmp.Compare(a.Slug, b.Slug) })
	total := len(planned)
	type group struct {
		name  string // as the first in slug order writes it, for the sentence
		slugs []string
	}
	groups := map[string]map[string]*group{protocol.ClusterCompany: {}, protocol.ClusterWeek: {}, protocol.ClusterTag: {}}
	add := func(kind, key, name, slug string) {
		g := groups[kind][key]
		if g == nil {
			g = &group{name: name}
			groups[kind][key] = g
		}
		g.slugs = append(g.slugs, slug)
	}
	for _, c := range planned {
		if k := companyKey(c); k != "" {
			add(protocol.ClusterCompany, k, strings.TrimSpace(c.Company), c.Slug)
		}
		if d, ok := removalDay(c); ok {
			add(protocol.ClusterWeek, isoWeek(d), humanDate(weekStart(d)), c.Slug)
		}
		for _, t := range c.Tags {
			add(protocol.ClusterTag, t, t, c.Slug)
		}
	}
	min := map[string]int{protocol.ClusterCompany: p.CompanyCluster, protocol.ClusterWeek: p.WeekCluster, protocol.ClusterTag: p.TagCluster}
	out := []protocol.Cluster{}
	for _, kind := range []string{protocol.ClusterCompany, protocol.ClusterWeek, protocol.ClusterTag} {
		for key, g := range groups[kind] {
			if len(g.slugs) < min[kind] {
				continue
			}
			slices.Sort(g.slugs)
			cl := protocol.Cluster{Kind: kind, Key: key, Count: len(g.slugs), Total: total, Slugs: g.slugs}
			switch kind {
			case protocol.ClusterCompany:
				cl.Key = g.name
				cl.Sentence = fmt.Sprintf("%d of your %d planned removals work at %s; removing them in one week may be noticed.", cl.Count, total, g.name)
			case protocol.ClusterWeek:
				cl.Sentence = fmt.Sprintf("%d of your %d planned removals fall in the week of %s; spread out, they are less likely to be noticed.", cl.Count, total, g.name)
			case protocol.ClusterTag:
				cl.Sentence = fmt.Sprintf("%d of your %d planned removals are tagged %s; removing them all at once may look like a purge.", cl.Count, total, g.name)
			}
			out = append(out, cl)
		}
	}
	kindRank := map[string]int{protocol.ClusterCompany: 0, protocol.ClusterWeek: 1, protocol.ClusterTag: 2}
	slices.SortFunc(out, func(a, b protocol.Cluster) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// Spread proposes a day for each planned removal among contacts: at most
// PerWeek in one week, people of one company at least CompanyGapDays apart,
// from tomorrow on. A day already chosen (remove_on) is kept when it is
// still to come and breaks neither rule; one that breaks a rule moves to
// the first day after it that fits. The schedule is ordered by day, then
// slug.
func (r Rules) Spread(contacts []protocol.Contact) []protocol.Scheduled {
	r = r.withDefaults()
	p := r.Plan.withDefaults()
	start := dateOf(r.Now()).AddDate(0, 0, 1)
	planned := slices.DeleteFunc(slices.Clone(contacts), func(c protocol.Contact) bool { return !Planned(c) })

	perWeek := map[string]int{}
	byCompany := map[string][]time.Time{}
	fits := func(d time.Time, company string) (ok bool, next time.Time) {
		if perWeek[isoWeek(d)] >= p.PerWeek {
			return false, weekStart(d).AddDate(0, 0, 7)
		}
		if company != "" {
			for _, o := range byCompany[company] {
				if gap := daysBetween(o, d); gap > -p.CompanyGapDays && gap < p.CompanyGapDays {
					return false, o.AddDate(0, 0, p.CompanyGapDays)
				}
			}
		}
		return true, d
	}
	out := make([]protocol.Scheduled, 0, len(planned))
	place := func(c protocol.Contact, d time.Time) {
		perWeek[isoWeek(d)]++
		if k := companyKey(c); k != "" {
			byCompany[k] = append(byCompany[k], d)
		}
		out = append(out, protocol.Scheduled{Slug: c.Slug, Name: c.Name, On: d.Format(time.DateOnly)})
	}

	// Days already chosen go first, earliest first, so the plan moves as
	// few of them as it can.
	slices.SortFunc(planned, func(a, b protocol.Contact) int {
		da, oka := removalDay(a)
		db, okb := removalDay(b)
		if oka != okb {
			if oka {
				return -1
			}
			return 1
		}
		if c := da.Compare(db); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
	var rest []protocol.Contact
	for _, c := range planned {
		d, ok := removalDay(c)
		if ok && !d.Before(start) {
			if fit, _ := fits(d, companyKey(c)); fit {
				place(c, d)
				continue
			}
		}
		rest = append(rest, c)
	}
	// The others take the first day that fits. The first week with room
	// only moves forward, so a long plan costs little more than linear time.
	open := start
	slices.SortStableFunc(rest, func(a, b protocol.Contact) int { return cmp.Compare(a.Slug, b.Slug) })
	for _, c := range rest {
		for perWeek[isoWeek(open)] >= p.PerWeek {
			open = weekStart(open).AddDate(0, 0, 7)
		}
		d := open
		// A day the user chose that breaks a rule moves later, never earlier.
		if chosen, ok := removalDay(c); ok && chosen.After(d) {
			d = chosen
		}
		for {
			ok, next := fits(d, companyKey(c))
			if ok {
				break
			}
			d = next
		}
		place(c, d)
	}
	slices.SortFunc(out, func(a, b protocol.Scheduled) int {
		if c := cmp.Compare(a.On, b.On); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
	return out
}
