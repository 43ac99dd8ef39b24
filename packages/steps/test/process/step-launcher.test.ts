import { describe, expect, it } from 'vitest';
import { CommandConfigSchema, commandStep, spawnDirectly } from '@flotilla/steps';
import type { Launch } from '@flotilla/steps';
import { makeContext } from '../helpers/context.js';

describe('the process launcher comes with the step services', () => {
  it('starts a step’s process with the launcher its host passed', async () => {
    const started: string[] = [];
    const launch: Launch = (file, args, options) => {
      started.push([file, ...args].join(' '));
      return spawnDirectly(file, args, options);
    };
    const { ctx } = makeContext(CommandConfigSchema.parse({ command: 'echo', args: ['hi'] }), { launch });
    const outcome = await commandStep.run(ctx);
    expect(outcome.outputs).toMatchObject({ exit_code: 0, stdout: 'hi\n' });
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(/echo hi$/);
  });

  it('starts nothing when the host passed no launcher (no fork from the host by default)', async () => {
    const { ctx } = makeContext(CommandConfigSchema.parse({ command: 'echo', args: ['hi'] }));
    const { launch: _launch, ...withoutLauncher } = ctx.services as typeof ctx.services & { launch: Launch };
    await expect(commandStep.run({ ...ctx, services: withoutLauncher })).rejects.toThrow(/no process launcher/);
  });
});
