import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizeCommand, findExecutable } from '@flotilla/steps';
import type { StepPolicy } from '@flotilla/workflow';
import { permissivePolicy } from '../helpers/context.js';

const policy = (allowedCommands: string[], allowedLoaderEnv: string[] = []): StepPolicy => ({
  ...permissivePolicy,
  allowedCommands,
  allowedLoaderEnv,
});

async function failureOf(run: Promise<unknown>): Promise<unknown> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err === undefined
    ? 'allowed'
    : { code: (err as { code: unknown }).code, retryable: (err as { retryable: unknown }).retryable };
}
const DENIED = { code: 'POLICY_DENIED', retryable: false };

// tools/tool is the allowed program, tools/alias the same file under another name, copy/ holds copies
const dir = mkdtempSync(join(tmpdir(), 'flotilla-command-policy-'));
const tool = join(dir, 'tools', 'tool');
mkdirSync(join(dir, 'tools'));
mkdirSync(join(dir, 'copy'));
mkdirSync(join(dir, 'linked'));
writeFileSync(tool, '#!/bin/sh\necho tool\n');
chmodSync(tool, 0o755);
copyFileSync(tool, join(dir, 'copy', 'tool'));
chmodSync(join(dir, 'copy', 'tool'), 0o755);
symlinkSync(tool, join(dir, 'linked', 'tool'));
symlinkSync(tool, join(dir, 'tools', 'alias'));
copyFileSync(tool, join(dir, 'copy', 'echo'));
chmodSync(join(dir, 'copy', 'echo'), 0o755);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('authorizeCommand', () => {
  it('allows everything with "*" and returns the command as given', async () => {
    await expect(authorizeCommand(policy(['*']), { command: 'anything', env: {} })).resolves.toBe('anything');
    await expect(authorizeCommand(policy(['*']), { command: 'ls', env: { PATH: dir } })).resolves.toBe('ls');
  });

  it("finds a bare name on the agent's own PATH and returns the allowed entry's path", async () => {
    const echo = await findExecutable('echo');
    await expect(authorizeCommand(policy(['echo']), { command: 'echo', env: {} })).resolves.toBe(echo);
    await expect(authorizeCommand(policy([tool]), { command: tool, env: {} })).resolves.toBe(tool);
  });

  it('matches the file a path resolves to: relative to cwd, through symlinks', async () => {
    const allowed = policy([tool]);
    await expect(authorizeCommand(allowed, { command: './tool', cwd: join(dir, 'tools'), env: {} })).resolves.toBe(
      tool,
    );
    // a symlink to the allowed file under the same name starts the allowed file itself
    await expect(authorizeCommand(allowed, { command: join(dir, 'linked', 'tool'), env: {} })).resolves.toBe(tool);
  });

  it('denies a copy, the same file under another name, and a relative path from elsewhere', async () => {
    const allowed = policy([tool]);
    expect(await failureOf(authorizeCommand(allowed, { command: join(dir, 'copy', 'tool'), env: {} }))).toEqual(DENIED);
    expect(await failureOf(authorizeCommand(allowed, { command: join(dir, 'tools', 'alias'), env: {} }))).toEqual(
      DENIED,
    );
    expect(await failureOf(authorizeCommand(allowed, { command: './tool', cwd: join(dir, 'copy'), env: {} }))).toEqual(
      DENIED,
    );
    expect(await failureOf(authorizeCommand(policy(['echo']), { command: 'rm', env: {} }))).toEqual(DENIED);
    expect(await failureOf(authorizeCommand(policy([]), { command: 'echo', env: {} }))).toEqual(DENIED);
    // an entry that is neither a name nor an absolute path matches nothing
    expect(await failureOf(authorizeCommand(policy(['tools/tool']), { command: tool, env: {} }))).toEqual(DENIED);
  });

  it('a missing program: STEP_FAILED when its name is allowed, else POLICY_DENIED', async () => {
    const missing = { code: 'STEP_FAILED', retryable: false };
    const allowed = policy(['no-such-program-x', join(dir, 'nothing')]);
    expect(await failureOf(authorizeCommand(allowed, { command: 'no-such-program-x', env: {} }))).toEqual(missing);
    expect(await failureOf(authorizeCommand(allowed, { command: join(dir, 'nothing'), env: {} }))).toEqual(missing);
    expect(await failureOf(authorizeCommand(policy(['echo']), { command: 'no-such-program-x', env: {} }))).toEqual(
      DENIED,
    );
  });

  it('refuses dynamic-loader variables under every policy unless allowedLoaderEnv lists them', async () => {
    for (const name of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'GCONV_PATH']) {
      expect(
        await failureOf(authorizeCommand(policy(['*']), { command: 'echo', env: { [name]: '/x' } })),
        name,
      ).toEqual(DENIED);
    }
    await expect(
      authorizeCommand(policy(['*'], ['LD_LIBRARY_PATH']), { command: 'echo', env: { LD_LIBRARY_PATH: '/x' } }),
    ).resolves.toBe('echo');
    await expect(authorizeCommand(policy(['*'], ['*']), { command: 'echo', env: { LD_PRELOAD: '/x' } })).resolves.toBe(
      'echo',
    );
  });

  it('refuses PATH and start-up variables only while commands are restricted', async () => {
    for (const name of ['PATH', 'BASH_ENV', 'BASH_FUNC_ls%%', 'NODE_OPTIONS', 'PYTHONPATH']) {
      expect(
        await failureOf(authorizeCommand(policy(['echo']), { command: 'echo', env: { [name]: '/x' } })),
        name,
      ).toEqual(DENIED);
      await expect(authorizeCommand(policy(['*']), { command: 'echo', env: { [name]: '/x' } })).resolves.toBe('echo');
    }
    // listed, PATH passes to the program, but the program itself is still found on the agent's PATH
    await expect(
      authorizeCommand(policy(['echo'], ['PATH']), { command: 'echo', env: { PATH: join(dir, 'copy') } }),
    ).resolves.toBe(await findExecutable('echo'));
  });
});
