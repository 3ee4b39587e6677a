// Command rolecall answers who can assume which IAM role, and what they become inside an EKS
// cluster.
package main

import (
	"context"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/rolecall/rolecall/internal/cli"
)

func main() {
	deferFirstGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// firstGC is the heap size of the first collection.
const firstGC = 64 << 20

// deferFirstGC holds the first garbage collection until the heap reaches firstGC. A run on
// one file (the pre-commit case) allocates about 30 MiB, mostly parsing and compiling rules,
// and collecting while the heap was still a few MiB cost a quarter of its CPU time. Later
// collections follow the default GOGC, so large scans peak as before. GOGC or GOMEMLIMIT set
// in the environment are left alone.
func deferFirstGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(firstGC)
	// The cleanup runs once the first collection finds the object unreachable.
	runtime.AddCleanup(new([64]byte), func(int) {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
	}, 0)
}
