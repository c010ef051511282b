package protocol

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients branch on codes,
// never on messages.
type Code string

const (
	CodeBadJSON       Code = "bad_json"        // not a JSON object, or not UTF-8
	CodeUnknownType   Code = "unknown_type"    // "type" names no request
	CodeMissingField  Code = "missing_field"   // a required field is absent or empty
	CodeInvalidField  Code = "invalid_field"   // a field has the wrong JSON type or an invalid value
	CodeUnknownField  Code = "unknown_field"   // a field this request does not have
	CodeBatchTooLarge Code = "batch_too_large" // contacts_seen with more than MaxBatch contacts
	CodeNoteTooLarge  Code = "note_too_large"  // a note over MaxNoteChars
	CodeInvalidSlug   Code = "invalid_slug"    // not a LinkedIn profile slug
	CodeNotFound      Code = "not_found"       // no such contact or note
	CodeConflict      Code = "conflict"        // a note id already used for another contact
	CodeUnauthorized  Code = "unauthorized"    // a request before a successful hello
	CodeRateLimited   Code = "rate_limited"    // too many messages too fast
	CodeTooLarge      Code = "too_large"       // an import or other payload over its limit
	CodeStorage       Code = "storage_failed"  // the database could not be written; nothing was changed
	CodeInternal      Code = "internal"        // a bug; details are in the daemon's log, never on the wire
)

// Codes lists every code, for tests and docs.
var Codes = []Code{CodeBadJSON, CodeUnknownType, CodeMissingField, CodeInvalidField, CodeUnknownField,
	CodeBatchTooLarge, CodeNoteTooLarge, CodeInvalidSlug, CodeNotFound, CodeConflict, CodeUnauthorized,
	CodeRateLimited, CodeTooLarge, CodeStorage, CodeInternal}

// Error is an error with a code and a sentence a person can act on. Every
// layer of the daemon returns *Error for what the client did wrong, and the
// server sends it as {"type":"error"}; any other error becomes CodeInternal.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain,
// or CodeInternal for anything else. A nil error has no code.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the human sentence of err that may go on the wire.
// Internal errors get a generic sentence: their details stay in the log.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong inside the tactful daemon; its log says more."
}
