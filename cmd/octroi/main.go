// Command octroi is a self-hosted authorization server for open-data and
// geodata platforms. Run "octroi help" for its commands.
package main

import (
	"os"

	"github.com/octroi/octroi/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
