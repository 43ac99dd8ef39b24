import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ENTRY = resolve(import.meta.dirname, 'flotilla-entry.ts');
// absolute, so the child may run in any directory
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** One read from the child's stdout, with when it arrived (ms after the spawn). */
export interface OutputChunk {
  at: number;
  text: string;
}

/** How a `flotilla …` process ended and what it printed. */
export interface FlotillaRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as it arrived, to check that output streams rather than comes at the end. */
  chunks: OutputChunk[];
}

export interface FlotillaRunOptions {
  cwd: string;
  /** Replaces these variables of the inherited environment (`undefined` removes one). */
  env?: Record<string, string | undefined>;
  /** @default 60000 */
  timeoutMs?: number;
}

/**
 * Runs `flotilla ARGS…` as a real process from the sources (never a stale build), with colour
 * variables cleared unless given, and resolves when it exits.
 */
export function runFlotilla(args: readonly string[], options: FlotillaRunOptions): Promise<FlotillaRun> {
  const given = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  const env = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=@flotilla/source', '--import', TSX, ENTRY, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: OutputChunk[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => chunks.push({ at: Date.now() - started, text }));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`flotilla ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000}ms:\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout: chunks.map((c) => c.text).join(''), stderr, chunks });
    });
  });
}
