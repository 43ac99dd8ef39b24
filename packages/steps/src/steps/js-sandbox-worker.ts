/**
 * Source of the worker thread that runs `js` steps. It is plain CommonJS evaluated with
 * `new Worker(source, { eval: true })` so that it runs the same from TypeScript sources (tests)
 * and from the build, with no worker file to locate. It loads the QuickJS wasm module once and
 * then runs one job per message, each in a fresh QuickJS runtime (~0.4 ms), with an interrupt
 * handler that watches the deadline and a shared abort flag, so a busy script never blocks the
 * agent's event loop and a cancel reaches it while it runs.
 *
 * Memory: QuickJS's own `setMemoryLimit` does not bound bytes in the prebuilt wasm (it counts
 * 8 bytes per allocation because emscripten has no `malloc_usable_size`; quickjs-emscripten
 * issues #255/#271), so a loop of large strings or ArrayBuffers would grow to 2 GiB. The real
 * limit is the wasm memory itself: each worker gets a `WebAssembly.Memory` whose maximum is
 * `memoryLimitMb` plus the engine's fixed 16 MiB, and the pool keeps one worker per limit.
 *
 * workerData: `{ quickjsPath, memoryLimitMb }`.
 * Messages in: `{ id, source, inputJson, timeoutMs, abort: SharedArrayBuffer }`.
 * Messages out: `{ type: 'ready' }`, `{ type: 'fatal', message }`,
 * `{ type: 'log', id, stream, text }` and
 * `{ type: 'done', id, ok: true, json }` | `{ type: 'done', id, ok: false, kind, message }`
 * with kind `timeout | aborted | memory | error | crash`. After a `memory` or `crash` result the
 * worker exits, so its grown wasm memory is given back.
 */
export const SANDBOX_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const quickjs = require(workerData.quickjsPath);

const MIB = 1024 * 1024;
const ENGINE_MIB = 16;
const MAX_STACK_BYTES = MIB;
const memory = new WebAssembly.Memory({
  initial: (ENGINE_MIB * MIB) / 65536,
  maximum: ((workerData.memoryLimitMb + ENGINE_MIB) * MIB) / 65536,
});
// Emscripten grows memory in steps, so "full" means the last step no longer fit.
const memoryIsFull = () => memory.buffer.byteLength + 4 * MIB > (workerData.memoryLimitMb + ENGINE_MIB) * MIB;
const MAX_LOG_BYTES = 1024 * 1024;
const MAX_RESULT_CHARS = 10 * 1024 * 1024;
// Runs before the user's code: console writes to the host, input is parsed inside the VM.
const PRELUDE = [
  '(() => {',
  '  const emit = globalThis.__flotillaEmit;',
  '  delete globalThis.__flotillaEmit;',
  '  const text = (v) => {',
  '    if (typeof v === "string") return v;',
  '    if (v instanceof Error) return String(v);',
  '    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch { return String(v); }',
  '  };',
  '  const writer = (stream) => (...args) => { emit(stream, args.map(text).join(" ")); };',
  '  globalThis.console = { log: writer("stdout"), info: writer("stdout"), debug: writer("stdout"),',
  '    warn: writer("stderr"), error: writer("stderr") };',
  '  globalThis.input = JSON.parse(globalThis.__flotillaInput);',
  '  delete globalThis.__flotillaInput;',
  '})();',
].join('\n');

class Failure extends Error {
  constructor(kind, message) { super(message); this.kind = kind; }
}

function runJob(QuickJS, job) {
  const flag = new Int32Array(job.abort);
  const deadline = Date.now() + job.timeoutMs;
  let stopped = null;
  let logBytes = 0;
  const handles = [];
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(workerData.memoryLimitMb * MIB);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  runtime.setInterruptHandler(() => {
    if (Atomics.load(flag, 0) !== 0) stopped = 'aborted';
    else if (Date.now() > deadline) stopped = 'timeout';
    return stopped !== null;
  });
  const vm = runtime.newContext();
  const keep = (handle) => { handles.push(handle); return handle; };
  const fail = (errorHandle) => {
    let dumped;
    let unreadable = false;
    try { dumped = vm.dump(errorHandle); } catch { unreadable = true; } finally { errorHandle.dispose(); }
    let message = unreadable ? 'out of memory' : String(dumped);
    if (!unreadable && dumped !== null && typeof dumped === 'object') {
      message = (dumped.name ? dumped.name + ': ' : '') + String(dumped.message);
      // Point at the user's code: "step.js:LINE:COLUMN" (the wrapper adds one line above it).
      const where = /step\.js:(\d+):(\d+)/.exec(String(dumped.stack || ''));
      const line = where ? Number(where[1]) : dumped.fileName === 'step.js' ? Number(dumped.lineNumber) : NaN;
      if (line > 1) message += ' (line ' + (line - 1) + (where ? ', column ' + where[2] : '') + ')';
    }
    if (stopped !== null) return new Failure(stopped, message);
    // Out of memory, QuickJS may be unable to build an error object and throws a bare value.
    if (/out of memory/i.test(message) || ((dumped === null || typeof dumped !== 'object') && memoryIsFull())) return new Failure('memory', message);
    return new Failure('error', message);
  };
  const unwrap = (result) => {
    if (result.error) throw fail(result.error);
    return keep(result.value);
  };
  try {
    const emit = keep(vm.newFunction('emit', (streamHandle, textHandle) => {
      const stream = vm.getString(streamHandle);
      const text = vm.getString(textHandle);
      if (logBytes > MAX_LOG_BYTES) return;
      logBytes += text.length;
      const shown = logBytes > MAX_LOG_BYTES ? '[console output truncated at 1 MiB]' : text;
      parentPort.postMessage({ type: 'log', id: job.id, stream, text: shown });
    }));
    vm.setProp(vm.global, '__flotillaEmit', emit);
    vm.setProp(vm.global, '__flotillaInput', keep(vm.newString(job.inputJson)));
    unwrap(vm.evalCode(PRELUDE, 'prelude.js'));
    // An expression first ("input.a + 1"), else a function body ("const x = 1; return x").
    let compiled = vm.evalCode('(async function () { return (\n' + job.source + '\n); })', 'step.js');
    if (compiled.error) {
      compiled.error.dispose();
      compiled = vm.evalCode('(async function () {\n' + job.source + '\n})', 'step.js');
    }
    const fn = unwrap(compiled);
    const promise = unwrap(vm.callFunction(fn, vm.undefined));
    let value;
    for (;;) {
      const state = vm.getPromiseState(promise);
      if (state.type === 'fulfilled') { value = keep(state.value); break; }
      if (state.type === 'rejected') throw fail(state.error);
      const ran = runtime.executePendingJobs();
      if (ran.error) throw fail(ran.error);
      if (ran.value === 0 && vm.getPromiseState(promise).type === 'pending') {
        throw new Failure('error', 'the script awaits a promise that never settles');
      }
    }
    const json = keep(vm.getProp(vm.global, 'JSON'));
    const stringify = keep(vm.getProp(json, 'stringify'));
    const text = unwrap(vm.callFunction(stringify, json, value));
    if (vm.typeof(text) !== 'string') return { ok: true, json: undefined };
    const out = vm.getString(text);
    if (out.length > MAX_RESULT_CHARS) throw new Failure('error', 'the returned value is larger than 10 MiB as JSON');
    return { ok: true, json: out };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, kind: err.kind, message: err.message };
    throw err;
  } finally {
    for (const handle of handles.reverse()) if (handle.alive) handle.dispose();
    vm.dispose();
    runtime.dispose();
  }
}

quickjs.newQuickJSWASMModuleFromVariant(quickjs.newVariant(quickjs.RELEASE_SYNC, { wasmMemory: memory })).then((QuickJS) => {
  parentPort.on('message', (job) => {
    let reply;
    try {
      reply = runJob(QuickJS, job);
    } catch (err) {
      // A host-side failure may leave the wasm module broken: report it and let the pool
      // replace this worker.
      parentPort.postMessage({ type: 'done', id: job.id, ok: false, kind: 'crash', message: String(err && err.message || err) });
      process.exit(1);
    }
    parentPort.postMessage({ type: 'done', id: job.id, ...reply });
    if (!reply.ok && reply.kind === 'memory') process.exit(0);
  });
  parentPort.postMessage({ type: 'ready' });
}, (err) => {
  parentPort.postMessage({ type: 'fatal', message: String(err && err.message || err) });
});
`;
