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
//     memberships (the schema takes its rights away).
//
// Every management action is authorized through the engine, as the acting
// account, before anything is written, and recorded in the audit log.
package portal

import _ "embed"

// Schema is the built-in portal schema (portal.zed).
//
//go:embed portal.zed
var Schema string
