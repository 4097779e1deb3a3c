// Package ui is octroi's web interface: server-rendered HTML pages for the
// people of a data platform (visitors, consumers, producers,
// administrators), in French and English, served by octroi serve on the
// API's port. It is a face: it goes through the portal's services, with
// the acting account's id, exactly as the API does, and never around them;
// every right it shows or uses is the engine's answer.
//
// # Contract
//
//   - Every screen works without JavaScript. The little script there is
//     (static/octroi.js) only makes pages nicer; the Content-Security-Policy
//     allows scripts, styles and images from octroi itself and nothing
//     inline.
//   - Pages are html/template files embedded in the binary, one per screen
//     (templates/*.html), each drawn inside templates/layout.html; assets
//     are in static/. No build step.
//   - Every word comes from the message catalogue (package messages), in
//     the reader's language: the language chosen with the switch on every
//     page (a cookie), else the browser's Accept-Language. Templates name
//     their text with the t function and a catalogue key; a test checks that
//     every key they use exists.
//   - Numbers and dates are shown in the reader's language, never
//     formatted by a template itself: num ("1 234,5" / "1,234.5"), date
//     ("7 déc. 2026" / "Dec 7, 2026"), datetime ("7 déc. 2026 14:05" /
//     "Dec 7, 2026, 2:05 PM"), in the platform's time zone
//     (Config.Location); t writes the numbers and times it is given the
//     same way (locale.go).
//   - A form refused for what it holds is shown again with the message
//     beside the field it is about and what was typed (formerror.go);
//     other refusals are error pages.
//   - Errors are rendered by the same mapping as the API's problem
//     documents (problem.From): the same status, code and safe message,
//     as a page in the layout.
//   - Unsafe methods (forms) are protected against cross-site requests by
//     net/http's CrossOriginProtection; redirections only ever go to a path
//     of this site.
//
// Who the reader is comes from Config.Actor: an empty id is an anonymous
// visitor, who sees what the portal shows anyone.
package ui
