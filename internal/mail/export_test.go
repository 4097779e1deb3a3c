package mail

import "github.com/prometheus/client_golang/prometheus"

// SetHook makes s call f at each step of each message ("claimed", "sent",
// "marked"), so that tests can stop a sender where a node could die.
func SetHook(s *Sender, f func(step, id string)) { s.hook = f }

// Metrics returns s's counters: sent, retried, failed.
func (s *Sender) Metrics() []prometheus.Counter {
	return []prometheus.Counter{s.sent, s.retried, s.failed}
}
