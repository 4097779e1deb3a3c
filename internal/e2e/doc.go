// Package e2e holds process-level tests of the real octroi binary: TestMain
// builds cmd/octroi once, and each test runs `octroi serve` processes on
// loopback ports against real databases (an SQLite file in a temporary data
// dir, and PostgreSQL through pgtest), talking to them only through the HTTP
// API as a deployment would.
//
// What the tests prove:
//
//   - Crash safety (TestCrash): under concurrent writers, a server killed with
//     SIGKILL at a random moment loses no acknowledged write, invents none,
//     and leaves every write that was in flight either wholly applied or
//     wholly absent (writes are atomic batches); after a restart the revision
//     is never behind a token the server handed out, and checks agree with
//     the stored relationships. Several kill/restart cycles per backend.
//   - Several nodes on one PostgreSQL (TestThreeNodes): a read on any node
//     with the consistency token of a write made on another sees that write;
//     writes and schema changes propagate between nodes without tokens too,
//     and the propagation delay is measured (reported with t.Logf, and written
//     to the file named by OCTROI_E2E_REPORT when set).
//   - Graceful shutdown (TestGracefulShutdown): SIGTERM under a stream of
//     writes exits cleanly, every acknowledged write is durable, and no write
//     is committed without having been acknowledged.
//
// The package has no non-test code besides this comment.
package e2e
