// hello.go: the Go net/http server perf/http/run.sh compares with:
// "Hello, World!" in plain text for every request. Usage: hello PORT.
package main

import (
	"net/http"
	"os"
)

func main() {
	body := []byte("Hello, World!")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	http.ListenAndServe("127.0.0.1:"+os.Args[1], nil)
}
