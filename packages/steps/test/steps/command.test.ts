import { describe, expect, it } from 'vitest';
import { CommandConfigSchema, commandStep, createStepRegistry } from '@flotilla/steps';
import { StepError } from '@flotilla/workflow';
import type { ContextOverrides } from '../helpers/context.js';
import { linesOf, makeContext } from '../helpers/context.js';
import { waitFor } from '../helpers/processes.js';

function setup(
  config: Record<string, unknown>,
  overrides?: ContextOverrides,
): ReturnType<typeof makeContext<ReturnType<typeof CommandConfigSchema.parse>>> {
  return makeContext(CommandConfigSchema.parse(config), overrides);
}

describe('command step', () => {
  it('is registered, at-most-once, and rejects unknown config fields', () => {
    expect(createStepRegistry().get('command')).toBe(commandStep);
    expect(commandStep.effect(CommandConfigSchema.parse({ command: 'true' }))).toBe('at-most-once');
    expect(CommandConfigSchema.safeParse({ command: 'echo', agrs: ['typo'] }).success).toBe(false);
    expect(CommandConfigSchema.safeParse({ command: '' }).success).toBe(false);
  });

  it('runs a program with args and returns stdout, stderr and exit_code', async () => {
    const { ctx, lines } = setup({ command: 'sh', args: ['-c', 'echo out; echo err >&2'] });
    const outcome = await commandStep.run(ctx);
    expect(outcome.outputs).toEqual({ stdout: 'out\n', stderr: 'err\n', exit_code: 0 });
    expect(linesOf(lines, 'stdout')).toEqual(['out']);
    expect(linesOf(lines, 'stderr')).toEqual(['err']);
  });

  it('fails retryably on an exit code that is not allowed, keeping the outputs', async () => {
    const { ctx } = setup({ command: 'sh', args: ['-c', 'echo partial; exit 4'] });
    const err = await commandStep.run(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err).toMatchObject({ code: 'STEP_FAILED', retryable: true, outputs: { stdout: 'partial\n', exit_code: 4 } });
  });

  it('accepts the exit codes listed in allow_exit_codes', async () => {
    const { ctx } = setup({ command: 'sh', args: ['-c', 'exit 4'], allow_exit_codes: [0, 4] });
    expect((await commandStep.run(ctx)).outputs).toMatchObject({ exit_code: 4 });
  });

  it('takes any exit code with allow_exit_codes: any, but not death by a signal', async () => {
    const { ctx } = setup({ command: 'sh', args: ['-c', 'exit 77'], allow_exit_codes: 'any' });
    expect((await commandStep.run(ctx)).outputs).toMatchObject({ exit_code: 77 });
    const killed = setup({ command: 'sh', args: ['-c', 'kill -9 $$'], allow_exit_codes: 'any' });
    await expect(commandStep.run(killed.ctx)).rejects.toMatchObject({
      code: 'STEP_FAILED',
      outputs: { exit_code: null },
    });
    expect(CommandConfigSchema.safeParse({ command: 'true', allow_exit_codes: 'all' }).success).toBe(false);
  });

  it('runs a shell command line with shell: true', async () => {
    const { ctx } = setup({ command: 'printf "%s\\n" a b | wc -l', shell: true });
    expect((await commandStep.run(ctx)).outputs).toMatchObject({ stdout: '2\n' });
  });

  it('passes stdin, cwd, and env from the config and from the host (secrets)', async () => {
    const { ctx } = setup(
      { command: 'sh', args: ['-c', 'cat; pwd; echo "$A $TOKEN"'], stdin: 'in\n', cwd: '/tmp', env: { A: 'config' } },
      { env: { TOKEN: 'from-host', A: 'host' } },
    );
    expect((await commandStep.run(ctx)).outputs).toMatchObject({ stdout: 'in\n/tmp\nconfig from-host\n' });
  });

  it('is denied by the policy unless the command is allowed', async () => {
    const denied = setup({ command: 'echo', args: ['x'] }, { policy: { allowedCommands: ['ls'] } });
    await expect(commandStep.run(denied.ctx)).rejects.toMatchObject({ code: 'POLICY_DENIED', retryable: false });
    const shell = setup({ command: 'echo x', shell: true }, { policy: { allowedCommands: ['echo'] } });
    await expect(commandStep.run(shell.ctx)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    const allowed = setup({ command: 'echo', args: ['x'] }, { policy: { allowedCommands: ['echo'] } });
    expect((await commandStep.run(allowed.ctx)).outputs).toMatchObject({ stdout: 'x\n' });
  });

  it('fails with STEP_FAILED (not retryable) when the command does not exist', async () => {
    const { ctx } = setup({ command: 'flotilla-no-such-command' });
    await expect(commandStep.run(ctx)).rejects.toMatchObject({ code: 'STEP_FAILED', retryable: false });
  });

  it('stops promptly on abort: CANCELLED, or the StepError the engine aborted with', async () => {
    const cancelled = setup({ command: 'sh', args: ['-c', 'echo ready; sleep 30'] });
    const running = commandStep.run(cancelled.ctx);
    await waitFor(() => linesOf(cancelled.lines, 'stdout').includes('ready'));
    cancelled.controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED', outputs: { stdout: 'ready\n' } });

    const timedOut = setup({ command: 'sleep', args: ['30'] });
    const sleeping = commandStep.run(timedOut.ctx);
    timedOut.controller.abort(new StepError('STEP_TIMEOUT', 'deadline', { retryable: true }));
    await expect(sleeping).rejects.toMatchObject({ code: 'STEP_TIMEOUT', retryable: true });
  });
});
