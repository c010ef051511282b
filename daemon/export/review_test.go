package export

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// The spreadsheet shows each contact's latest decision, its day and why;
// a formula in the why stays text.
func TestCSVCarriesTheLatestReview(t *testing.T) {
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	a := protocol.Archive{Format: protocol.ArchiveFormat, Version: protocol.ArchiveVersion, Contacts: []protocol.Contact{
		{Slug: "ada-x", Name: "Ada", Tags: []string{}, Notes: []protocol.Note{},
			Review: &protocol.Review{Decision: protocol.DecisionRemoveOn, On: "2027-01-12", Why: "=cmd|' /C calc'!A0", At: at}},
		{Slug: "bob-y", Name: "Bob", Tags: []string{}, Notes: []protocol.Note{}},
	}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, a); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []struct {
		row       int
		col, want string
	}{
		{1, "decision", "remove_on"}, {1, "decision_on", "2027-01-12"}, {1, "decision_why", "'=cmd|' /C calc'!A0"},
		{2, "decision", ""}, {2, "decision_on", ""}, {2, "decision_why", ""},
	} {
		i, ok := col[c.col]
		if !ok {
			t.Fatalf("no column %s", c.col)
		}
		if got := recs[c.row][i]; got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.col, got, c.want)
		}
	}
}
