//go:build !(js && wasm)

// Command dbsim-wasm writes dbsim's workshop site, a static web page that
// runs the simulator in the browser:
//
//	go run ./cmd/dbsim-wasm -o out/playground   (what make playground does)
//
// It builds this same package for the browser (GOOS=js GOARCH=wasm) with
// the go command, so it needs the Go toolchain, and writes into DIR:
// index.html, app.js, worker.js, style.css (site/), dbsim.wasm and the Go
// runtime's JavaScript glue wasm_exec.js (from $(go env GOROOT)/lib/wasm).
// Nothing on the page is fetched from elsewhere: serve DIR with any static
// file server (python3 -m http.server -d DIR 8000), or copy it anywhere.
// The site is written into a temporary directory beside DIR and moved into
// place only when complete.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed site
var site embed.FS

func main() {
	out := flag.String("o", "out/playground", "write the site into `DIR`")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "dbsim-wasm: unexpected argument %q (usage: dbsim-wasm [-o DIR])\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := buildSite(*out); err != nil {
		fmt.Fprintln(os.Stderr, "dbsim-wasm:", err)
		os.Exit(1)
	}
	fmt.Printf("site written to %s/: serve it with\n  python3 -m http.server -d %s 8000\nand open http://localhost:8000/\n", *out, *out)
}

// buildSite writes the site into dir (replacing a site written there
// before): the page's files, the wasm module and wasm_exec.js.
func buildSite(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".playground-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(tmp, "dbsim.wasm"), "dbsim/cmd/dbsim-wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the wasm module: %v\n%s", err, out)
	}
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %v", err)
	}
	glue, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return fmt.Errorf("the Go runtime's wasm_exec.js: %v", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "wasm_exec.js"), glue, 0o644); err != nil {
		return err
	}
	files, err := fs.Sub(site, "site")
	if err != nil {
		return err
	}
	if err := os.CopyFS(tmp, files); err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, "dbsim.wasm")); err != nil {
			return fmt.Errorf("%s exists and is not a site written before (no dbsim.wasm): not replacing it", dir)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}
