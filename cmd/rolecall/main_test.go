package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// gcSettings reads GOGC and the memory limit without changing them.
func gcSettings() (percent, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// TestDeferFirstGC: no collection until the heap reaches firstGC, then the defaults.
func TestDeferFirstGC(t *testing.T) {
	t.Cleanup(func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
	deferFirstGC(func(string) string { return "" })
	if p, l := gcSettings(); p != -1 || l != firstGC {
		t.Fatalf("before the first collection: GOGC %d, limit %d; want off (-1), %d", p, l, firstGC)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p, _ := gcSettings(); p != 100; p, _ = gcSettings() {
		if time.Now().After(deadline) {
			t.Fatal("the defaults were not restored after a collection")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if _, l := gcSettings(); l != math.MaxInt64 {
		t.Errorf("memory limit %d after the first collection, want none", l)
	}
}

func TestDeferFirstGCLeavesEnvironment(t *testing.T) {
	for _, key := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(key, func(t *testing.T) {
			p0, l0 := gcSettings()
			deferFirstGC(func(k string) string {
				if k == key {
					return "200"
				}
				return ""
			})
			if p, l := gcSettings(); p != p0 || l != l0 {
				t.Errorf("with %s set: GOGC %d, limit %d; want %d, %d unchanged", key, p, l, p0, l0)
			}
		})
	}
}
