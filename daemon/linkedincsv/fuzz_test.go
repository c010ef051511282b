package linkedincsv

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tactful/tactful/protocol"
)

// FuzzParse feeds Parse hostile files: it must never panic, every error
// must be one with a code, and every row must carry a canonical slug.
func FuzzParse(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "*", "Connections.csv"))
	for _, path := range cases {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if data, ok := sharedSample(f); ok {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data))
		if err != nil {
			var pe *protocol.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if len(res.Rows)+len(res.Skipped) != res.Total {
			t.Fatalf("rows %d + skipped %d != total %d", len(res.Rows), len(res.Skipped), res.Total)
		}
		seen := map[string]bool{}
		for _, r := range res.Rows {
			if slug, err := protocol.CanonicalSlug(r.Slug); err != nil || slug != r.Slug {
				t.Fatalf("line %d: slug %q is not canonical", r.Line, r.Slug)
			}
			if seen[r.Slug] {
				t.Fatalf("slug %q appears twice", r.Slug)
			}
			seen[r.Slug] = true
			if r.Line < 1 || r.Name == "" {
				t.Fatalf("row %+v has no line or no name", r)
			}
		}
	})
}
