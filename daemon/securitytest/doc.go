// Package securitytest is evidence for tactful's promise about hostile
// input: every byte from a web page or a socket is treated as hostile; each
// bad input gets its own clear refusal (an HTTP status before the upgrade,
// an error code, or a close code); the daemon keeps serving everyone else;
// nothing stored is lost. It has no code of its own, only tests, and they
// run against the real daemon (daemon.Start on 127.0.0.1:0, its home in a
// temporary directory), over real loopback sockets.
//
// The per-feature tests of daemon/server check each defence in isolation
// with tuned knobs (a short hello deadline, a one-message rate limit). This
// package checks them end to end with the daemon's real limits, all against
// one daemon, while someone is using it.
//
// # TestHostileInput
//
// Before the suite starts, a well-behaved client (daemon/client, paired, no
// Origin, as the command line connects) opens a session and keeps adding a
// note and reading the contact back with contact_get, a round every 20 ms,
// for the whole suite. Then one table of attacks runs, each asserting its
// specific refusal:
//
//   - Web origins never reach the upgrade: https://www.linkedin.com,
//     http://localhost:8080, a page on the daemon's own port, "null",
//     another chrome-extension:// id and tactful's id used as a prefix all
//     get 403; so does a DNS-rebinding Host (evil.example:PORT, and a
//     loopback look-alike) even with tactful's own Origin.
//   - Past the upgrade nothing happens without the pairing code: a
//     moz-extension:// origin without it, and a missing, empty, wrong, or
//     right-length-but-wrong code, are closed with 4002 and a reason saying
//     to run `tactful pair`. A connection that says nothing is closed with
//     4001, never before the daemon's real deadline (protocol.HelloTimeout,
//     5 s). A first message that is a request, or a hello that does not
//     decode, gets its error (unauthorized, invalid_field, missing_field)
//     and the close 4006; one over the 4 KiB hello limit is closed with 1009.
//   - A paired connection that sends garbage gets the error code the
//     protocol documents, with the request's id when it can be read and a
//     sentence of at most 300 bytes, and then still answers ping: malformed
//     JSON, a non-object, two objects in one frame, invalid UTF-8 and a
//     binary frame are bad_json; an unknown type is unknown_type; an unknown
//     field unknown_field; a wrong-typed field or id, and a second hello,
//     invalid_field; a 10,000-contact batch batch_too_large; a 1 MB note
//     note_too_large; slugs with path tricks ("../../etc/passwd",
//     "%2e%2e%2f", "a/b", a NUL, "..", an encoded slash, backslashes) are
//     invalid_slug in contact_get, note_add and tags_set alike. A frame one
//     byte over the 8 MiB read limit is closed with 1009.
//   - Paired connections beyond the cap of 32 are refused with 503 (and a
//     sentence) while a flood holds every slot; the flood's own connections
//     and the well-behaved client are still served, and a slot frees once
//     the flood ends.
//   - A message flood on one connection gets the burst answered in order,
//     then rate_limited replies echoing each id, then close 4008 with a
//     reason saying to slow down. The flood runs while the daemon's clock
//     (daemon.Config.Rules.Now, which the rate limiter reads) stands still,
//     so no token comes back however slowly the loaded machine reads: the
//     flood is beyond the rate by construction, not by winning a race. The
//     well-behaved client's pace keeps it far below its own burst meanwhile.
//
// After every case the well-behaved client completes a whole round
// (note_add acknowledged, contact_get showing the note) that started after
// the attack. Cases that wait out a real deadline run in parallel
// (t.Parallel), which keeps the suite near 10 s.
//
// At the end every paired attacking connection is gone (status counts only
// the well-behaved client), every acknowledged note is on its contact with
// its text, no contact holds a note that was never acknowledged, and the
// store's counts are exactly what the well-behaved client did (its
// contacts, one first_seen event each, its notes, one note_added event
// each): no attack stored or removed anything. After a clean stop the
// database passes store.Verify and, reopened, holds the same counts and
// notes.
//
// # FuzzSession
//
// After a good hello, arbitrary bytes go to the real daemon as one text
// frame. The reply must be the reply type the request calls for, or an
// error with a known code other than internal (exactly the code
// protocol.Decode gives when the bytes do not decode), echoing the id when
// there is one; and ping must still get pong. The seed corpus is every
// golden request and invalid vector in protocol/testdata, so plain `go
// test` runs those; `make fuzz` runs the target longer. The daemon's clock
// advances 10 ms at each reading, so the rate limiter never stands between
// the fuzzer and the checks.
package securitytest
