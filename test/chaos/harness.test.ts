/** The chaos harness itself: a cut must really cut, and orphan cleanup must really kill. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcessGroupsMatching } from './harness/managed-process.js';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy.js';
import { waitUntil } from './harness/wait.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP echo server on a free loopback port. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined); // the proxy resets it on a cut: expected here
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { server, port: address.port };
}

/** Connects, sends `text`, resolves with the echo or with the error code. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: '127.0.0.1' });
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(text));
    socket.once('data', (data: string) => {
      socket.destroy();
      resolve(data);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    socket.once('close', () => resolve('closed'));
  });
}

describe('chaos harness', () => {
  let proxy: TcpProxy;

  it('relays, cuts live connections, refuses new ones while cut, and heals', async () => {
    const { port } = await echoServer();
    proxy = await startTcpProxy(port);
    cleanups.push(() => proxy.close());
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');

    const live = connect({ port: proxy.port, host: '127.0.0.1' });
    const ended = new Promise<string>((resolve) => {
      live.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      live.once('close', () => resolve('closed'));
    });
    await new Promise((resolve) => live.once('connect', resolve));
    await waitUntil(() => proxy.connections === 2, { what: 'live connection relayed' });
    proxy.cut();
    expect(await ended).toBe('ECONNRESET');
    expect(await roundTrip(proxy.port, 'nope')).not.toBe('nope');
    expect(proxy.refused).toBe(1);

    proxy.heal();
    expect(await roundTrip(proxy.port, 'again')).toBe('again');
  });

  it('kills the process group of every process naming the marker, orphans included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-chaos-harness-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // A detached group whose leader names the marker and whose child (`sleep`) does not.
    const leader = spawn('sh', ['-c', `sleep 30; echo ${dir}`], { detached: true, stdio: 'ignore' });
    const leaderExit = new Promise((resolve) => leader.once('exit', resolve));
    const childPids = await waitUntil(() => {
      const out = execFileSync('pgrep', ['-g', String(leader.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      // until the child has exec'd `sleep`: a fork of `sh` not yet exec'd still names the marker
      const execd = out.some((pid) => readCmdline(Number(pid)).startsWith('sleep'));
      return out.length >= 2 && execd ? out.map(Number) : undefined;
    });
    expect(killProcessGroupsMatching(dir)).toBe(1);
    await leaderExit;
    await waitUntil(() => childPids.every((pid) => !alive(pid)), { what: 'the whole group gone' });
  });
});

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
