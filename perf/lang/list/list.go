// perf/lang list: build [0 .. 999999], map (x * 3), filter (even), reduce (sum)
// with generic higher-order helpers and closures, as the Snow program does.
// Same work as main.snow and list_bench.erl; prints "list 1000000 500000 749998500000".
package main

import "fmt"

func mapList[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func filterList[T any](xs []T, pred func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if pred(x) {
			out = append(out, x)
		}
	}
	return out
}

func reduceList[T, U any](xs []T, init U, f func(U, T) U) U {
	acc := init
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

func main() {
	n := 1000000
	var xs []int64
	for i := 0; i < n; i++ {
		xs = append(xs, int64(i))
	}
	tripled := mapList(xs, func(x int64) int64 { return x * 3 })
	evens := filterList(tripled, func(x int64) bool { return x%2 == 0 })
	total := reduceList(evens, int64(0), func(acc, x int64) int64 { return acc + x })
	fmt.Printf("list %d %d %d\n", len(xs), len(evens), total)
}
