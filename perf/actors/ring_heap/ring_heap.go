// perf/actors ring_heap in Go: the same program as main.snow, the ring of
// ../ring with the token as a pointer to a freshly allocated struct (so the
// garbage collector sees one small object per hop, as the Snow and Erlang
// programs copy one boxed message per hop).
package main

import "fmt"

const (
	nodes = 10000
	hops  = 1000000
)

type token struct{ h int }

func node(box, next chan *token, index int, done chan struct{}) {
	for t := range box {
		if t.h == 0 {
			fmt.Printf("ring %d hops end at node %d\n", hops, index)
			close(done)
			continue
		}
		next <- &token{t.h - 1}
	}
}

func first(done chan struct{}) {
	box := make(chan *token, 1)
	next := box
	for index := nodes - 1; index > 0; index-- {
		b := make(chan *token, 1)
		go node(b, next, index, done)
		next = b
	}
	next <- &token{hops - 1}
	node(box, next, 0, done)
}

func main() {
	done := make(chan struct{})
	go first(done)
	<-done
}
