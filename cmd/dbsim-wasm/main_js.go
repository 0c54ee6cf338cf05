//go:build js && wasm

// Command dbsim-wasm, built for the browser (GOOS=js GOARCH=wasm), is
// dbsim's simulator in a web page: it defines one JavaScript function,
//
//	dbsim(requestJSON, onProgress) → Promise<responseJSON>
//
// whose request and response are api.go's Request and Response. The page
// calls it from a Web Worker (site/worker.js), so a run never freezes the
// page; onProgress(doneSeconds, totalSeconds) is called as the simulated
// time advances, at most every 100 ms.
package main

import (
	"encoding/json"
	"runtime/debug"
	"syscall/js"
	"time"
)

func main() {
	// As dbsim run does: a run allocates much short-lived garbage, and the
	// browser's single thread does all of the collector's work, so collect
	// less often for a larger heap.
	debug.SetGCPercent(400)
	js.Global().Set("dbsim", js.FuncOf(func(_ js.Value, args []js.Value) any {
		text := ""
		if len(args) > 0 {
			text = args[0].String()
		}
		onProgress := js.Undefined()
		if len(args) > 1 && args[1].Type() == js.TypeFunction {
			onProgress = args[1]
		}
		executor := js.FuncOf(func(_ js.Value, p []js.Value) any {
			resolve := p[0]
			go func() {
				resolve.Invoke(call(text, onProgress))
			}()
			return nil
		})
		defer executor.Release() // the Promise calls its executor at once
		return js.Global().Get("Promise").New(executor)
	}))
	select {} // serve calls until the worker is terminated
}

// call decodes a request, handles it and encodes the response.
func call(text string, onProgress js.Value) string {
	var req Request
	var resp Response
	if err := json.Unmarshal([]byte(text), &req); err != nil {
		resp = Response{Errors: errorsOf(err)}
	} else {
		var last time.Time
		progress := func(done, total float64) {
			if onProgress.IsUndefined() || time.Since(last) < 100*time.Millisecond {
				return
			}
			last = time.Now()
			onProgress.Invoke(done, total)
		}
		resp = handle(req, progress)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(Response{Op: req.Op, Errors: errorsOf(err)})
	}
	return string(b)
}
