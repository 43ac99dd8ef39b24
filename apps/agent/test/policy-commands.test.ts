import { execFileSync } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobPayload, RunEvent } from '@flotilla/protocol';
import { findExecutable, spawnDirectly } from '@flotilla/steps';
import { createEngineExecutor, type EngineExecutor } from '../src/jobs/engine-executor.js';
import { parsePolicy } from '../src/policy/policy-file.js';
import type { PolicySource } from '../src/policy/policy-store.js';
import { tempDirs } from './helpers/temp-dir.js';

/*
 * Finding 2 of the hardening issue: `allowed_commands: [echo]` trusted the basename. A workflow
 * plants an executable named `echo` in an allowed file root (the system temp dir is one by
 * default) with `file.write` and runs it by path, as `./echo` with `cwd`, or as `echo` with its
 * own PATH; `env` also passed LD_PRELOAD through. Each attack runs on a real engine executor
 * under a policy parsed from YAML, with real processes.
 */

const dirs = tempDirs();
const executors: EngineExecutor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  await dirs.cleanup();
});

async function setup(policyYaml: string) {
  const dataDir = await dirs.make();
  // the attacker's directory: inside os.tmpdir(), an allowed file root by default
  const root = await dirs.make();
  const policy = parsePolicy(policyYaml, { dataDir, source: 'test' });
  const source: PolicySource = { current: () => policy };
  const executor = await createEngineExecutor({ dataDir, policy: source, launch: spawnDirectly, abortGraceMs: 1000 });
  executors.push(executor);
  const events: RunEvent[] = [];
  const run = (workflow: string, extra: Partial<JobPayload> = {}) =>
    executor.execute(
      {
        jobId: 'job-1',
        runId: 'run-1',
        agentId: 'agent-1',
        workflow,
        inputs: {},
        issuedAt: new Date().toISOString(),
        secrets: {},
        completedSteps: {},
        ...extra,
      },
      { emit: (event) => events.push(event) },
      new AbortController().signal,
    );
  return { root, events, run };
}

const finished = (events: RunEvent[]) =>
  Object.fromEntries(
    events.flatMap((e) => (e.kind === 'step.finished' ? [[e.step, { status: e.status, error: e.error }]] : [])),
  );

const stdoutOf = (events: RunEvent[], step: string) =>
  events.flatMap((e) => (e.kind === 'log' && e.stream === 'stdout' && e.step === step ? [e.line] : []));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A `file.write` step that plants an executable shell script which records that it ran. */
function plant(path: string, marker: string, name = 'plant'): string {
  const content = JSON.stringify(`#!/bin/sh\necho "$0" >> ${marker}\n`);
  return `  - { name: ${name}, type: file.write, config: { path: "${path}", content: ${content}, mode: "0755" } }\n`;
}

describe('allowed_commands resolves the program the way it would be started', () => {
  it('a program planted with file.write does not pass as "echo": by path, as ./echo with cwd, as echo on its PATH', async () => {
    const { root, events, run } = await setup('allowed_commands: [echo, grep]\n');
    const marker = join(root, 'ran');
    const fake = join(root, 'echo');
    const fakeGrep = join(root, 'grep');
    const target = join(root, 'target.txt');
    await writeFile(target, 'before\n');
    const workflow = `
name: plant-and-run
tasks:
${plant(fake, marker)}${plant(fakeGrep, marker, 'plant-grep')}  - { name: by-path, continue_on_error: true, type: command, config: { command: "${fake}", args: [x] } }
  - { name: by-cwd, continue_on_error: true, type: command, config: { command: ./echo, cwd: "${root}", args: [x] } }
  - { name: by-path-env, continue_on_error: true, type: command, config: { command: echo, args: [x], env: { PATH: "${root}" } } }
  - name: by-patch-validation
    continue_on_error: true
    type: patch
    config: { path: "${target}", content: "after\\n", backup: false, validate: { command: "${fakeGrep}", args: [after, "{path}"] } }
`;
    await run(workflow);
    const steps = finished(events);
    expect(steps.plant).toMatchObject({ status: 'succeeded' });
    expect(steps['plant-grep']).toMatchObject({ status: 'succeeded' });
    for (const id of ['by-path', 'by-cwd', 'by-path-env', 'by-patch-validation']) {
      expect(steps[id], id).toMatchObject({ status: 'failed', error: { code: 'POLICY_DENIED' } });
    }
    // nothing planted ran, and the patch was refused before it touched the file
    expect(await exists(marker)).toBe(false);
    expect(await readFile(target, 'utf8')).toBe('before\n');
  });

  it("a bare name is found on the agent's own PATH: a step PATH (when the policy lets it through) cannot swap it", async () => {
    const { root, events, run } = await setup('allowed_commands: [echo]\nallowed_loader_env: [PATH]\n');
    const marker = join(root, 'ran');
    const workflow = `
name: path-swap
tasks:
${plant(join(root, 'echo'), marker)}  - { name: say, type: command, config: { command: echo, args: [the real echo], env: { PATH: "${root}" } } }
`;
    const result = await run(workflow);
    expect(result.state).toBe('succeeded');
    expect(stdoutOf(events, 'say')).toEqual(['the real echo']);
    expect(await exists(marker)).toBe(false);
  });

  it('refuses LD_PRELOAD (and the other dynamic-loader variables) unless the policy allows them', async () => {
    const { root, events, run } = await setup('allowed_commands: [echo]\n');
    const marker = join(root, 'preloaded');
    const library = join(root, 'evil.so');
    // a real preload library where a C compiler exists; without one the path alone shows the denial
    const cc = await findExecutable('cc');
    if (cc === undefined) console.warn('no C compiler: LD_PRELOAD points at a library that does not exist');
    else {
      const source = join(root, 'evil.c');
      await writeFile(
        source,
        `#include <stdio.h>\n__attribute__((constructor)) static void pwn(void) { FILE *f = fopen("${marker}", "a"); if (f) { fputs("x", f); fclose(f); } }\n`,
      );
      execFileSync(cc, ['-shared', '-fPIC', '-o', library, source]);
    }
    const workflow = `
name: preload
tasks:
  - { name: preload, continue_on_error: true, type: command, config: { command: echo, args: [hi], env: { LD_PRELOAD: "${library}" } } }
  - { name: audit, continue_on_error: true, type: command, config: { command: echo, args: [hi], env: { LD_AUDIT: "${library}" } } }
  - { name: from-secret, continue_on_error: true, type: command, config: { command: echo, args: [hi] } }
`;
    await run(workflow, { secrets: { LD_LIBRARY_PATH: root } });
    const steps = finished(events);
    for (const id of ['preload', 'audit', 'from-secret']) {
      expect(steps[id], id).toMatchObject({ status: 'failed', error: { code: 'POLICY_DENIED' } });
    }
    expect(await exists(marker)).toBe(false);
  });

  it('lets a listed loader variable through', async () => {
    const { events, run } = await setup('allowed_commands: [sh]\nallowed_loader_env: [LD_LIBRARY_PATH]\n');
    const workflow = `
name: loader-allowed
tasks:
  - { name: show, type: command, config: { command: sh, args: [-c, 'echo "$LD_LIBRARY_PATH"'], env: { LD_LIBRARY_PATH: /opt/lib } } }
`;
    const result = await run(workflow);
    expect(result.state).toBe('succeeded');
    expect(stdoutOf(events, 'show')).toEqual(['/opt/lib']);
  });
});
