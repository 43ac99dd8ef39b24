/**
 * Source of the launcher helper: a small Node process that starts processes for its parent and
 * relays their output, so that the fork happens in a process of a few MB instead of the agent
 * (see launcher.ts). Run with `node -e`, an IPC channel and advanced serialization; it depends on
 * nothing but Node. When its parent goes without releasing it (the IPC channel closes: the parent
 * exited or was killed, even by SIGKILL), it kills the process group of every command still
 * running, so that none runs on without the agent, and exits.
 *
 * Parent → helper: `{op:'spawn',id,file,args,cwd,env,stdin}`, `{op:'stdin',id,data}`,
 * `{op:'stdin-end',id}`, `{op:'destroy',id}` (stop reading the pipes: the parent gave up waiting).
 * Helper → parent: `{ev:'spawn',id,pid,start}`, `{ev:'error',id,code,errno,syscall,message}`,
 * `{ev:'stdout'|'stderr',id,data}`, `{ev:'exit',id}`, `{ev:'close',id,code,signal}`. `start` is
 * the process's start time from `/proc/<pid>/stat`, read before the process can be reaped, so
 * that its pid is never mistaken for a later process that reuses it.
 */
export const LAUNCHER_HELPER_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const children = new Map();
// the parent is gone: nothing it started may run on (a released helper has nothing left)
const endAll = () => {
  for (const child of children.values()) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
  process.exit(0);
};
// a send that fails (EPIPE: the parent died between two messages) means the same as a
// disconnect; without the callback it would be an unhandled 'error' that kills the helper and
// leaves the commands running
const send = (message) => {
  if (process.connected) process.send(message, undefined, {}, (err) => err && endAll());
};
// field 22 of /proc/<pid>/stat (see process-identity.ts); undefined without /proc
const startTimeOf = (pid) => {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
};
process.on('disconnect', endAll);
process.on('message', (m) => {
  if (m.op === 'spawn') {
    let child;
    try {
      child = spawn(m.file, m.args, {
        cwd: m.cwd,
        env: m.env,
        stdio: [m.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      send({ ev: 'error', id: m.id, code: err.code, errno: err.errno, syscall: err.syscall, message: err.message });
      send({ ev: 'close', id: m.id, code: null, signal: null });
      return;
    }
    children.set(m.id, child);
    // read now: the process cannot be reaped before this turn of the event loop ends
    const start = child.pid === undefined ? undefined : startTimeOf(child.pid);
    child.once('spawn', () => send({ ev: 'spawn', id: m.id, pid: child.pid, start }));
    child.once('error', (err) =>
      send({ ev: 'error', id: m.id, code: err.code, errno: err.errno, syscall: err.syscall, message: err.message }));
    if (child.stdin) child.stdin.on('error', () => undefined);
    child.stdout.on('data', (data) => send({ ev: 'stdout', id: m.id, data }));
    child.stderr.on('data', (data) => send({ ev: 'stderr', id: m.id, data }));
    child.once('exit', () => send({ ev: 'exit', id: m.id }));
    child.once('close', (code, signal) => {
      children.delete(m.id);
      send({ ev: 'close', id: m.id, code, signal });
    });
    return;
  }
  const child = children.get(m.id);
  if (child === undefined) return;
  if (m.op === 'stdin') child.stdin?.write(Buffer.from(m.data));
  else if (m.op === 'stdin-end') child.stdin?.end();
  else if (m.op === 'destroy') {
    child.stdout.destroy();
    child.stderr.destroy();
  }
});
`;
