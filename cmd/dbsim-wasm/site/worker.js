// The simulator's thread: loads dbsim.wasm (built from cmd/dbsim-wasm) and
// answers the page's requests, {id, req}, with {id, resp}; a run also
// posts {id, progress: [done, total]} (simulated seconds).
importScripts("wasm_exec.js");

const started = performance.now();
const ready = (async () => {
  const go = new Go();
  const bytes = await (await fetch("dbsim.wasm")).arrayBuffer();
  const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
  go.run(instance); // defines self.dbsim, then waits for calls
  postMessage({ ready: true, loadMs: performance.now() - started });
})().catch((e) => postMessage({ failed: String(e) }));

onmessage = async (ev) => {
  const { id, req } = ev.data;
  await ready;
  const t0 = performance.now();
  const text = await self.dbsim(JSON.stringify(req), (done, total) =>
    postMessage({ id, progress: [done, total] }));
  postMessage({ id, resp: JSON.parse(text), ms: performance.now() - t0 });
};
