import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptConfigSchema, findExecutable, scriptStep } from '@flotilla/steps';
import type { ContextOverrides } from '../helpers/context.js';
import { linesOf, makeContext } from '../helpers/context.js';
import { present } from '../helpers/require-service.js';

function setup(
  config: Record<string, unknown>,
  overrides?: ContextOverrides,
): ReturnType<typeof makeContext<ReturnType<typeof ScriptConfigSchema.parse>>> {
  return makeContext(ScriptConfigSchema.parse(config), overrides);
}

describe('script step', () => {
  it('is at-most-once and rejects unknown interpreters and fields', () => {
    expect(scriptStep.effect(ScriptConfigSchema.parse({ interpreter: 'sh', source: '' }))).toBe('at-most-once');
    expect(ScriptConfigSchema.safeParse({ interpreter: 'perl', source: '' }).success).toBe(false);
    expect(ScriptConfigSchema.safeParse({ interpreter: 'sh', source: '', shell: true }).success).toBe(false);
  });

  it('runs an sh script from a private temp file that is removed afterwards', async () => {
    const { ctx, lines } = setup({
      interpreter: 'sh',
      source: 'echo "$0"\nstat -c %a "$0"\necho "args: $1 $2"\n',
      args: ['a', 'b c'],
    });
    const outcome = await scriptStep.run(ctx);
    const [file, mode, args] = linesOf(lines, 'stdout');
    expect(mode).toBe('600');
    expect(args).toBe('args: a b c');
    expect(existsSync(file!)).toBe(false);
    expect(outcome.outputs).toMatchObject({ exit_code: 0 });
  });

  it('runs bash, python3 and node scripts with env and cwd', async () => {
    const sources = {
      bash: 'arr=(x y); echo "${#arr[@]} $GREETING $(pwd)"',
      python3: 'import os\nprint(2, os.environ["GREETING"], os.getcwd())',
      node: 'console.log(2, process.env.GREETING, process.cwd())',
    } as const;
    for (const [interpreter, source] of Object.entries(sources)) {
      if (!present(interpreter, (await findExecutable(interpreter)) !== undefined)) continue;
      const { ctx } = setup({ interpreter, source, cwd: '/tmp' }, { env: { GREETING: 'hi' } });
      expect((await scriptStep.run(ctx)).outputs, interpreter).toMatchObject({ stdout: '2 hi /tmp\n', exit_code: 0 });
    }
  });

  it('fails retryably with the outputs when the script exits non-zero', async () => {
    const { ctx } = setup({
      interpreter: 'python3',
      source: 'import sys\nprint("boom", file=sys.stderr)\nsys.exit(2)',
    });
    await expect(scriptStep.run(ctx)).rejects.toMatchObject({
      code: 'STEP_FAILED',
      retryable: true,
      outputs: { stderr: 'boom\n', exit_code: 2 },
    });
  });

  it('fails with DEPENDENCY_MISSING when the interpreter is not installed', async () => {
    const { ctx } = setup({ interpreter: 'python3', source: 'print(1)', env: { PATH: '/nonexistent-flotilla' } });
    await expect(scriptStep.run(ctx)).rejects.toMatchObject({ code: 'DEPENDENCY_MISSING', retryable: false });
  });

  it('is denied when the policy does not allow the interpreter', async () => {
    const { ctx } = setup({ interpreter: 'sh', source: 'echo hi' }, { policy: { allowedCommands: ['python3'] } });
    await expect(scriptStep.run(ctx)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  });
});
