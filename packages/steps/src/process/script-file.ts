import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepLogger } from '@flotilla/workflow';
import type { Launch } from './launcher.js';
import { runProcess } from './run-process.js';
import type { ProcessResult } from './run-process.js';

/** An inline script and the interpreter that runs it; see {@link runScriptFile}. */
export interface RunScriptFileOptions {
  /** Absolute path of the interpreter. */
  interpreter: string;
  /** Interpreter arguments placed before the script file (e.g. `-NoProfile -File`). */
  interpreterArgs?: readonly string[];
  /** File name extension some interpreters insist on (`.ps1`). */
  extension: string;
  source: string;
  /** Arguments for the script, after the file. */
  args?: readonly string[];
  cwd?: string | undefined;
  env?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  log: StepLogger;
  /** Starts the interpreter: the host's launcher from the step services. */
  launch: Launch;
}

/**
 * Writes `source` to a private temporary file (directory 0700, file 0600, so other users cannot
 * read or swap it), runs the interpreter on it, and removes it whatever happens.
 */
export async function runScriptFile(options: RunScriptFileOptions): Promise<ProcessResult> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-script-'));
  try {
    const file = join(dir, `script${options.extension}`);
    await writeFile(file, options.source, { mode: 0o600, flag: 'wx' });
    return await runProcess({
      command: options.interpreter,
      args: [...(options.interpreterArgs ?? []), file, ...(options.args ?? [])],
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      log: options.log,
      launch: options.launch,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
