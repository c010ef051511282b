package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/tactful/tactful/protocol"
)

func reviewCommand() *command {
	return &command{
		name:  "review",
		short: "list the revisits and removals whose day has come (--due)",
		long: `With --due, prints the people whose revisit or removal day (set in the
extension's review page) has come, oldest day first: the day, revisit or
remove, the name and the profile's address. The review itself happens in the
review page ("Review my network" in the tactful popup).`,
		bind: func(fs *flag.FlagSet) runFunc {
			var o reviewOptions
			fs.BoolVar(&o.Due, "due", false, "list what is due")
			fs.BoolVar(&o.JSON, "json", false, "print the list as JSON (review_queue items)")
			fs.IntVar(&o.Limit, "limit", protocol.DefaultQueueLimit, fmt.Sprintf("print at most `N` people (up to %d)", protocol.MaxQueueLimit))
			return func(m *Main, ctx context.Context, e *env) error { return m.review(ctx, e, o) }
		},
	}
}

// reviewOptions are review's own flags.
type reviewOptions struct {
	Due, JSON bool
	Limit     int
}

func (m *Main) review(ctx context.Context, e *env, o reviewOptions) error {
	if !o.Due {
		return usagef("review: say --due to list what is due; the review itself is the extension's review page")
	}
	if o.Limit < 1 || o.Limit > protocol.MaxQueueLimit {
		return usagef("review: --limit must be between 1 and %d", protocol.MaxQueueLimit)
	}
	c, done, err := m.session(ctx, e, true)
	if err != nil {
		return err
	}
	defer done()
	var q protocol.ReviewQueueReply
	if err := c.Call(ctx, &protocol.ReviewQueue{Filter: protocol.QueueFilter{Due: true}, Limit: o.Limit}, &q); err != nil {
		return fmt.Errorf("review: %w", userError(err))
	}
	if o.JSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(q.Items)
	}
	if len(q.Items) == 0 {
		fmt.Fprintln(m.Stdout, "Nothing is due.")
		return nil
	}
	if err := printDue(m.Stdout, q.Items); err != nil {
		return err
	}
	if q.Total > len(q.Items) {
		fmt.Fprintf(m.Stderr, "%d more are due; raise --limit to see them.\n", q.Total-len(q.Items))
	}
	return nil
}

// printDue writes one line per person: day, kind, name, profile address.
// Names come from web pages and files, so they are escaped as history's are.
func printDue(w io.Writer, items []protocol.QueueItem) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.DueOn, it.DueKind, oneLine(it.Name),
			"https://www.linkedin.com/in/"+url.PathEscape(it.Slug)+"/")
	}
	return tw.Flush()
}
