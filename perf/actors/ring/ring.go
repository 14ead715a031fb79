// perf/actors ring in Go: the same program as main.snow. A process is a
// goroutine and its mailbox a buffered channel. main starts node 0; node 0
// starts nodes 9999 down to 1, each knowing the node after it (node 9999
// knows node 0), and sends the token (hops left) to node 1. The node that
// receives 0 prints "ring 1000000 hops end at node 0" and tells main.
package main

import "fmt"

const (
	nodes = 10000
	hops  = 1000000
)

func node(box, next chan int, index int, done chan struct{}) {
	for h := range box {
		if h == 0 {
			fmt.Printf("ring %d hops end at node %d\n", hops, index)
			close(done)
			continue
		}
		next <- h - 1
	}
}

func first(done chan struct{}) {
	box := make(chan int, 1)
	next := box
	for index := nodes - 1; index > 0; index-- {
		b := make(chan int, 1)
		go node(b, next, index, done)
		next = b
	}
	next <- hops - 1
	node(box, next, 0, done)
}

func main() {
	done := make(chan struct{})
	go first(done)
	<-done
}
