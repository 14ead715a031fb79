// bench_sched.go: the scheduler benchmarks of bench_sched.c in Go, for
// comparison (perf/sched/run.sh runs it with GOMAXPROCS=2). A process is a
// goroutine and its mailbox a buffered channel.
//   spawn     1,000,000 goroutines each wait for one message; send to all,
//             wait until all have finished
//   ring      10,000 goroutines pass a token 1,000,000 hops
//   pingpong  1,000,000 round trips between two goroutines
// Output matches bench_sched.c: name, ops, wall ms, ns/op, CPU ms, peak RSS.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type msg struct {
	from  chan msg
	value int64
}

func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func peakRssMiB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func report(name string, ops int, t0, t1 time.Time, c0, c1 float64, extra string) {
	ns := t1.Sub(t0).Nanoseconds()
	fmt.Printf("%-10s %8d ops %9.1f ms %8.1f ns/op  cpu %9.1f ms  peak RSS %7.1f MiB%s  go %s\n",
		name, ops, float64(ns)/1e6, float64(ns)/float64(ops), c1-c0, peakRssMiB(), extra,
		runtime.Version())
}

func spawnBench() {
	const n = 1000000
	var left int64 = n
	done := make(chan msg, 1)
	boxes := make([]chan msg, n)
	c0, t0 := cpuMs(), time.Now()
	for i := range boxes {
		box := make(chan msg, 1)
		boxes[i] = box
		go func() {
			<-box
			if atomic.AddInt64(&left, -1) == 0 {
				done <- msg{}
			}
		}()
	}
	tm := time.Now()
	for i, box := range boxes {
		box <- msg{value: int64(i)}
	}
	<-done
	t1, c1 := time.Now(), cpuMs()
	report("spawn", n, t0, t1, c0, c1, fmt.Sprintf("  (spawn %.1f ms, send+exit %.1f ms)",
		float64(tm.Sub(t0).Nanoseconds())/1e6, float64(t1.Sub(tm).Nanoseconds())/1e6))
}

func ringBench() {
	const n, hops = 10000, 1000000
	done := make(chan msg, 1)
	boxes := make([]chan msg, n)
	for i := range boxes {
		boxes[i] = make(chan msg, 1)
	}
	for i := range boxes {
		box, next := boxes[i], boxes[(i+1)%n]
		go func() {
			for m := range box {
				if m.value == 0 {
					done <- m
					continue
				}
				next <- msg{value: m.value - 1}
			}
		}()
	}
	c0, t0 := cpuMs(), time.Now()
	boxes[0] <- msg{value: hops}
	<-done
	t1, c1 := time.Now(), cpuMs()
	report("ring", hops, t0, t1, c0, c1, "")
}

func pingpongBench() {
	const n = 1000000
	pong := make(chan msg, 1)
	mine := make(chan msg, 1)
	go func() {
		for m := range pong {
			m.from <- msg{value: m.value + 1}
		}
	}()
	c0, t0 := cpuMs(), time.Now()
	var v int64
	for i := 0; i < n; i++ {
		pong <- msg{from: mine, value: v}
		v = (<-mine).value
	}
	t1, c1 := time.Now(), cpuMs()
	close(pong)
	if v != n {
		panic("lost a message")
	}
	report("pingpong", n, t0, t1, c0, c1, "")
}

func main() {
	switch os.Args[1] {
	case "spawn":
		spawnBench()
	case "ring":
		ringBench()
	case "pingpong":
		pingpongBench()
	}
}
