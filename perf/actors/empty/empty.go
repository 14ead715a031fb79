// perf/actors empty in Go: start-up and exit (the baseline); one goroutine
// prints "empty".
package main

import "fmt"

func main() {
	done := make(chan struct{})
	go func() {
		fmt.Println("empty")
		close(done)
	}()
	<-done
}
