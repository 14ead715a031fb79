// perf/lang empty: start-up and exit cost only. Prints "empty".
package main

import "fmt"

func main() {
	fmt.Println("empty")
}
