//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the process has used so far,
// all threads included: SQLite's work, the Go runtime and the collector.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
