//go:build pprof

package main

// Profiling builds only (go build -tags pprof): with OCTROI_PPROF_ADDR set
// (such as 127.0.0.1:6060), net/http/pprof is served there, so that the
// CPU profile of `octroi serve` or `octroi bench` under load can be taken
// (BENCHMARKS.md). Release builds carry none of it.

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("OCTROI_PPROF_ADDR"); addr != "" {
		go func() { log.Println(http.ListenAndServe(addr, nil)) }()
	}
}
