// perf/actors pingpong_heap in Go: the same program as main.snow: the
// pinger sends a pointer to a fresh request {from, v} (its mailbox and the
// value) and the ponger answers v + 1 on the mailbox it was given.
package main

import "fmt"

const n = 1000000

type request struct {
	from chan int
	v    int
}

func ponger(box chan *request) {
	for r := range box {
		r.from <- r.v + 1
	}
}

func pinger(pong chan *request, done chan struct{}) {
	box := make(chan int, 1)
	v := 0
	for i := 0; i < n; i++ {
		pong <- &request{box, v}
		v = <-box
	}
	fmt.Printf("pingpong %d\n", v)
	close(done)
}

func main() {
	done := make(chan struct{})
	pong := make(chan *request, 1)
	go ponger(pong)
	go pinger(pong, done)
	<-done
}
