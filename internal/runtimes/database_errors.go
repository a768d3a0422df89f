package runtimes

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dbError turns a driver error into an R610 *Error: what says what failed
// ("insert into \"orders\""); the message never shows the password.
func dbError(err error, what string, cs connSpec) error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg, hints := driverMessage(err)
	e := &Error{
		Code:      "R610",
		Message:   what + ": " + redact(msg, cs.secrets),
		Retryable: dbRetryable(err),
		Cause:     err,
	}
	for _, h := range hints {
		e.Hints = append(e.Hints, redact(h, cs.secrets))
	}
	return e
}

// driverMessage is the one-line text of a driver error, with details as
// hints.
func driverMessage(err error) (string, []string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		var hints []string
		if pe.Detail != "" {
			hints = append(hints, pe.Detail)
		}
		if pe.Hint != "" {
			hints = append(hints, pe.Hint)
		}
		return pe.Message + " (SQLSTATE " + pe.Code + ")", hints
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return "cannot connect: " + flatten(ce.Unwrap().Error()), nil
	}
	return flatten(err.Error()), nil
}

// dbRetryable reports whether a database error is worth another attempt:
// connection failures, a locked or busy database, serialization failures
// and deadlocks; never constraint violations, syntax or type errors.
func dbRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "40001", pe.Code == "40P01", // serialization failure, deadlock
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // shutdown, cannot connect now
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}
