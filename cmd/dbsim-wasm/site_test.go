//go:build !(js && wasm)

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"dbsim/report/chromium"
	"dbsim/scenarios/lessons"
)

// page is the site open in a headless Chromium. The browser sends every
// request, of the page and of its workers alike, to this test's server as
// its proxy (loopback included): the server serves the site at its own
// address, refuses everything else, and lists every URL asked for in
// urls. With offline set it refuses the site too: the network is off.
type page struct {
	t       *testing.T
	ctx     context.Context
	base    string
	mu      sync.Mutex
	urls    []string
	offline bool
}

func openSite(t *testing.T) *page {
	bin := chromium.Find(t, "the browser test of the workshop site")
	dir := filepath.Join(t.TempDir(), "site")
	start := time.Now()
	require.NoError(t, buildSite(dir))
	t.Logf("site built in %v", time.Since(start).Round(time.Millisecond))
	p := &page{t: t}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := r.URL.String() // a proxy's request names its whole URL
		if r.Method == http.MethodConnect {
			u = "https://" + r.Host + " (CONNECT)"
		} else if !r.URL.IsAbs() {
			u = p.base + r.URL.RequestURI()
		}
		p.mu.Lock()
		p.urls = append(p.urls, u)
		offline := p.offline
		p.mu.Unlock()
		if offline || !strings.HasPrefix(u, p.base+"/") {
			http.Error(w, "not the site, or the network is off", http.StatusForbidden)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.base = srv.URL
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.ProxyServer(srv.URL), chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		// Fewer of the browser's own calls home (see browserOwn).
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,AutofillServerCommunication,"+
			"OptimizationHints,MediaRouter,NetworkTimeServiceQuerying"),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute) // a loaded machine runs the wasm slowly
	t.Cleanup(cancel)
	p.ctx = ctx
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")), "starting chromium")
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			t.Logf("page exception at %s:%d: %s", d.URL, d.LineNumber+1, desc)
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value))
			}
			t.Logf("page console.%s: %s", e.Type, strings.Join(args, " "))
		}
	}))
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	return p
}

// browserOwn are the hosts of Chromium's own services (its updater, its
// clock, Google sign-in): the browser calls them whatever page is open,
// through the same proxy, and the flags above do not stop all of them.
// A page has no business with any of them; any other host is the page's
// or its workers'.
var browserOwn = []string{"accounts.google.com", "update.googleapis.com", "clients2.google.com",
	"content-autofill.googleapis.com", "optimizationguide-pa.googleapis.com"}

// requested is the list of URLs the page and its workers asked for so
// far, in order (the browser's own calls left out).
func (p *page) requested() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, u := range p.urls {
		host := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
		host, _, _ = strings.Cut(host, "/")
		host, _, _ = strings.Cut(host, ":")
		if !slices.Contains(browserOwn, host) {
			out = append(out, u)
		}
	}
	return out
}

// networkOff turns the network off: the server refuses every request, and
// the browser says it is offline.
func (p *page) networkOff() {
	p.t.Helper()
	p.mu.Lock()
	p.offline = true
	p.mu.Unlock()
	_, err := chromedp.Call(p.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}})
	require.NoError(p.t, err)
	_, err = chromedp.Call(p.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	require.NoError(p.t, err)
	require.False(p.t, eval[bool](p, `navigator.onLine`), "the browser is offline")
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, actions...))
}

// text is an element's text.
func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(p.t, err)
	return s
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	require.NoError(p.t, err)
	return v
}

// screenshot saves the whole page as name in $DBSIM_SCREENSHOTS, when it
// is set: to look at the page as a reader sees it.
func (p *page) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("DBSIM_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err)
	require.NoError(p.t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

// waitRuns waits until the page has finished n runs since it was loaded
// (body data-runs), and returns the last run's wall time in ms.
func (p *page) waitRuns(n string) float64 {
	p.t.Helper()
	p.do(chromedp.WaitReady(chromedp.CSS(`body[data-runs="` + n + `"]`)))
	return eval[float64](p, `Number(document.body.dataset.lastRunMs)`)
}

// The site in a real browser: #run=NAME runs a bundled scenario on load;
// a lesson runs, a slider's move re-runs it and the summary, a figure and
// a goal change as the mechanism says; with the network off, a long run
// shows its progress and stops, and every lesson runs, timed; and the
// page, its worker included, fetched nothing but its own files, and
// nothing at all once it had loaded.
func TestSiteInBrowser(t *testing.T) {
	p := openSite(t)

	// #run=NAME runs on load and shows the summary in #summary.
	start := time.Now()
	p.do(chromedp.Navigate(p.base+"/index.html#run=dynamodb-retry-storm"),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)))
	ready := time.Since(start)
	p.waitRuns("1")
	loadMs := eval[float64](p, `loadMs`)
	t.Logf("page load: %v to the catalog (simulator fetched, compiled and started %.0f ms after the script); first run done %v after navigation",
		ready.Round(time.Millisecond), loadMs, time.Since(start).Round(time.Millisecond))
	assert.Contains(t, p.text("#summary"), "dynamodb-retry-storm: dynamodb, seed 1")
	assert.Contains(t, p.text("#summary"), "3,000 ok")
	for _, f := range []string{"index.html", "app.js", "style.css", "worker.js", "wasm_exec.js", "dbsim.wasm"} {
		assert.Contains(t, p.requested(), p.base+"/"+f, "the server sees every file of the site asked for")
	}

	// The check sees a worker's requests: a worker's fetch of another
	// site reaches the server (which refuses it).
	const probe = "http://outside.invalid/probe"
	answered, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`new Promise((done) => {
		const w = new Worker(URL.createObjectURL(new Blob(['fetch("`+probe+`").finally(() => postMessage(1))'])));
		w.onmessage = () => { w.terminate(); done(true) } })`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.True(t, answered)
	require.Contains(t, p.requested(), probe, "a worker's request is seen")

	// A lesson: predict, run, move a slider, see it change.
	p.do(chromedp.Navigate(p.base+"/index.html#lesson=dns-caching"),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.SendKeys(chromedp.CSS("#guess"), "60"),
		chromedp.Click(chromedp.CSS("#run")))
	p.waitRuns("1")
	p.screenshot("lesson-before.png")
	before := p.text("#summary")
	figBefore := eval[string](p, `document.getElementById("figure-availability").innerHTML`)
	assert.Contains(t, p.text("#answer"), "you guessed 60 s")
	assert.Contains(t, p.text("#answer"), "The run: 190 s")
	goals := eval[[]string](p, `[...document.querySelectorAll("#goals li")].map(li => li.className)`)
	assert.Equal(t, []string{"unmet", "unmet"}, goals, "as bundled, a 3-minute DNS cache misses both goals")

	// The client DNS cache from 3 minutes to 5 s, as a learner drags it.
	eval[bool](p, `(() => { const s = document.getElementById("slider-0"); s.value = 5; s.dispatchEvent(new Event("input")); s.dispatchEvent(new Event("change")); return true })()`)
	p.waitRuns("2")
	p.screenshot("lesson-after.png")
	after := p.text("#summary")
	figAfter := eval[string](p, `document.getElementById("figure-availability").innerHTML`)
	yaml := eval[string](p, `document.getElementById("yaml").value`)
	assert.Contains(t, yaml, "dns_cache: 5s")
	assert.NotEqual(t, before, after, "the summary changes with the DNS cache")
	assert.NotEqual(t, figBefore, figAfter, "the availability figure changes with the DNS cache")
	assert.Equal(t, before, p.text("#prev-summary"), "the previous run is beside this one")
	assert.Contains(t, p.text("#changed"), "dns_cache: 3m  →  dns_cache: 5s")
	goals = eval[[]string](p, `[...document.querySelectorAll("#goals li")].map(li => li.className)`)
	assert.Equal(t, []string{"met", "met"}, goals, "a 5 s DNS cache brings the clients back with the engine")
	assert.Contains(t, p.text("#answer"), "The run: 72.1 s")

	// The link encodes the state: opened afresh it restores the YAML.
	link := eval[string](p, `location.hash`)
	assert.Contains(t, link, "lesson=dns-caching")
	assert.Contains(t, link, "yaml=")

	// The network goes off: from here on nothing may be fetched.
	p.networkOff()
	loaded := len(p.requested())

	// A long run (the Multi-AZ failover for 3 hours, 3 times) shows its
	// progress as it goes, and Stop ends it: the page is usable again.
	p.do(chromedp.Evaluate[chromedp.Void](`location.hash = "#scenario=rds-multi-az-failover"`),
		chromedp.WaitNotVisible(chromedp.CSS(`#lesson`)))
	eval[bool](p, `(() => { const y = document.getElementById("yaml"); y.value = y.value.replace("duration: 10m", "duration: 3h"); y.dispatchEvent(new Event("input")); return true })()`)
	p.do(chromedp.Click(chromedp.CSS("#run")))
	first := p.pollFloat(`document.getElementById("progress").value > 0 && document.getElementById("progress").value`)
	later := p.pollFloat(`document.getElementById("progress").value > ` + strconv.FormatFloat(first, 'f', -1, 64) + ` && document.getElementById("progress").value`)
	assert.Equal(t, 3*3*3600.0, eval[float64](p, `document.getElementById("progress").max`), "the bar's end is 3 replications of 3 hours")
	assert.Contains(t, p.text("#status"), "of 9:00:00 simulated")
	t.Logf("progress: %.0f s, then %.0f s simulated of %.0f", first, later, 3*3*3600.0)
	p.screenshot("long-run.png")
	p.do(chromedp.Click(chromedp.CSS("#stop")),
		chromedp.WaitReady(chromedp.CSS(`body[data-stops="1"]`)),
		chromedp.WaitEnabled(chromedp.CSS("#run")),
		chromedp.WaitNotVisible(chromedp.CSS("#progress")))
	assert.Contains(t, p.text("#status"), "stopped at ")
	assert.True(t, eval[bool](p, `document.getElementById("stop").disabled`), "nothing to stop")
	assert.Equal(t, "2", eval[string](p, `document.body.dataset.runs`), "a stopped run is not a run")
	p.do(chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent.includes("restarted")`))
	assert.Regexp(t, `^stopped at \d+:\d\d of 9:00:00 simulated; the simulator restarted in \d+ ms$`, p.text("#status"))
	p.screenshot("stopped.png")

	// With the network off and the simulator restarted, every lesson
	// runs; each run is timed.
	all, err := lessons.All()
	require.NoError(t, err)
	for i, l := range all {
		p.do(chromedp.Evaluate[chromedp.Void](`location.hash = "#lesson=`+l.Name+`"`),
			chromedp.WaitVisible(chromedp.CSS(`#lesson`)),
			chromedp.Click(chromedp.CSS("#run")))
		ms := p.waitRuns(strconv.Itoa(3 + i))
		p.screenshot("lesson-" + l.Name + ".png")
		t.Logf("lesson %-20s (%s): run %.0f ms in headless Chromium (%s)", l.Name, l.Scenario, ms, p.text("#timing"))
		assert.Contains(t, p.text("#summary"), l.Scenario+":")
		assert.Less(t, ms, 30000.0, "a lesson's run should take seconds (target 3 s on an idle machine; this bounds a hang)")
	}

	// The Multi-AZ lesson's fault button: the second failure finds no
	// standby, and the run lasts until the replaced instance serves the
	// clients again.
	p.do(chromedp.Evaluate[chromedp.Void](`location.hash = "#lesson=multi-az-failover"`),
		chromedp.WaitVisible(chromedp.CSS(`#fault-0`)),
		chromedp.Click(chromedp.CSS("#fault-0")))
	p.waitRuns(strconv.Itoa(3 + len(all)))
	p.screenshot("fault-button.png")
	assert.Contains(t, p.text("#fault-0"), "Remove: ")
	assert.Contains(t, eval[string](p, `document.getElementById("yaml").value`), "  - {at: 5m, kind: instance-failure, target: primary}\n")
	narrative := p.text("#narrative")
	assert.Contains(t, narrative, "no standby to fail over to: RDS replaces the instance")
	assert.Equal(t, 2, strings.Count(narrative, "every client instance's writes succeed again"), "the clients are back after both failures, within the run:\n%s", narrative)

	// A mistake in the editor is shown at its line, from the validator.
	eval[bool](p, `(() => { const y = document.getElementById("yaml"); y.value = y.value.replace("kind: rds", "kind: rdss"); y.dispatchEvent(new Event("input")); return true })()`)
	p.do(chromedp.WaitVisible(chromedp.CSS(`#errors li`)), chromedp.WaitReady(chromedp.CSS(`#gutter .bad`)))
	assert.Contains(t, p.text("#errors"), `scenario.yaml:18:9: system.kind: `)
	assert.Equal(t, "18", p.text("#gutter .bad"))

	urls := p.requested()
	assert.Empty(t, urls[loaded:], "with the network off, nothing is asked for: the restarted worker included")
	for _, u := range urls {
		if u != probe {
			assert.True(t, strings.HasPrefix(u, p.base+"/"), "the page or a worker asked for %s: nothing may come from outside the site", u)
		}
	}
}

// pollFloat waits until the expression is truthy and returns its value.
func (p *page) pollFloat(expr string) float64 {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Poll[float64](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
	require.NoError(p.t, err, expr)
	return v
}
