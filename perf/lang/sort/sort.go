// perf/lang sort: sort 1,000,000 pseudo-random integers ascending
// (Park-Miller LCG x' = x * 48271 % 2147483647, seed 42). The numbers are
// appended one by one to a growing slice; sort.Ints is Go's idiomatic sort.
// Same work as main.snow and sort_bench.erl; prints "sort <n> <min> <median> <max>".
package main

import (
	"fmt"
	"sort"
)

func main() {
	n := 1000000
	var xs []int
	x := 42
	for i := 0; i < n; i++ {
		x = (x * 48271) % 2147483647
		xs = append(xs, x)
	}
	sort.Ints(xs)
	fmt.Printf("sort %d %d %d %d\n", len(xs), xs[0], xs[n/2], xs[n-1])
}
