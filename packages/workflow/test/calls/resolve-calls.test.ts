import { describe, expect, it } from 'vitest';
import {
  compiledCallable,
  createCallResolver,
  resolveWorkflowCalls,
  validateWorkflow,
  type CallHost,
  type CallProblem,
  type CompiledCallable,
} from '@flotilla/workflow';
import { expectValid } from '../document/helpers.js';

/** A host over documents by name (`name` calls only), each validated when loaded, counting loads. */
function namedDocuments(texts: Record<string, string>) {
  const loads: string[] = [];
  const host: CallHost<CompiledCallable> = {
    locate(target) {
      if (target.name === undefined || !Object.hasOwn(texts, target.name))
        return { kind: 'missing', code: 'UNKNOWN_WORKFLOW', message: `no workflow ${target.name ?? target.path}` };
      return { kind: 'found', key: target.name };
    },
    load(key) {
      loads.push(key);
      const result = validateWorkflow(texts[key] ?? '');
      if (!result.ok)
        return Promise.resolve({ ok: false, problems: result.problems.map((p) => ({ ...p, document: key })) });
      return Promise.resolve({ ok: true, workflow: compiledCallable(key, key, result.workflow) });
    },
  };
  const root = (text: string): CompiledCallable => {
    const result = validateWorkflow(text);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return compiledCallable('(root)', 'root.yaml', result.workflow);
  };
  return { host, loads, root };
}

const call = (step: string, name: string, extra = '') =>
  `  - { name: ${step}, type: workflow, config: { name: ${name}${extra} } }`;
const doc = (name: string, ...lines: string[]) =>
  [`name: ${name}`, lines.length === 0 ? 'tasks: []' : 'tasks:', ...lines].join('\n') + '\n';
const where = (problems: readonly CallProblem[]) =>
  problems.map((p) => `${p.document}:${p.line}:${p.column} ${p.code}`);

describe('resolveWorkflowCalls', () => {
  it('loads every workflow called, directly or not, once each; the resolver runs each call', async () => {
    const { host, loads, root } = namedDocuments({
      b: doc('b', call('to-c', 'c'), call('to-c-again', 'c')),
      c: doc('c', '  - { name: leaf, type: if, config: { condition: true }, then: [] }'),
    });
    const a = root(doc('a', call('to-b', 'b'), call('to-c', 'c')));
    const result = await resolveWorkflowCalls(a, host);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(loads).toEqual(['b', 'c']);
    expect([...result.graph.callees.keys()]).toEqual(['b', 'c']);
    const resolve = createCallResolver(result.graph, (w) => w.workflow);
    const b = await resolve({ name: 'b' }, a.workflow);
    expect(b.name).toBe('b');
    expect((await resolve({ name: 'c' }, b)).name).toBe('c');
    // a call the graph does not hold (here: b never calls a)
    await expect(resolve({ name: 'a' }, b)).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
  });

  it('reports every problem at once, each in its own document', async () => {
    const { host, root } = namedDocuments({
      lib: doc('lib', '  - { name: x, type: if }'),
      typed: [
        'name: typed',
        'inputs:',
        '  env: { type: string, enum: [staging, production], required: true }',
        '  count: { type: number, default: 1 }',
        '  must: { type: boolean, required: true }',
        'tasks: []',
      ].join('\n'),
    });
    const a = root(
      doc(
        'a',
        call('ghost', 'nobody'),
        call('broken', 'lib'),
        '  - name: inputs',
        '    type: workflow',
        '    config:',
        '      name: typed',
        '      inputs: { env: prod, count: many, color: red, must: "${{ true }}" }',
        '  - { name: missing, type: workflow, config: { name: typed, inputs: { env: staging } } }',
      ),
    );
    const result = await resolveWorkflowCalls(a, host);
    if (result.ok) throw new Error('expected problems');
    expect(where(result.problems)).toEqual([
      'root.yaml:3:52 UNKNOWN_WORKFLOW',
      // the callee's own problems (an if step without then, nor condition), in the callee
      'lib:3:5 MISSING_FIELD',
      'lib:3:5 MISSING_FIELD',
      'root.yaml:9:22 INVALID_CONFIG',
      'root.yaml:9:35 INVALID_CONFIG',
      'root.yaml:9:41 UNKNOWN_CONFIG_FIELD',
      'root.yaml:10:69 MISSING_FIELD',
    ]);
    expect(result.problems.map((p) => p.message).slice(3)).toEqual([
      'workflow "typed": input "env" must be one of "staging", "production"',
      'workflow "typed": input "count" must be a number, got a string',
      'workflow "typed" has no input "color" (declared: env, count, must)',
      'workflow "typed" needs input "must" (required, no default)',
    ]);
    expect(result.problems[5]).toMatchObject({ step: 'inputs', path: 'tasks[2].config.inputs.color' });
  });

  it('refuses cycles (a → b → a, a → a) once each, at the call that closes them', async () => {
    const { host, root } = namedDocuments({
      a: doc('a', call('back', 'b')),
      b: doc('b', call('to-a', 'a'), call('self', 'b')),
    });
    const result = await resolveWorkflowCalls(root(doc('a', call('to-b', 'b'))), host);
    if (result.ok) throw new Error('expected a cycle');
    expect(where(result.problems)).toEqual(['b:3:51 WORKFLOW_CYCLE', 'b:4:51 WORKFLOW_CYCLE']);
    expect(result.problems.map((p) => p.message)).toEqual([
      'workflow cycle: a → b → a (a workflow cannot call itself, directly or through others)',
      'workflow cycle: b → b (a workflow cannot call itself, directly or through others)',
    ]);
  });

  it('refuses chains deeper than the limit, and more workflows than the limit', async () => {
    const texts: Record<string, string> = {};
    for (let i = 1; i <= 5; i++) texts[`w${i}`] = doc(`w${i}`, ...(i < 5 ? [call('next', `w${i + 1}`)] : []));
    const { host, root } = namedDocuments(texts);
    const deep = await resolveWorkflowCalls(root(doc('w0', call('next', 'w1'))), host, {
      maxDepth: 3,
      maxWorkflows: 32,
    });
    if (deep.ok) throw new Error('expected too deep');
    expect(where(deep.problems)).toEqual(['w3:3:51 WORKFLOW_CALL_TOO_DEEP']);
    expect(deep.problems[0]?.message).toBe('calls nest more than 3 deep: w0 → w1 → w2 → w3 → w4');
    const many = await resolveWorkflowCalls(root(doc('w0', call('next', 'w1'))), host, {
      maxDepth: 8,
      maxWorkflows: 2,
    });
    if (many.ok) throw new Error('expected too many');
    expect(where(many.problems)).toEqual(['w2:3:51 TOO_MANY_WORKFLOWS']);
  });

  it('a diamond (a → b → d, a → c → d) is no cycle; 32 documents calling each other densely resolve at once', async () => {
    const texts: Record<string, string> = {
      b: doc('b', call('to-d', 'd')),
      c: doc('c', call('to-d', 'd')),
      d: doc('d'),
    };
    // levels of 4 documents, each calling all 4 of the next level: 4^7 chains from the root
    for (let i = 1; i <= 28; i++) {
      const next = Array.from({ length: 4 }, (_, j) => Math.ceil(i / 4) * 4 + j + 1).filter((n) => n <= 28);
      texts[`l${i}`] = doc(`l${i}`, ...next.map((n) => call(`to-${n}`, `l${n}`)));
    }
    const { host, root } = namedDocuments(texts);
    const diamond = await resolveWorkflowCalls(root(doc('a', call('to-b', 'b'), call('to-c', 'c'))), host);
    expect(diamond.ok).toBe(true);
    const dense = await resolveWorkflowCalls(
      root(doc('l0', ...[1, 2, 3, 4].map((n) => call(`to-${n}`, `l${n}`)))),
      host,
    );
    if (!dense.ok) throw new Error(JSON.stringify(dense.problems));
    expect(dense.graph.callees.size).toBe(28);
  });

  it('a chain through two versions of one workflow is a cycle: a workflow is its name', async () => {
    const texts: Record<string, string> = {
      'a@1': doc('a', call('to-b', 'b')),
      'b@1': doc('b', call('to-a', 'a', ', version: 2')),
      'a@2': doc('a', '  - { name: leaf, type: if, config: { condition: true }, then: [] }'),
    };
    const host: CallHost<CompiledCallable> = {
      locate: (target) => {
        const key = `${target.name ?? ''}@${target.version ?? 1}`;
        return Object.hasOwn(texts, key)
          ? { kind: 'found', key }
          : { kind: 'missing', code: 'UNKNOWN_WORKFLOW', message: key };
      },
      load: (key) => {
        const result = validateWorkflow(texts[key] ?? '');
        if (!result.ok) throw new Error(key);
        return Promise.resolve({ ok: true, workflow: compiledCallable(key, key, result.workflow) });
      },
    };
    const result = await resolveWorkflowCalls(
      compiledCallable('(root)', 'root.yaml', expectValid(doc('main', call('go', 'a')))),
      host,
    );
    if (result.ok) throw new Error('expected a cycle');
    expect(result.problems.map((p) => `${p.document} ${p.code} ${p.message}`)).toEqual([
      'b@1 WORKFLOW_CYCLE workflow cycle: a → b → a (a workflow cannot call itself, directly or through others)',
    ]);
  });
});
