// perf/actors spawn in Go: the same program as main.snow. A process is a
// goroutine and its mailbox a buffered channel. 1,000,000 goroutines each
// wait for one message and pass it to a collector, which prints
// "spawn 1000000 499999500000" once all have reported; main keeps the
// mailboxes in a slice and waits for the collector (a Go program ends when
// main returns).
package main

import "fmt"

const n = 1000000

func main() {
	coll := make(chan int64, 1024)
	done := make(chan struct{})
	go func() {
		var count, sum int64
		for left := n; left > 0; left-- {
			v := <-coll
			count++
			sum += v
		}
		fmt.Printf("spawn %d %d\n", count, sum)
		close(done)
	}()
	boxes := make([]chan int64, 0, n)
	for i := 0; i < n; i++ {
		box := make(chan int64, 1)
		boxes = append(boxes, box)
		go func() { coll <- <-box }()
	}
	var sent int64
	for _, box := range boxes {
		box <- sent
		sent++
	}
	if sent != n {
		panic("sent")
	}
	<-done
}
