// Package portal is the data platform's domain: accounts and platform roles,
// communities, organisations and their members, join requests, groups of
// organisations, datasets with their default and per-group access levels,
// the audit log. It sits on the engine (which answers every permission
// question, including whether the acting person may perform an action) and
// on the store (whose documents hold the domain's records, written in the
// same transaction as the relationships they imply).
//
// The rules are the built-in schema portal.zed, embedded here, plus the
// invariants a schema cannot state, which this package keeps:
//
//   - a per-group level is never below the dataset's default level;
//   - an organisation always keeps at least one delegated administrator;
//   - a community's supervisor is never removed;
//   - removing a member keeps the account; disabling an account keeps its
//     memberships (the schema takes its rights away);
//   - only a platform administrator acts on a platform administrator
//     (status, platform roles, tokens): manage_accounts does not reach them;
//   - a page's "view" is given to everyone added to it and never removed
//     alone: removing someone from a page removes view and edit;
//   - a map never loses its last owner (a share lowered or removed, a
//     community deleted: refused, saying why);
//   - someone editing a page or a map adds only datasets they may consult
//     (and services they may use); whoever may view a map sees every
//     resource in it, and a page's visualisations load only for whoever
//     may consult their datasets.
//   - a map or a page never keeps a reference to a dataset, a service or
//     a layer that is gone (the deletion removes it, audited, in its own
//     transaction), nor names to its reader a dataset or a service they
//     may not find; a pending access request never waits on a deleted
//     dataset, service or community (content_integrity.go, integrity.go).
//
// Every management action is authorized through the engine, as the acting
// account, before anything is written, and recorded in the audit log.
//
// # Service contract
//
// Service methods take the acting account's id. Each one checks the
// actor's right with the engine first, then writes its records, its
// relationships and its audit entries (actor, action, resource, before and
// after as JSON with levels by name, and the request id the context
// carries: see package reqid) in one store transaction, one revision, and then waits
// (Config.Sync) until the engine has applied that revision, so the caller's
// next request sees the change. Invariants are checked again inside the
// transaction, which the store serialises with every other write: two
// concurrent requests cannot both remove an organisation's last delegated
// administrator. A change that would write nothing (setting what already
// is) commits no revision.
//
// Errors wrap exactly one of ErrUnauthenticated (no actor, an unknown
// account, a bad token), ErrForbidden (the actor lacks the right),
// ErrNotFound, ErrInvalid (the message names the field) and ErrConflict
// (the message names the invariant or the taken key), or are internal
// failures. An object the actor may not even see is ErrNotFound rather than
// ErrForbidden: a dataset without search, a community without view; so a
// private dataset is never revealed, and a disabled account (which may see
// nothing) meets ErrNotFound on those. Refused actions write nothing.
// Refusals are *Error values whose Msg is a message of the catalogue
// (package messages): the portal names what to say, with its arguments, and
// never builds a sentence; faces render it in the reader's language.
// Explanations carry their words the same way (Explanation.Text,
// Reason.Text).
//
// Who may: any active account reads organisations and groups of
// organisations, creates communities, asks to join an organisation,
// answers its own invitations to communities (nobody becomes a member of a
// community without accepting) and manages its own tokens and notices; the catalogue (Dataset,
// SearchableDatasets, FilterDatasets) needs no account: an empty actor is
// an anonymous visitor, checked as user:anonymous, and a disabled account
// finds nothing. Everything else needs the permission the schema names
// (manage_accounts, administer, manage_members, publish, edit,
// manage_access, community manage/delete/view).
//
// Records are store documents of kinds account (alternate key: the
// lower-cased e-mail), token (alternate key: hex SHA-256 of the secret;
// the secret, "oct_" and 32 random bytes in base64url, is never stored),
// organisation, community, org_group, dataset (by product id, listed by
// owner), join_request (listed by organisation; alternate key while
// pending, so one account has one pending request per organisation),
// join_request_by_account (lists one's own), community_invitation (by
// "community/account", listed by account), notice (listed by
// recipient, in creation order), service (a dataset's map or download
// service, listed by dataset), grant (listed by grantor; it keeps its
// beneficiaries and expiry, so an expired grant stays listed),
// access_request (listed by organisation; alternate key while pending, one
// per product and beneficiary) with access_request_by_account, page (by
// slug, listed by owner), map, password (by account: a hash package
// signin makes), account_link (alternate key: the hash of a single-use
// link's secret; listed by account) and session (a credential like token,
// its secret prefixed "ocs_"; listed by account: see passwords.go and
// sessions.go), registration (a self-registration pending its e-mail's
// verification, alternate key the e-mail: registrations.go),
// sso_membership (the origin of a community membership a provider's
// groups gave, alternate key "community account", listed by account:
// ssogroups.go) and identity (alternate key issuer and subject: identities.go). Services and grants are kept in memory with indexes (by
// path, dataset, service, beneficiary and grantor: memindex.go), so that
// the gateway finds the services at a path without the database
// (ServicesAt). They hold names and metadata only: roles, memberships,
// levels, platform roles, disabled accounts, page members and map
// privileges are
// relationships, and what the service returns about them is read from
// there. Generated ids sort in creation order. A document is written from
// its record type (records.go), never from a domain value, with its format
// version in "v"; documents without one read as version 1, and a version
// this octroi does not know is refused as written by a newer octroi.
// Audit entries hold the same records, without "v".
//
// Access tables list every organisation and group of organisations, and
// only the communities the actor may view or that already hold a level on
// the dataset; a community outside both does not exist for the actor, who
// may not give it a level either. A row's effective level is the engine's
// answer for a member of the group.
//
// # Reads at platform scale
//
// A national platform has hundreds of thousands of accounts, thousands of
// organisations and communities and a hundred thousand datasets; a list
// page, a search or an access table must answer in milliseconds. Reads
// therefore never go to the database for what they show by the thousand:
//
//   - relationships (levels, roles, memberships, statuses) come from the
//     engine's index (indexRels), which holds them all in memory and
//     follows the changelog on every node;
//   - the records of accounts, organisations, communities, groups of
//     organisations and datasets are kept in memory too (records), with
//     the folded names access tables filter and sort by and a word index
//     for account search; they follow the store the same way, reading the
//     records written since the revision they hold (store.DocFollower:
//     one indexed query, none when nothing changed), deletions included
//     (recorded as documents of kind deleted_record).
//
// In-memory indexes rather than typed tables with SQL queries (Miniflux's
// way), because the design promises that reads never wait for the database
// on any node, and because what the tables show is mostly what the engine
// answers (effective levels, who may view a community), which SQL cannot
// compute. The memory is affordable: at the scale above the server holds
// the index (1.25M relationships), the records and the search index in
// about 510 MB resident with GOMEMLIMIT=500MiB (BENCHMARKS.md). Changes still read
// inside their transaction, from the database, so that invariants hold at
// commit. Other reads of records (tokens, requests, invitations, notices)
// still query the database: they are read a few at a time.
//
// Access keys (keys.go) are credentials of kind access_key (see package
// credentials): Alt the hash of what the client presents, Parent the
// owner, Data the key's type, status, filters and accesses; each access is
// an access object of the schema (owner, grant, service), written in the
// key's transaction, and the gateway asks access#open for the owner, so a
// key never opens more than its owner may use at that moment. A change of
// services or grants that deletes access objects removes them from the key
// records in its own transaction.
//
// Imports go through Batch: a platform administrator's changes, each
// checked by the same rules, committed together.
//
// Levels: a dataset's default level is user:* on each level relation up to
// it; a group's specific level is the group's members (organisation:X#member,
// community:X#member, org_group:X#member) on each level relation up to it.
// A specific level is never below the default (nor private: remove it
// instead); raising the default removes the specific levels left strictly
// below it and reports them. Bulk actions are atomic; merge never lowers a
// level, replace sets it; a dry run computes the changes in the same
// transaction as the real run would and then abandons it.
package portal

import _ "embed"

// Schema is the built-in portal schema (portal.zed).
//
//go:embed portal.zed
var Schema string
