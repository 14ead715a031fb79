// perf/lang fib: naive doubly recursive Fibonacci, fib(32).
// Same work as main.snow and fib_bench.erl; prints "fib 32 2178309".
package main

import "fmt"

func fib(n int64) int64 {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	n := int64(32)
	fmt.Printf("fib %d %d\n", n, fib(n))
}
