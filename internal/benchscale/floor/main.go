// Command floor runs the parse floor (benchscale.ParseFloor) on a folder, so that scripts can
// compare its peak memory and time with those of `rolecall scan` on the same folder:
//
//	go run ./internal/benchscale/floor DIR
package main

import (
	"fmt"
	"os"

	"github.com/rolecall/rolecall/internal/benchscale"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor DIR")
		os.Exit(2)
	}
	fl, err := benchscale.ParseFloor(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d documents, %d bytes\n", fl.Files, len(fl.Documents), fl.Bytes)
}
