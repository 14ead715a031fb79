// perf/lang map: insert 1,000,000 integer keys into a map, look them all up,
// sum the values. Key i is (i * 7919) % 1000003, value i. Go's map is
// mutable and starts empty (no size hint), the Snow and Erlang maps are
// persistent.
// Same work as main.snow and map_bench.erl; prints "map 1000000 499999500000".
package main

import "fmt"

func key(i int64) int64 { return (i * 7919) % 1000003 }

func main() {
	n := int64(1000000)
	m := map[int64]int64{}
	for i := int64(0); i < n; i++ {
		m[key(i)] = i
	}
	var sum int64
	for i := int64(0); i < n; i++ {
		sum += m[key(i)]
	}
	fmt.Printf("map %d %d\n", len(m), sum)
}
