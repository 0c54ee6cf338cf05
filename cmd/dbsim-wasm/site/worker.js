// The simulator's thread. The page (app.js) does not start it from this
// file's address: it fetches wasm_exec.js (the Go runtime's glue), this
// file and dbsim.wasm once, and starts each worker from a Blob of the
// first two, then posts it the compiled module, {module}. So Stop, which
// terminates the worker and starts another, fetches nothing: the page
// keeps working with the network off.
//
// Once loaded, it warms the simulator up (op "warm") and says it is ready.
// Then it answers the page's requests, {id, req}, with {id, resp}; a run
// also posts {id, progress: [done, total]} (simulated seconds).
let ready = null;

onmessage = async (ev) => {
  if (ev.data.module) {
    const started = performance.now();
    ready = (async () => {
      const go = new Go(); // from wasm_exec.js, ahead of this file in the Blob
      const instance = await WebAssembly.instantiate(ev.data.module, go.importObject);
      go.run(instance); // defines self.dbsim, then waits for calls
      // Short runs through the simulator's hot paths, so that the browser
      // has optimised them before the first real run (api.go's warmups).
      await self.dbsim(JSON.stringify({ op: "warm" }));
      postMessage({ ready: true, loadMs: performance.now() - started });
    })().catch((e) => postMessage({ failed: String(e) }));
    return;
  }
  const { id, req } = ev.data;
  await ready;
  const t0 = performance.now();
  const text = await self.dbsim(JSON.stringify(req), (done, total) =>
    postMessage({ id, progress: [done, total] }));
  postMessage({ id, resp: JSON.parse(text), ms: performance.now() - t0 });
};
