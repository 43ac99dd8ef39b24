import { compileFunction } from 'node:vm';
import { parseAllDocuments } from 'yaml';
import type { StepContext } from '@flotilla/workflow';
import type { Validate } from '../catalogue/patch-checks.js';
import { abortedError } from './aborted-error.js';
import { authorizeCommand } from './command-policy.js';
import { runProcess } from './run-process.js';
import { launchOf } from './step-launcher.js';

/** Replaces every `{path}` in `text` with the file path. */
export function withPath(text: string, path: string): string {
  return text.replaceAll('{path}', path);
}

/**
 * Validates the changed file; returns `undefined` when it is fine, otherwise the reason.
 * Throws only for policy denial and abort.
 */
export async function validateFile(
  ctx: StepContext<unknown>,
  options: { validate: Validate; path: string; content: string },
): Promise<string | undefined> {
  const { validate, path, content } = options;
  if ('syntax' in validate) {
    switch (validate.syntax) {
      case 'json':
        return parseError(() => JSON.parse(content));
      case 'yaml':
        return yamlError(content);
      case 'js':
        return jsSyntaxError(ctx, content);
    }
  }
  const command = withPath(validate.command, path);
  const args = validate.args.map((arg) => withPath(arg, path));
  const program = await authorizeCommand(ctx.services.policy, { command, env: ctx.env });
  ctx.log.info(`validating: ${[command, ...args].join(' ')}`);
  const result = await runProcess({
    command: program,
    args,
    env: ctx.env,
    signal: ctx.signal,
    log: ctx.log,
    launch: launchOf(ctx.services),
  });
  if (result.aborted) throw abortedError(ctx.signal);
  return result.exitCode === 0 ? undefined : `validation command exited with ${result.exitCode ?? result.signal}`;
}

function parseError(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function yamlError(content: string): string | undefined {
  const docs = parseAllDocuments(content);
  const docList = Array.isArray(docs) ? docs : [];
  const error = docList.flatMap((doc) => doc.errors)[0];
  return error?.message;
}

/**
 * JavaScript is checked as a CommonJS body in-process first (cheap); source that only parses
 * as an ES module (import/export, top-level await) is then checked by `node --check`.
 */
async function jsSyntaxError(ctx: StepContext<unknown>, content: string): Promise<string | undefined> {
  const scriptError = parseError(() => compileFunction(content, [], { filename: 'patched-file' }));
  if (scriptError === undefined) return undefined;
  const quiet = { stdout: () => undefined, stderr: () => undefined, info: () => undefined };
  const result = await runProcess({
    command: process.execPath,
    args: ['--check', '--input-type=module'],
    stdin: content,
    signal: ctx.signal,
    log: quiet,
    launch: launchOf(ctx.services),
  });
  if (result.aborted) throw abortedError(ctx.signal);
  return result.exitCode === 0 ? undefined : scriptError;
}
