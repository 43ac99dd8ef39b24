import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { StepType } from '@flotilla/workflow';
import { StepError } from '@flotilla/workflow';
import { makeContext } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';

/** A temp directory `root` (the only allowed file root) and a sibling `outside` directory. */
export interface FileFixture {
  root: string;
  outside: string;
  /** Runs a file step with `allowedFileRoots: [root]`; config is parsed by the step's schema. */
  run(step: StepType, config: Record<string, unknown>, overrides?: ContextOverrides): Promise<Record<string, unknown>>;
  /** Runs a step that must fail; returns its StepError. */
  fail(step: StepType, config: Record<string, unknown>, overrides?: ContextOverrides): Promise<StepError>;
  /** Entries of a directory whose name marks them as temp files (must be none after a step). */
  tempFiles(dir?: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function createFileFixture(): Promise<FileFixture> {
  const base = await mkdtemp(path.join(tmpdir(), 'flotilla-file-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await Promise.all([mkdir(root), mkdir(outside)]);
  const run = async (step: StepType, config: Record<string, unknown>, overrides: ContextOverrides = {}) => {
    const { ctx } = makeContext(step.configSchema.parse(config), {
      ...overrides,
      policy: { allowedFileRoots: [root], ...overrides.policy },
    });
    return (await step.run(ctx)).outputs;
  };
  return {
    root,
    outside,
    run,
    async fail(step, config, overrides) {
      const error: unknown = await run(step, config, overrides).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(StepError);
      return error as StepError;
    },
    async tempFiles(dir = root) {
      return (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.flotilla-tmp'));
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}
