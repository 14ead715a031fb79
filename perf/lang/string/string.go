// perf/lang string: build a ~10 MB string from 400,000 lines
// "item <i> sq <i*i>\n" (each built like an interpolation: strconv.Itoa and
// +), concatenated as a balanced tree: build(lo, hi) = build(lo, mid) + build(mid, hi).
// Same work as main.snow and string_bench.erl; prints "string <lines> <bytes>".
package main

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

func line(i int) string {
	return "item " + strconv.Itoa(i) + " sq " + strconv.Itoa(i*i) + "\n"
}

func build(lo, hi int) string {
	if hi-lo == 1 {
		return line(lo)
	}
	mid := (lo + hi) / 2
	return build(lo, mid) + build(mid, hi)
}

func main() {
	n := 400000
	s := build(0, n)
	fmt.Printf("string %d %d\n", n, utf8.RuneCountInString(s))
}
