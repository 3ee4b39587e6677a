// Command rolecall-gen writes a synthetic AWS account and EKS clusters in the native formats
// rolecall reads, with planted mistakes counted in planted.json: inputs for benchmarks and
// for comparing tools.
//
//	go run ./cmd/rolecall-gen -roles 5000 -out /tmp/env-5k
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/internal/gen"
)

func main() {
	fs := flag.NewFlagSet("rolecall-gen", flag.ContinueOnError)
	var spec gen.Spec
	fs.IntVar(&spec.Roles, "roles", 1000, "IAM roles in the account")
	fs.IntVar(&spec.ServiceAccounts, "sas", 0, "ServiceAccounts over all clusters (default 4 × roles)")
	fs.IntVar(&spec.Users, "users", 0, "IAM users (default max(10, roles/20))")
	fs.IntVar(&spec.Clusters, "clusters", 0, "EKS clusters (default 3)")
	fs.IntVar(&spec.Mistakes, "mistakes", 0, "how many of each planted mistake (default 3)")
	fs.Uint64Var(&spec.Seed, "seed", 1, "random seed: the same seed and sizes write the same files")
	out := fs.String("out", "", "output folder (required; created if missing)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: rolecall-gen -out DIR [-roles N] [-sas N] [-users N] [-clusters N] [-mistakes N] [-seed N]")
		os.Exit(2)
	}
	planted, err := gen.Write(*out, spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rolecall-gen:", err)
		os.Exit(1)
	}
	s := spec.WithDefaults()
	fmt.Fprintf(os.Stderr, "wrote %d roles, %d ServiceAccounts, %d users, %d clusters to %s; planted %v\n",
		s.Roles, s.ServiceAccounts, s.Users, s.Clusters, *out, planted)
}
