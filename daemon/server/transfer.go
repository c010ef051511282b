package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tactful/tactful/daemon/transfer"
	"github.com/tactful/tactful/protocol"
)

// The transfer endpoints move whole stores over plain HTTP, streamed, for
// local programs such as `tactful export` and `tactful import`: a heavy
// user's export (tens of MiB) fits no single WebSocket message.
//
//	GET  /export?format=json|csv   the export, streamed
//	POST /import?format=json|csv   the body is a tactful JSON export (json)
//	                               or LinkedIn's Connections.csv (csv); the
//	                               reply is {"type":"import_summary",...}
//
// Like /backup they take the pairing code as "Authorization: Bearer CODE"
// and refuse any request with an Origin: a web page may not read or replace
// the store. Errors come back as the protocol's error object, with an HTTP
// status that matches its code.

// serveExport streams the store as a JSON or CSV export.
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	if !s.localProgram(w, r, http.MethodGet, "export") {
		return
	}
	format, err := transfer.CheckFormat(r.URL.Query().Get("format"))
	if err != nil {
		s.transferError(w, err)
		return
	}
	contentType := "application/json"
	if format == transfer.FormatCSV {
		contentType = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", transfer.Filename(format, s.now())))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	start := time.Now()
	cw := &countingWriter{w: w}
	if err := transfer.Export(s.cfg.Store, format, cw); err != nil {
		if cw.n == 0 {
			s.transferError(w, err)
			return
		}
		// The status line is gone; the client sees a short body.
		s.log.Error().Err(err).Int64("bytes", cw.n).Msg("export failed while streaming")
		return
	}
	s.log.Info().Str("format", format).Int64("bytes", cw.n).Dur("took", time.Since(start)).Msg("export served")
}

// serveImport reads an import from the request body as it arrives.
func (s *Server) serveImport(w http.ResponseWriter, r *http.Request) {
	if !s.localProgram(w, r, http.MethodPost, "import") {
		return
	}
	format, err := transfer.CheckFormat(r.URL.Query().Get("format"))
	if err != nil {
		s.transferError(w, err)
		return
	}
	start := time.Now()
	var sum protocol.ImportSummary
	if format == transfer.FormatCSV {
		sum, err = transfer.ImportCSV(s.cfg.Store, r.Body)
	} else {
		sum, err = transfer.ImportJSON(s.cfg.Store, r.Body)
	}
	if err != nil {
		s.transferError(w, err)
		return
	}
	s.log.Info().Str("format", format).Int("added", sum.Added).Int("updated", sum.Updated).Int("skipped", len(sum.Skipped)).
		Int("total", sum.Total).Dur("took", time.Since(start)).Msg("import done")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(protocol.ImportResult{Header: protocol.Header{Type: protocol.TypeImportResult}, Summary: sum})
}

// localProgram admits a request from a local program holding the pairing
// code: the method given, no Origin (browsers always send one), and
// "Authorization: Bearer CODE". It answers the request itself when not.
func (s *Server) localProgram(w http.ResponseWriter, r *http.Request, method, what string) bool {
	if r.Method != method {
		w.Header().Set("Allow", method)
		http.Error(w, "Use "+method+".", http.StatusMethodNotAllowed)
		return false
	}
	if _, ok := r.Header["Origin"]; ok {
		s.refuse(w, r, http.StatusForbidden, "Exports and imports over HTTP are for local programs such as `tactful "+what+"`; a browser may not use them.", what+" from a browser")
		return false
	}
	code, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(code) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tactful"`)
		s.refuse(w, r, http.StatusUnauthorized, "This needs the pairing code: send Authorization: Bearer <code>.", what+" without pairing code")
		return false
	}
	if s.cfg.Pairing == nil || s.cfg.Store == nil {
		s.refuse(w, r, http.StatusServiceUnavailable, "This daemon has no pairing code or no database, so it serves no "+what+".", what+" without keeper or store")
		return false
	}
	if _, ok := s.cfg.Pairing.Check(code); !ok {
		s.pause(r.Context().Done())
		w.Header().Set("WWW-Authenticate", `Bearer realm="tactful", error="invalid_token"`)
		s.refuse(w, r, http.StatusUnauthorized, "Wrong pairing code; run `tactful pair` to see the current one.", what+" with wrong pairing code")
		return false
	}
	return true
}

// transferError answers with the protocol's error object; internal details
// go to the log only.
func (s *Server) transferError(w http.ResponseWriter, err error) {
	code := protocol.ErrorCode(err)
	status := http.StatusBadRequest
	switch code {
	case protocol.CodeTooLarge:
		status = http.StatusRequestEntityTooLarge
	case protocol.CodeConflict:
		status = http.StatusConflict
	case protocol.CodeStorage:
		status = http.StatusServiceUnavailable
	case protocol.CodeInternal:
		status = http.StatusInternalServerError
		s.log.Error().Err(err).Msg("transfer failed")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(protocol.NewError("", err))
}

type countingWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
