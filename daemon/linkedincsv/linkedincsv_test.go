package linkedincsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tactful/tactful/protocol"
)

// samplePath is the project's own LinkedIn export sample: the format of
// LinkedIn's "Connections" export (a Notes preamble, CRLF, quoted fields,
// empty emails, one member without a URL).
var samplePath = filepath.Join("testdata", "sample", "Connections.csv")

// sharedSample is the export sample in ../shared beside the repository, an
// extra check when it is there; ok is false when it is not.
func sharedSample(t testing.TB) (data []byte, ok bool) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, false
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "fixtures", "linkedin", "Connections.csv")
	data, err = os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return data, true
}

// TestParseSample reads the project's sample, and the shared one when it
// is there: both hold 36 members, one of them without a profile URL.
func TestParseSample(t *testing.T) {
	own, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("own", func(t *testing.T) { checkSample(t, own) })
	t.Run("shared", func(t *testing.T) {
		data, ok := sharedSample(t)
		if !ok {
			t.Skip("skipping: no ../shared/fixtures/linkedin/Connections.csv beside the repository (an extra check)")
		}
		checkSample(t, data)
	})
}

func checkSample(t *testing.T, data []byte) {
	res, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if res.Total != 36 || len(res.Rows) != 35 {
		t.Errorf("Total %d, rows %d; want 36 data rows of which 35 usable", res.Total, len(res.Rows))
	}
	wantSkipped := []protocol.Skipped{{Line: 40, Reason: "no profile URL"}}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("Skipped = %+v, want %+v", res.Skipped, wantSkipped)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("Warnings = %+v, want none", res.Warnings)
	}
	bySlug := map[string]Row{}
	for _, r := range res.Rows {
		bySlug[r.Slug] = r
	}
	tests := []struct {
		name string
		slug string
		want Row
	}{
		{"first row, empty email", "ada-lovelace-1815", Row{Line: 5, FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace",
			URL: "https://www.linkedin.com/in/ada-lovelace-1815", Slug: "ada-lovelace-1815", Company: "Babbage & Co",
			Position: "Programmer", ConnectedOn: "2026-11-26"}},
		{"email kept", "grace-hopper-1906", Row{Line: 6, FirstName: "Grace", LastName: "Hopper", Name: "Grace Hopper",
			URL: "https://www.linkedin.com/in/grace-hopper-1906", Slug: "grace-hopper-1906", Email: "grace@navy.example",
			Company: "US Navy", Position: "Rear Admiral", ConnectedOn: "2026-11-12"}},
		{"percent-encoded slug decoded", "josé-garcía-núñez-4b1a2c3", Row{Line: 7, FirstName: "José", LastName: "García-Núñez",
			Name: "José García-Núñez", URL: "https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa-n%C3%BA%C3%B1ez-4b1a2c3",
			Slug: "josé-garcía-núñez-4b1a2c3", Company: "Telefónica", Position: "Ingeniero de datos", ConnectedOn: "2026-08-20"}},
		{"quoted company with a comma", "siobhan-oconnor", Row{Line: 8, FirstName: "Siobhán", LastName: "O'Connor",
			Name: "Siobhán O'Connor", URL: "https://www.linkedin.com/in/siobhan-oconnor", Slug: "siobhan-oconnor",
			Company: "Acme, Inc.", Position: "Head of Talent", ConnectedOn: "2025-10-03"}},
		{"HTML-looking name and doubled quotes kept as text", "renee-xss-test", Row{Line: 10, FirstName: "Renée",
			LastName: "<img src=x onerror=alert(1)>", Name: "Renée <img src=x onerror=alert(1)>",
			URL: "https://www.linkedin.com/in/renee-xss-test", Slug: "renee-xss-test", Email: "renee@example.com",
			Company: `"Quoted" Ventures`, Position: `Growth, Sales & "Ops"`, ConnectedOn: "2026-07-14"}},
		{"last usable row", "ward-cunningham-wiki", Row{Line: 39, FirstName: "Ward", LastName: "Cunningham", Name: "Ward Cunningham",
			URL: "https://www.linkedin.com/in/ward-cunningham-wiki", Slug: "ward-cunningham-wiki",
			Company: "Cunningham & Cunningham, Inc.", Position: "Founder", ConnectedOn: "2020-05-05"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bySlug[tt.slug]
			if !ok {
				t.Fatalf("no row with slug %q", tt.slug)
			}
			if got != tt.want {
				t.Errorf("row\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCases(t *testing.T) {
	ada := Row{Line: 0, FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace",
		URL: "https://www.linkedin.com/in/ada-lovelace-1815", Slug: "ada-lovelace-1815",
		Company: "Babbage & Co", Position: "Programmer", ConnectedOn: "2026-11-26"}
	at := func(r Row, line int) Row { r.Line = line; return r }
	tests := []struct {
		name         string
		wantCode     protocol.Code
		wantRows     []Row
		wantSkipped  []protocol.Skipped
		wantWarnings []int // lines
		wantTotal    int
	}{
		{name: "bom", wantRows: []Row{at(ada, 2)}, wantTotal: 1},
		{name: "lf-only", wantTotal: 2, wantRows: []Row{at(ada, 5), {Line: 6, FirstName: "Grace", LastName: "Hopper",
			Name: "Grace Hopper", URL: "http://linkedin.com/in/grace-hopper-1906/?trk=x", Slug: "grace-hopper-1906",
			Company: "US Navy", Position: "Rear Admiral", ConnectedOn: "2024-03-05"}}},
		{name: "reordered", wantTotal: 1, wantRows: []Row{func() Row {
			r := at(ada, 5)
			r.URL += "/"
			return r
		}()}},
		{name: "multiline", wantTotal: 3,
			wantRows: []Row{func() Row {
				r := at(ada, 5)
				r.Position = `Programmer, first of her kind "Analyst"`
				return r
			}(), {Line: 9, FirstName: "Grace", LastName: "Hopper", Name: "Grace Hopper",
				URL: "https://www.linkedin.com/in/grace-hopper-1906", Slug: "grace-hopper-1906",
				Company: "US Navy", Position: "Rear Admiral", ConnectedOn: "2024-03-05"}},
			wantSkipped: []protocol.Skipped{{Line: 8, Reason: "no profile URL"}}},
		{name: "bad-date", wantTotal: 2, wantWarnings: []int{5, 6},
			wantRows: []Row{func() Row {
				r := at(ada, 5)
				r.ConnectedOn = ""
				return r
			}(), {Line: 6, FirstName: "Grace", LastName: "Hopper", Name: "Grace Hopper",
				URL: "https://www.linkedin.com/in/grace-hopper-1906", Slug: "grace-hopper-1906",
				Company: "US Navy", Position: "Rear Admiral"}}},
		{name: "duplicates", wantTotal: 2,
			wantRows: []Row{func() Row {
				r := at(ada, 3)
				r.URL = "https://www.linkedin.com/in/Ada-Lovelace-1815/"
				return r
			}()},
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "the same profile as line 3, which was kept"}}},
		{name: "bad-urls", wantTotal: 4,
			wantRows: []Row{{Line: 5, FirstName: "G", LastName: "H", Name: "G H", URL: "https://www.linkedin.com/in/good-one",
				Slug: "good-one", ConnectedOn: "2020-01-01"}},
			wantSkipped: []protocol.Skipped{
				{Line: 2, Reason: "the URL is not a LinkedIn profile"},
				{Line: 3, Reason: "the URL is not a LinkedIn profile"},
				{Line: 4, Reason: `the profile URL has no valid slug: A profile slug has 3 to 100 characters; "x" has 1.`},
			}},
		{name: "random-csv", wantCode: protocol.CodeInvalidField},
		{name: "html", wantCode: protocol.CodeInvalidField},
		{name: "empty", wantCode: protocol.CodeInvalidField},
		{name: "binary", wantCode: protocol.CodeInvalidField},
		{name: "header-too-late", wantCode: protocol.CodeInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.name, "Connections.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := Parse(f)
			if tt.wantCode != "" {
				if got := protocol.ErrorCode(err); got != tt.wantCode {
					t.Fatalf("error %v (code %q), want code %q", err, got, tt.wantCode)
				}
				if tt.wantCode == protocol.CodeInvalidField && protocol.ErrorMessage(err) != notLinkedIn {
					t.Errorf("message %q, want %q", protocol.ErrorMessage(err), notLinkedIn)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(res.Rows, tt.wantRows) {
				t.Errorf("rows\n got %+v\nwant %+v", res.Rows, tt.wantRows)
			}
			if !reflect.DeepEqual(res.Skipped, tt.wantSkipped) {
				t.Errorf("skipped\n got %+v\nwant %+v", res.Skipped, tt.wantSkipped)
			}
			var warnLines []int
			for _, w := range res.Warnings {
				warnLines = append(warnLines, w.Line)
				if !strings.Contains(w.Reason, "imported without a connection date") {
					t.Errorf("warning %q does not say the row was imported without its date", w.Reason)
				}
			}
			if !reflect.DeepEqual(warnLines, tt.wantWarnings) {
				t.Errorf("warnings on lines %v, want %v", warnLines, tt.wantWarnings)
			}
			if res.Total != tt.wantTotal || len(res.Rows)+len(res.Skipped) != res.Total {
				t.Errorf("Total %d (rows %d + skipped %d), want %d", res.Total, len(res.Rows), len(res.Skipped), tt.wantTotal)
			}
		})
	}
}

func TestParseInline(t *testing.T) {
	const hdr = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
	tests := []struct {
		name        string
		in          string
		wantCode    protocol.Code
		wantSlugs   []string
		wantSkipped []protocol.Skipped
	}{
		{name: "header only", in: hdr},
		{name: "stray quote skips one row, later lines stay right",
			in:          hdr + "Ada,Love\"lace,https://www.linkedin.com/in/ada-l,,,,01 Jan 2020\r\nGrace,Hopper,https://www.linkedin.com/in/grace-h,,,,01 Jan 2020\r\n",
			wantSlugs:   []string{"grace-h"},
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "it is not valid CSV: a quote inside a field that is not quoted"}}},
		{name: "unquoted comma shifts the columns",
			in:          hdr + "Ada,Lovelace,https://www.linkedin.com/in/ada-l,,Acme, Inc.,CEO,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "it has 8 fields but the header has 7 (an unquoted comma?)"}}},
		{name: "spreadsheet leftovers ignored",
			in:        hdr + "Ada,Lovelace,https://www.linkedin.com/in/ada-l,,,,01 Jan 2020,,\r\n,,,,,,\r\n\r\n",
			wantSlugs: []string{"ada-l"}},
		{name: "url without scheme and with a country host",
			in:        hdr + "Ada,Lovelace,uk.linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSlugs: []string{"ada-l"}},
		{name: "path trick refused",
			in:          hdr + "Ada,Lovelace,https://www.linkedin.com/in/..%2F..%2Fetc,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: `the profile URL has no valid slug: "../../etc" is not a profile slug: only letters, digits, - and _ may appear.`}}},
		{name: "javascript url refused",
			in:          hdr + "Ada,Lovelace,javascript:alert(1)//linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "the URL is not a LinkedIn profile"}}},
		{name: "look-alike host refused",
			in:          hdr + "Ada,Lovelace,https://evil-linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "the URL is not a LinkedIn profile"}}},
		{name: "no name",
			in:          hdr + ",,https://www.linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "no name"}}},
		{name: "control characters",
			in:          hdr + "Ada\x1b[31m,Lovelace,https://www.linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "it holds control characters"}}},
		{name: "not UTF-8",
			in:          hdr + "Ad\xe9,Lovelace,https://www.linkedin.com/in/ada-l,,,,01 Jan 2020\r\n",
			wantSkipped: []protocol.Skipped{{Line: 2, Reason: "it is not UTF-8 text (save the file as UTF-8)"}}},
		{name: "quoted header", in: "\"First Name\",\"Last Name\",\"URL\",\"Connected On\"\nAda,Lovelace,https://www.linkedin.com/in/ada-l,01 Jan 2020\n",
			wantSlugs: []string{"ada-l"}},
		{name: "header missing Connected On", in: "First Name,Last Name,URL\nAda,Lovelace,https://www.linkedin.com/in/ada-l\n",
			wantCode: protocol.CodeInvalidField},
		{name: "unclosed quote in the preamble", in: "Notes:\n\"never closed\n" + hdr, wantCode: protocol.CodeInvalidField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(tt.in))
			if got := protocol.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if err != nil {
				return
			}
			var slugs []string
			for _, r := range res.Rows {
				slugs = append(slugs, r.Slug)
			}
			if !reflect.DeepEqual(slugs, tt.wantSlugs) {
				t.Errorf("slugs %q, want %q", slugs, tt.wantSlugs)
			}
			if !reflect.DeepEqual(res.Skipped, tt.wantSkipped) {
				t.Errorf("skipped\n got %+v\nwant %+v", res.Skipped, tt.wantSkipped)
			}
		})
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"05 Mar 2024", "2024-03-05"},
		{"5 Mar 2024", "2024-03-05"},
		{"2024-03-05", "2024-03-05"},
		{"5 March 2024", "2024-03-05"},
		{"Mar 5, 2024", "2024-03-05"},
		{"31 Feb 2024", ""},
		{"03/05/2024", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			in := "First Name,Last Name,URL,Connected On\nAda,Lovelace,https://www.linkedin.com/in/ada-l,\"" + tt.in + "\"\n"
			res, err := Parse(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != 1 || res.Rows[0].ConnectedOn != tt.want {
				t.Fatalf("rows %+v, want one with ConnectedOn %q", res.Rows, tt.want)
			}
			if wantWarn := tt.in != "" && tt.want == ""; (len(res.Warnings) == 1) != wantWarn {
				t.Errorf("warnings %+v, want a warning: %v", res.Warnings, wantWarn)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("too many rows", func(t *testing.T) {
		_, err := Parse(generate(MaxRows + 1))
		if protocol.ErrorCode(err) != protocol.CodeTooLarge {
			t.Fatalf("error %v, want too_large", err)
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		res, err := Parse(generate(MaxRows))
		if err != nil || len(res.Rows) != MaxRows {
			t.Fatalf("err %v, want %d rows", err, MaxRows)
		}
	})
	t.Run("too many bytes", func(t *testing.T) {
		huge := io.MultiReader(strings.NewReader("First Name,Last Name,URL,Connected On\n"),
			&repeat{b: bytes.Repeat([]byte("\n"), 4096), n: MaxBytes + 1})
		_, err := Parse(huge)
		if protocol.ErrorCode(err) != protocol.CodeTooLarge {
			t.Fatalf("error %v, want too_large", err)
		}
	})
}

// repeat yields b over and over, n bytes in all.
type repeat struct {
	b []byte
	n int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.n > 0 {
		c := copy(p[n:min(len(p), n+r.n)], r.b)
		n += c
		r.n -= c
	}
	return n, nil
}

// generate writes an export with n rows like LinkedIn's, the preamble
// included.
func generate(n int) io.Reader {
	var b bytes.Buffer
	b.WriteString("Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\r\n\r\n")
	b.WriteString("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Person%d,Sürname-%d,https://www.linkedin.com/in/person-%d-4b1a2c3,,\"Company %d, Inc.\",Engineer,%02d Mar 2024\r\n",
			i, i, i, i%97, i%28+1)
	}
	return bytes.NewReader(b.Bytes())
}

// BenchmarkParse30000 parses an export of 30,000 connections, LinkedIn's
// cap on a network.
func BenchmarkParse30000(b *testing.B) {
	data, _ := io.ReadAll(generate(30000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(bytes.NewReader(data))
		if err != nil || len(res.Rows) != 30000 {
			b.Fatalf("err %v", err)
		}
	}
}
