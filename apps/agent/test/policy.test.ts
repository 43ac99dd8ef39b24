import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { parsePolicy } from '../src/policy/policy-file.js';
import { PolicyStore } from '../src/policy/policy-store.js';
import { agentHarness } from './helpers/agent-harness.js';
import { eventually } from './helpers/temp-dir.js';

const h = agentHarness();
const stores: PolicyStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await h.cleanup();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const errorsOf = (fn: () => unknown): FlotillaError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof FlotillaError) return err;
    throw err;
  }
  throw new Error('expected a FlotillaError');
};

describe('policy file', () => {
  it('has safe defaults: all commands, no downloadexec, js on, 4 runs, work dir and tmp as roots', () => {
    const policy = parsePolicy('', { dataDir: '/data', source: 'p.yaml' });
    expect(policy).toMatchObject({
      allowedCommands: ['*'],
      allowedFileRoots: ['/data/work', tmpdir()],
      allowedServices: [],
      allowedLoaderEnv: [],
      httpDestinations: { allow: undefined, deny: [], denyMetadata: false },
      downloadExecEnabled: false,
      jsEnabled: true,
      maxConcurrentRuns: 4,
    });
  });

  it('reads allowed_loader_env and http_destinations', () => {
    const policy = parsePolicy(
      'allowed_loader_env: [LD_LIBRARY_PATH, PATH]\n' +
        'http_destinations:\n  allow: [api.example.com, "*.corp.example", 10.0.0.0/8, "fd00::/8"]\n' +
        '  deny: [10.0.5.0/24]\n  deny_metadata: true\n',
      { dataDir: '/data', source: 'p.yaml' },
    );
    expect(policy).toMatchObject({
      allowedLoaderEnv: ['LD_LIBRARY_PATH', 'PATH'],
      httpDestinations: {
        allow: ['api.example.com', '*.corp.example', '10.0.0.0/8', 'fd00::/8'],
        deny: ['10.0.5.0/24'],
        denyMetadata: true,
      },
    });
  });

  it('refuses relative command entries, bad variable names and bad destinations with CONFIG_INVALID', () => {
    const err = errorsOf(() =>
      parsePolicy(
        'allowed_commands: [echo, bin/deploy, ./x]\nallowed_loader_env: ["LD PRELOAD"]\n' +
          'http_destinations: { deny: [10.0.0.0/33, "http://x/", "a..b"], denymetadata: true }\n',
        { dataDir: '/data', source: 'p.yaml' },
      ),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'allowed_commands.1',
        'allowed_commands.2',
        'allowed_loader_env.0',
        'http_destinations.deny.0',
        'http_destinations.deny.1',
        'http_destinations.deny.2',
        'http_destinations.denymetadata',
      ]),
    );
  });

  it('reads every field, with the short and long forms of the toggles', () => {
    const policy = parsePolicy(
      'allowed_commands: [echo, /usr/bin/env]\nallowed_file_roots: [/srv/app]\nallowed_services: [nginx]\n' +
        'downloadexec: { enabled: true }\njs: false\n' +
        'disabled_step_types: [ssh]\nmax_concurrent_runs: 2\n',
      { dataDir: '/data', source: 'p.yaml' },
    );
    expect(policy).toMatchObject({
      allowedCommands: ['echo', '/usr/bin/env'],
      allowedFileRoots: ['/srv/app'],
      allowedServices: ['nginx'],
      downloadExecEnabled: true,
      jsEnabled: false,
      maxConcurrentRuns: 2,
    });
    expect([...policy.disabledStepTypes]).toEqual(['ssh']);
  });

  it('refuses allowed_log_paths, which nothing obeys yet, saying to remove it', () => {
    const err = errorsOf(() =>
      parsePolicy('allowed_commands: [echo]\nallowed_log_paths: [/var/log/app.log]\n', {
        dataDir: '/data',
        source: 'p.yaml',
      }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.errors).toEqual([
      expect.objectContaining({
        path: 'allowed_log_paths',
        line: 2,
        column: 1,
        message: expect.stringMatching(/remove it/),
      }),
    ]);
  });

  it('reports each unknown key on its own, at its own line', () => {
    const err = errorsOf(() =>
      parsePolicy(
        'alowed_services: []\njs: true\nmax_runs: 2\nhttp_destinations:\n  deny: []\n  allow_all: true\n  denymetadata: true\n',
        {
          dataDir: '/data',
          source: 'p.yaml',
        },
      ),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.errors).toHaveLength(4);
    expect(err.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'alowed_services',
          line: 1,
          column: 1,
          message: expect.stringMatching(/correct its spelling or remove it/),
        }),
        expect.objectContaining({ path: 'max_runs', line: 3, column: 1 }),
        expect.objectContaining({ path: 'http_destinations.allow_all', line: 6, column: 3 }),
        expect.objectContaining({ path: 'http_destinations.denymetadata', line: 7, column: 3 }),
      ]),
    );
  });

  it('accepts the example of docs/agents.md', async () => {
    const doc = await readFile(new URL('../../../docs/agents.md', import.meta.url), 'utf8');
    const example = /```yaml\n# policy\.yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const policy = parsePolicy(example ?? '', { dataDir: '/data', source: 'docs/agents.md' });
    expect(policy).toMatchObject({ maxConcurrentRuns: 4, downloadExecEnabled: false, jsEnabled: true });
  });

  it('reports every problem with CONFIG_INVALID and its line:column', () => {
    const err = errorsOf(() =>
      parsePolicy(
        'allowed_commands: [echo]\nmax_concurrent_runs: 0\nallowed_file_roots: [relative/dir]\nalowed_services: []\n',
        {
          dataDir: '/data',
          source: 'p.yaml',
        },
      ),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'max_concurrent_runs', line: 2, column: 22 }),
        expect.objectContaining({ path: 'allowed_file_roots.0', line: 3, column: 22 }),
        expect.objectContaining({ path: 'alowed_services', line: 4, column: 1 }),
      ]),
    );
    const syntax = errorsOf(() => parsePolicy('allowed_commands: [echo\n', { dataDir: '/d', source: 'p.yaml' }));
    expect(syntax.code).toBe('CONFIG_INVALID');
    expect(syntax.errors?.[0]).toMatchObject({ line: expect.any(Number) });
  });

  it('hot-reloads a changed file and keeps the old policy when the new one is invalid', async () => {
    const dir = await h.dirs.make();
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'allowed_commands: [echo]\n');
    const store = await PolicyStore.open({ dataDir: dir, file: undefined, logger: silent, debounceMs: 20 });
    stores.push(store);
    store.watch();
    expect(store.current().allowedCommands).toEqual(['echo']);
    // an editor-style replace: write a temp file, rename it over the policy
    await writeFile(join(dir, 'next.tmp'), 'allowed_commands: [echo, ls]\nmax_concurrent_runs: 7\n');
    await rename(join(dir, 'next.tmp'), file);
    await eventually(() => store.current().maxConcurrentRuns === 7);
    expect(store.current().allowedCommands).toEqual(['echo', 'ls']);
    const before = store.current();
    await writeFile(file, 'max_concurrent_runs: lots\n');
    expect(await store.reload()).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(store.current()).toBe(before);
  });

  it('an agent refuses to start with an invalid policy file (CONFIG_INVALID), before enrolling', async () => {
    const cp = await h.controlPlane();
    const dataDir = await h.dirs.make();
    const policyFile = join(dataDir, 'strict.yaml');
    await writeFile(policyFile, 'allowed_commands: echo\n');
    await expect(h.agent(cp, dataDir, { policyFile })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(cp.connections).toBe(0);
    await expect(h.agent(cp, dataDir, { policyFile: join(dataDir, 'missing.yaml') })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
