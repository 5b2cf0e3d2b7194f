package vmengine

/*
#include <stdlib.h>
#include "vmengine.h"
*/
import "C"

import "fmt"

// Code is a vmengine status code (vme_status in the C API). The negative values are errors.
type Code int32

// Status codes, equal to the VME_* constants of vmengine.h.
const (
	CodeOK              Code = 0   // VME_OK
	CodeDone            Code = 1   // VME_DONE: an iteration has no more items (never returned as an error)
	CodeInvalidArgument Code = -1  // VME_ERR_INVALID_ARGUMENT: malformed argument, selector, regex, label
	CodeNotFound        Code = -2  // VME_ERR_NOT_FOUND: a named snapshot, partition or file does not exist
	CodeCorruption      Code = -3  // VME_ERR_CORRUPTION: a file on disk is malformed
	CodeIO              Code = -4  // VME_ERR_IO: the OS refused an operation
	CodeNoMemory        Code = -5  // VME_ERR_NO_MEMORY: allocation failed
	CodeClosed          Code = -6  // VME_ERR_CLOSED: the DB (or the DB of an iterator) is closed
	CodeBusy            Code = -7  // VME_ERR_BUSY: the operation cannot run now; retry later
	CodeBufferTooSmall  Code = -8  // VME_ERR_BUFFER_TOO_SMALL: internal to the binding
	CodeMisuse          Code = -9  // VME_ERR_MISUSE: API misuse (e.g. ingest into a read-only DB)
	CodeInternal        Code = -10 // VME_ERR_INTERNAL: a bug in vmengine
	CodeLocked          Code = -11 // VME_ERR_LOCKED: another process or handle holds flock.lock
	CodeLimit           Code = -12 // VME_ERR_LIMIT: a configured limit was exceeded
)

// String returns the C library's static name for the code (vme_status_string).
func (c Code) String() string {
	return C.GoString(C.vme_status_string(C.vme_status(c)))
}

// Error is the error type of every failing call of this package. Code and Message come from
// the vme_error filled in by the same native call that failed (never from the thread-local
// vme_last_error_message). Errors detected on the Go side (closed DB, invalid Go argument)
// use the same type and codes. Compare with errors.Is against the Err* sentinels:
//
//	if errors.Is(err, vmengine.ErrLocked) { ... }
type Error struct {
	Code    Code   // the status code
	Op      string // the Go method that failed, e.g. "Open"
	Message string // the library's message (names the file, offset, argument or selector position)
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code.String()
	}
	if e.Op == "" {
		return "vmengine: " + msg
	}
	return "vmengine: " + e.Op + ": " + msg
}

// Is reports whether target is an *Error with the same Code; this makes the sentinels (and
// any *Error value) usable with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinel errors, one per status code, for errors.Is. They are never returned themselves;
// returned errors are *Error values carrying the call's message.
var (
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrCorruption      = &Error{Code: CodeCorruption}
	ErrIO              = &Error{Code: CodeIO}
	ErrNoMemory        = &Error{Code: CodeNoMemory}
	ErrClosed          = &Error{Code: CodeClosed}
	ErrBusy            = &Error{Code: CodeBusy}
	ErrMisuse          = &Error{Code: CodeMisuse}
	ErrInternal        = &Error{Code: CodeInternal}
	ErrLocked          = &Error{Code: CodeLocked}
	ErrLimit           = &Error{Code: CodeLimit}
)

// newError builds an *Error from a failed call's status and its vme_error (which may be NULL)
// and frees the vme_error.
func newError(op string, st C.vme_status, cerr *C.vme_error) error {
	e := &Error{Code: Code(st), Op: op}
	if cerr != nil {
		if c := Code(C.vme_error_code(cerr)); c != CodeOK {
			e.Code = c
		}
		e.Message = C.GoString(C.vme_error_message(cerr))
		C.vme_error_free(cerr)
	}
	return e
}

func errClosed(op string) error {
	return &Error{Code: CodeClosed, Op: op, Message: "the database is closed"}
}

func errInvalid(op, format string, args ...any) error {
	return &Error{Code: CodeInvalidArgument, Op: op, Message: fmt.Sprintf(format, args...)}
}
