// Command groundwork turns Census data and a community's own datasets into
// maps, disparity findings and target lists. Run `groundwork help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/groundwork-org/groundwork/cmd/groundwork/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
