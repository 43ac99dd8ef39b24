/**
 * The launcher helper must end what it started when its parent dies, also when the parent dies
 * while the helper is relaying output: its next message then fails to send (EPIPE) before it has
 * seen the channel close. That failure once crashed the helper (an unhandled 'error') and left
 * the command running without its agent — the chaos suite's step-lifetime test caught it.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LAUNCHER_HELPER_SOURCE } from '../../src/process/launcher-helper.js';
import { isAlive, killQuietly, waitFor } from '../helpers/processes.js';

/** A parent that starts the helper, has it run a command that floods stdout, and prints the command's pid. */
const PARENT = `
const { spawn } = require('node:child_process');
const helper = spawn(process.execPath, ['-e', process.env.HELPER_SOURCE], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  serialization: 'advanced',
  detached: true,
});
helper.on('message', (m) => { if (m.ev === 'spawn') console.log('pid ' + m.pid); });
helper.send({ op: 'spawn', id: 1, file: 'sh', args: ['-c', 'while :; do echo flooding-the-channel; done'],
  env: { PATH: process.env.PATH }, stdin: false });
`;

async function floodThenKillParent(): Promise<{ pid: number; stderr: () => string }> {
  const parent = spawn(process.execPath, ['-e', PARENT], {
    env: { PATH: process.env.PATH, HELPER_SOURCE: LAUNCHER_HELPER_SOURCE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  parent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => /pid \d+/.test(stdout));
  const pid = Number(/pid (\d+)/.exec(stdout)?.[1]);
  // let the flood run, so the helper is mid-relay when its parent goes
  await new Promise((resolve) => setTimeout(resolve, 50));
  parent.kill('SIGKILL');
  return { pid, stderr: () => stderr };
}

describe('launcher helper when its parent is killed', () => {
  it('kills the command it relays output for, every time, and never crashes on the broken channel', async () => {
    for (let round = 0; round < 5; round++) {
      const { pid, stderr } = await floodThenKillParent();
      try {
        await waitFor(() => !isAlive(pid), 5000).catch(() => {
          throw new Error(`round ${round}: command ${pid} outlived its helper's parent; stderr:\n${stderr()}`);
        });
        expect(stderr()).not.toContain('EPIPE');
      } finally {
        killQuietly(pid);
      }
    }
  });
});
