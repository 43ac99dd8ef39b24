import { describe, expect, it } from 'vitest';
import { yaml } from '../document/helpers.js';
import { probeHarness, recordOf, statusesOf } from './probe-harness.js';

describe('probe semantics on the engine', () => {
  it('steps of a job all run after one fails; dependents of the failed job are skipped, independent jobs go on', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: failures',
        'jobs:',
        '- name: first',
        '  id: first',
        '  steps:',
        '  - { id: a, uses: shell, with: { cmd: exit 3 }, test: res.code == 0 }',
        '  - { id: b, uses: shell, with: { cmd: echo still }, test: res.code == 0 }',
        '- { name: second, id: second, needs: [first], steps: [{ id: c, uses: hello }] }',
        '- { name: third, id: third, needs: [second], steps: [{ id: d, uses: hello }] }',
        '- { name: other, id: other, steps: [{ id: e, uses: shell, with: { cmd: echo other } }] }',
      ),
    );
    expect(record.status).toBe('failed');
    expect(statusesOf(record)).toEqual({
      'first/a': 'failed',
      'first/b': 'succeeded',
      first: 'failed',
      second: 'skipped',
      third: 'skipped',
      'other/e': 'succeeded',
      other: 'succeeded',
    });
    expect(recordOf(record, 'first/a').error).toEqual({
      code: 'STEP_FAILED',
      message: 'test failed: res.code == 0 (res.code is 3)',
      retryable: false,
    });
    expect(record.error).toMatchObject({ code: 'STEP_FAILED', step: 'first/a' });
    expect(h.calls).toEqual(expect.arrayContaining(['exit 3', 'echo still', 'echo other']));
  });

  it('a step without a test passes whatever its status (probe: untested); the action failing fails it whatever the test', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: untested',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - { id: nonzero, uses: shell, with: { cmd: exit 2 } }',
        '  - { id: broken, uses: shell, with: { cmd: crash }, test: "true" }',
      ),
    );
    expect(statusesOf(record)).toMatchObject({ 'j/nonzero': 'succeeded', 'j/broken': 'failed', j: 'failed' });
    expect(recordOf(record, 'j/nonzero').outputs).toMatchObject({ status: 1, res: { code: 2 } });
    expect(recordOf(record, 'j/broken').error?.message).toBe('cannot start crash');
  });

  it('outputs are read nested and flat; the first flat value stays, the nested one is replaced', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: outputs',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - { id: auth, uses: hello, with: { t: secret1 }, outputs: { token: res.t, user: "\'u1\'" } }',
        '  - { id: other, uses: hello, outputs: { token: "\'second\'" } }',
        '  - id: check',
        '    uses: hello',
        '    test: outputs.auth.token == "secret1" && outputs.token == "secret1" && outputs.other.token == "second" && outputs.user == "u1"',
        '    echo: "{{outputs.auth.token}}/{{outputs.token}}"',
        '- { name: later, needs: [j], steps: [{ id: x, uses: hello, test: outputs.user == "u1" }] }',
      ),
    );
    expect(statusesOf(record)).toMatchObject({ 'j/check': 'succeeded', 'later/x': 'succeeded' });
    expect(recordOf(record, 'j/auth').outputs).toMatchObject({
      published: { as: 'auth', outputs: { token: 'secret1', user: 'u1' } },
    });
    expect(h.stdout('j/check')).toEqual(['secret1/secret1']);
    expect(recordOf(record, 'j/check').outputs).toMatchObject({ echo: 'secret1/secret1' });
  });

  it('retry repeats the step until its test passes, interval apart after the initial delay', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: retry',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - id: eventually',
        '    uses: shell',
        '    with: { cmd: ready-after 3 a }',
        '    retry: { max_attempts: 5, interval: 200ms, initial_delay: 1s }',
        '    test: res.code == 0',
        '  - id: never',
        '    uses: shell',
        '    with: { cmd: ready-after 9 b }',
        '    retry: { max_attempts: 2, interval: 1s }',
        '    test: res.stdout contains "try 9"',
        '  - id: untested',
        '    uses: shell',
        '    with: { cmd: ready-after 2 c }',
        '    retry: { max_attempts: 4 }',
      ),
    );
    expect(recordOf(record, 'j/eventually')).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(recordOf(record, 'j/never')).toMatchObject({ status: 'failed', attempts: 2 });
    // without a test, retried until the action's status is 0
    expect(recordOf(record, 'j/untested')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(h.clock.sleeps.filter((ms) => ms !== 300_000 && ms !== 30_000)).toEqual([1000, 200, 200, 1000]);
  });

  it('repeat runs the job count times with repeat_index; async runs overlap', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: repeat',
        'jobs:',
        '- name: seq',
        '  id: seq',
        '  repeat: { count: 3, interval: 2s }',
        '  steps:',
        '  - { id: s, uses: hello, with: { i: "{{repeat_index}}" }, test: res.i == repeat_index, outputs: { last: res.i } }',
        '- name: par',
        '  id: par',
        '  repeat: { count: 2, interval: 1s, async: true }',
        '  steps:',
        '  - { id: p, uses: shell, with: { cmd: sleep 5000 } }',
        '- { name: after, needs: [seq], steps: [{ id: a, uses: hello, test: outputs.seq == nil && outputs.s.last == 2 }] }',
      ),
    );
    expect(statusesOf(record)).toMatchObject({
      'seq[0]/s': 'succeeded',
      'seq[1]/s': 'succeeded',
      'seq[2]/s': 'succeeded',
      seq: 'succeeded',
      'par[0]/p': 'succeeded',
      'par[1]/p': 'succeeded',
      'after/a': 'succeeded',
    });
    expect(recordOf(record, 'seq[2]/s').outputs).toMatchObject({ res: { i: 2 } });
    // both async runs started 1s apart and slept 5s each: the job took 6s, not 11s
    expect(recordOf(record, 'par').durationMs).toBe(6000);
  });

  it('iteration runs the step once per entry, the entry merged into vars', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: iteration',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - name: "check {{vars.name}}"',
        '    id: it',
        '    uses: hello',
        '    vars: { name: default, role: admin }',
        '    with: { name: "{{vars.name}}", role: "{{vars.role}}" }',
        '    iteration: [{ name: foo }, { name: bar, role: user }]',
        '    test: res.name != "default"',
      ),
    );
    expect(statusesOf(record)).toEqual({
      'j/it[0]': 'succeeded',
      'j/it[1]': 'succeeded',
      'j/it': 'succeeded',
      j: 'succeeded',
    });
    expect(recordOf(record, 'j/it[1]')).toMatchObject({
      name: 'check bar',
      outputs: { res: { name: 'bar', role: 'user' } },
    });
    expect(recordOf(record, 'j/it[0]').outputs).toMatchObject({ res: { name: 'foo', role: 'admin' } });
  });

  it('skipif skips a step or a whole job; wait sleeps before a step that runs', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: skip',
        'vars: { env: local }',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - { id: skipped, uses: shell, with: { cmd: exit 1 }, skipif: vars.env == "local", wait: 10s }',
        '  - { id: waited, uses: hello, skipif: vars.env == "prod", wait: 3s }',
        '- { name: prod, id: prod, skipif: vars.env != "prod", steps: [{ id: p, uses: shell, with: { cmd: exit 1 } }] }',
      ),
    );
    expect(statusesOf(record)).toEqual({
      'j/skipped': 'skipped',
      'j/waited': 'succeeded',
      j: 'succeeded',
      'prod/p': 'skipped',
      prod: 'skipped',
    });
    expect(record.status).toBe('succeeded');
    expect(h.calls).toEqual([]);
    expect(h.clock.sleeps).toContain(3000);
    expect(h.clock.sleeps).not.toContain(10_000);
  });

  it('vars read the environment and the secrets (which win), once, before the first job', async () => {
    const h = probeHarness();
    const doc = yaml(
      'name: vars',
      'vars:',
      '  token: "{{TOKEN ?? \'fallback\'}}"',
      '  region: "{{REGION ?? \'eu\'}}"',
      '  url: "https://{{vars.region}}.example"',
      'jobs:',
      '- { name: j, id: j, steps: [{ id: s, uses: hello, with: { t: "{{vars.token}}", u: "{{vars.url}}" } }] }',
    );
    const record = await h.run(doc, {
      environment: { TOKEN: 'from-env', REGION: 'us' },
      secrets: { TOKEN: 'from-secret' },
    });
    expect(recordOf(record, 'j/s').outputs).toMatchObject({ res: { t: '***', u: 'https://us.example' } });
    const defaults = await probeHarness().run(doc);
    expect(recordOf(defaults, 'j/s').outputs).toMatchObject({ res: { t: 'fallback', u: 'https://eu.example' } });
  });

  it('a var that fails stops the run before its first job', async () => {
    const h = probeHarness();
    const record = await h.run(
      yaml(
        'name: vars',
        'vars: { a: "{{vars.b}}", b: "{{vars.a}}" }',
        'jobs:',
        '- { name: j, id: j, steps: [{ id: s, uses: shell, with: { cmd: echo hi } }] }',
      ),
    );
    expect(record.status).toBe('failed');
    expect(record.error).toMatchObject({ code: 'EXPRESSION_ERROR', message: 'vars: circular reference: a -> b -> a' });
    expect(statusesOf(record)).toEqual({ j: 'skipped' });
    expect(h.calls).toEqual([]);
  });

  it('embedded runs a job file read through the host, its outputs in res.outputs', async () => {
    const files: Record<string, string> = {
      './auth.yml': yaml(
        'name: auth',
        'steps:',
        '- { id: get_token, uses: shell, with: { cmd: echo 0123 }, outputs: { mytoken: "trim(res.stdout)" } }',
        '- { id: who, uses: hello, with: { n: "{{vars.name}}" }, test: res.n == "foobar" }',
      ),
    };
    const h = probeHarness({
      readJobFile: (path) => Promise.resolve(files[path] ?? Promise.reject(new Error(`no ${path}`))),
    });
    const record = await h.run(
      yaml(
        'name: embedded',
        'jobs:',
        '- name: j',
        '  id: j',
        '  steps:',
        '  - id: auth',
        '    uses: embedded',
        '    with: { path: ./auth.yml, vars: { name: foobar } }',
        '    test: res.code == 0',
        '    outputs: { token: res.outputs.mytoken, nested: res.outputs.get_token.mytoken }',
        '  - { id: use, uses: hello, test: outputs.auth.token == "0123" && outputs.nested == "0123" }',
        '  - { id: missing, uses: embedded, with: { path: ./none.yml }, test: res.code == 0 }',
      ),
    );
    expect(statusesOf(record)).toMatchObject({
      'j/auth/get_token': 'succeeded',
      'j/auth/who': 'succeeded',
      'j/auth': 'succeeded',
      'j/use': 'succeeded',
      'j/missing': 'failed',
    });
    expect(recordOf(record, 'j/missing').outputs).toMatchObject({ res: { code: 1 } });
  });
});
