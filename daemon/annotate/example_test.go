package annotate_test

import (
	"fmt"
	"time"

	"github.com/tactful/tactful/daemon/annotate"
	"github.com/tactful/tactful/protocol"
)

// The reminder tactful shows when someone opens "Remove connection" on a
// person they connected with two weeks ago and wrote a note about.
func ExampleRules_Reminder() {
	rules := annotate.Default()
	rules.Now = func() time.Time { return time.Date(2026, time.November, 29, 10, 0, 0, 0, time.Local) }

	// The page said "Connected 2 weeks ago"; the daemon turned it into a day.
	day, src, _ := annotate.ParseConnected("Connected 2 weeks ago", "en-US", rules.Now())

	rem := rules.Reminder(protocol.Contact{
		Slug:            "ada-lovelace-1815",
		Name:            "Ada Lovelace",
		ConnectedOn:     day,
		ConnectedSource: src,
		Tags:            []string{"inactive"},
		Notes: []protocol.Note{{
			ID:      "n1",
			Text:    "Met at the Analytical Engine meetup. Posts rarely now.",
			Created: time.Date(2026, time.November, 16, 18, 0, 0, 0, time.Local),
		}},
	})

	fmt.Println(rem.Advice)
	fmt.Println(rem.Headline)
	for _, p := range rem.Timing {
		fmt.Printf("%s: %s\n", p.Title, p.Detail)
	}
	fmt.Println(rem.Unfollow.Title)
	fmt.Println("Why:", rem.Reasons.Tags, rem.Reasons.Notes)
	fmt.Println(rem.Drafts[0])
	// Output:
	// wait
	// You connected with Ada Lovelace only about 2 weeks ago; removing now may read as a snub.
	// Recently connected: You connected about 2 weeks ago (around 15 Nov 2026). Give it a few weeks before deciding.
	// Unfollow instead
	// Why: [inactive] [Met at the Analytical Engine meetup. Posts rarely now.]
	// Hi Ada, I'm narrowing my network to people I work with day to day. Wishing you all the best.
}
