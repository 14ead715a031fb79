// hello.go: the Go net/http server perf/http/run.sh compares with:
// "Hello, World!" in plain text for every request, and on /json the
// struct {Message: "Hello, World!"} encoded with encoding/json per request
// (the TechEmpower "JSON serialization" form). Usage: hello PORT.
package main

import (
	"encoding/json"
	"net/http"
	"os"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	body := []byte("Hello, World!")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	http.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		out, err := json.Marshal(message{Message: "Hello, World!"})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	})
	http.ListenAndServe("127.0.0.1:"+os.Args[1], nil)
}
