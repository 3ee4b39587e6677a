// Command rolecall answers who can assume which IAM role, and what they become inside an EKS
// cluster.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/rolecall/rolecall/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
