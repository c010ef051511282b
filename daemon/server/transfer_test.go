package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tactful/tactful/daemon/export"
	"github.com/tactful/tactful/daemon/store"
	"github.com/tactful/tactful/protocol"
)

func (e *env) transfer(method, path, code, origin string, body io.Reader) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(testContext(e.t), method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if code != "" {
		req.Header.Set("Authorization", "Bearer "+code)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Only a local program with the pairing code may read or replace the store
// over HTTP: not a web page, not a guess.
func TestTransferEndpointsRefuseStrangers(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BadCodeDelay = -1 })
	for _, tc := range []struct {
		name, method, path, code, origin string
		status                           int
	}{
		{"export without code", http.MethodGet, "/export", "", "", http.StatusUnauthorized},
		{"export with a wrong code", http.MethodGet, "/export", "not-the-code", "", http.StatusUnauthorized},
		{"export from a web page", http.MethodGet, "/export", "CODE", "https://www.linkedin.com", http.StatusForbidden},
		{"export from the extension", http.MethodGet, "/export", "CODE", chromeOrigin, http.StatusForbidden},
		{"import without code", http.MethodPost, "/import", "", "", http.StatusUnauthorized},
		{"import from a web page", http.MethodPost, "/import", "CODE", "https://evil.example", http.StatusForbidden},
		{"import by GET", http.MethodGet, "/import", "CODE", "", http.StatusMethodNotAllowed},
		{"export by POST", http.MethodPost, "/export", "CODE", "", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := strings.ReplaceAll(tc.code, "CODE", e.code)
			resp := e.transfer(tc.method, tc.path, code, tc.origin, strings.NewReader(`{"format":"tactful-export","version":2,"contacts":[{"slug":"evil-x","name":"E"}]}`))
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	if _, err := e.db.Contact("evil-x"); protocol.ErrorCode(err) != protocol.CodeNotFound {
		t.Errorf("a refused import stored its contact: %v", err)
	}
}

func TestExportStreamsAndImportRestoresOverHTTP(t *testing.T) {
	src := newEnv(t)
	if _, err := src.db.See([]store.Sighting{{Slug: "ada-x", Name: "Ada"}, {Slug: "bob-y", Name: "Bob"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.db.AddNote("ada-x", "n1", "first & <last>"); err != nil {
		t.Fatal(err)
	}
	resp := src.transfer(http.MethodGet, "/export?format=json", src.code, "", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %s, %q", resp.Status, resp.Header.Get("Content-Disposition"))
	}
	raw, _ := io.ReadAll(resp.Body)
	a, err := export.ReadJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	if len(a.Contacts) != 2 || len(a.Events) != 3 {
		t.Fatalf("export holds %d contacts and %d events, want 2 and 3", len(a.Contacts), len(a.Events))
	}

	dst := newEnv(t)
	if _, err := dst.db.See([]store.Sighting{{Slug: "grace-h", Name: "Grace"}}); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		resp := dst.transfer(http.MethodPost, "/import?format=json", dst.code, "", strings.NewReader(string(raw)))
		var reply protocol.ImportResult
		if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("import %d: %s %v", round+1, resp.Status, err)
		}
		if want := map[int]int{0: 2, 1: 0}[round]; reply.Summary.Added != want || reply.Summary.Total != 2 {
			t.Errorf("import %d: %+v, want %d added of 2", round+1, reply.Summary, want)
		}
	}
	st, _ := dst.db.Stats()
	if st.Contacts != 3 || st.Events != 4 || st.Notes != 1 {
		t.Errorf("after two imports the store holds %+v, want 3 contacts, 4 events, 1 note", st)
	}

	csvResp := dst.transfer(http.MethodGet, "/export?format=csv", dst.code, "", nil)
	body, _ := io.ReadAll(csvResp.Body)
	if !strings.HasPrefix(string(body), "\ufeffslug,name") || strings.Count(string(body), "\r\n") != 4 {
		t.Errorf("CSV export:\n%s", body)
	}

	bad := dst.transfer(http.MethodPost, "/import?format=json", dst.code, "", strings.NewReader(`{"format":"tactful-export","version":2,"contacts":[{"slug":"eve-z","name":"Eve\u001b[2J"}]}`))
	var reply protocol.ErrorReply
	if err := json.NewDecoder(bad.Body).Decode(&reply); err != nil || bad.StatusCode != http.StatusBadRequest || reply.Code != protocol.CodeInvalidField {
		t.Errorf("a name with an escape sequence: %s %+v %v", bad.Status, reply, err)
	}
	if _, err := dst.db.Contact("eve-z"); protocol.ErrorCode(err) != protocol.CodeNotFound {
		t.Errorf("a refused import stored its contact: %v", err)
	}
}
