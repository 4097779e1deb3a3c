package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Guard bounds, for every request of h (the whole server: API, health,
// metrics), how long the client may take to send its body and to take
// each part of the answer. Without it, a client that sends half a body
// and stalls holds its connection forever (net/http's ReadHeaderTimeout
// covers the headers only, and even a handler that never reads the body
// reads it to discard it before answering); enough of them exhaust the
// connections the server can hold, and every other request waits.
//
//   - bodyTimeout: the whole body must arrive within it (an import's
//     body, which may take minutes, must only never pause for longer:
//     see timedBody.perRead). The deadline is lifted once the body is
//     read: net/http's background read of a connection whose body is
//     done would otherwise meet it and cancel the request's context.
//     Requests without a body get no deadline, for the same reason.
//   - writeTimeout: every write of the answer must be taken by the client
//     within it; the adapter extends it at each write, so a stream lives
//     as long as its client reads. Set here too so that a deadline left
//     by an earlier request on the connection never applies to this one.
//
// Zero disables either bound.
func Guard(h http.Handler, bodyTimeout, writeTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if writeTimeout > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		}
		if bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			// Errors (a writer without deadlines, in tests) leave the body
			// unbounded, as it was.
			if rc.SetReadDeadline(time.Now().Add(bodyTimeout)) == nil {
				r.Body = &timedBody{ReadCloser: r.Body, rc: rc, timeout: bodyTimeout}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// timedBody is a request body under a read deadline (see Guard).
type timedBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	// perRead moves the deadline before each read: the body may take any
	// time, but never pause for longer than timeout (imports).
	perRead bool
	done    bool
}

func (b *timedBody) Read(p []byte) (int, error) {
	if b.perRead && !b.done {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF) && !b.done:
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && isTimeout(err):
		// The deadline stays: lifting it would let net/http's discard of
		// the rest of the body wait for the stalled client again.
		return n, &bodyTimeoutError{timeout: b.timeout, perRead: b.perRead, err: err}
	}
	return n, err
}

// bodyPerRead lets a body that may take long (an import) only never pause
// for longer than the body timeout, rather than arrive within it.
func bodyPerRead(r *http.Request) {
	if b, ok := r.Body.(*timedBody); ok {
		b.perRead = true
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// bodyTimeoutError: the client did not send its body in time.
type bodyTimeoutError struct {
	timeout time.Duration
	perRead bool
	err     error
}

func (e *bodyTimeoutError) Error() string {
	if e.perRead {
		return fmt.Sprintf("the request body paused for more than %s", e.timeout)
	}
	return fmt.Sprintf("the request body did not arrive within %s", e.timeout)
}

func (e *bodyTimeoutError) Unwrap() error { return e.err }

// asBodyTimeout turns a body timeout into the client's error, if err is
// one.
func asBodyTimeout(err error) (*Error, bool) {
	var bt *bodyTimeoutError
	if !errors.As(err, &bt) {
		return nil, false
	}
	return &Error{Status: http.StatusRequestTimeout, Code: CodeRequestTimeout,
		Msg: bt.Error() + ": send the body as soon as the headers (the server's --body-timeout bounds it)", Err: err}, true
}
