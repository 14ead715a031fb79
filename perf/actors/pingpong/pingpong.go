// perf/actors pingpong in Go: the same program as main.snow. A process is a
// goroutine and its mailbox a buffered channel. main starts the pinger; the
// pinger starts the ponger with its own mailbox, sends v and waits for
// v + 1, 1,000,000 times, prints "pingpong 1000000" and tells main.
package main

import "fmt"

const n = 1000000

func ponger(box, ping chan int) {
	for v := range box {
		ping <- v + 1
	}
}

func start(done chan struct{}) {
	box := make(chan int, 1)
	pong := make(chan int, 1)
	go ponger(pong, box)
	v := 0
	for i := 0; i < n; i++ {
		pong <- v
		v = <-box
	}
	fmt.Printf("pingpong %d\n", v)
	close(done)
}

func main() {
	done := make(chan struct{})
	go start(done)
	<-done
}
