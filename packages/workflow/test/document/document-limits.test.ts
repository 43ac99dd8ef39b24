import { describe, expect, it } from 'vitest';
import { inputLimitProblem, validateWorkflow } from '@flotilla/workflow';
import { expectProblems, expectValid, positions } from './helpers.js';

// The documented limits (docs/workflows.md, docs/security.md), spelled out so that a change of
// a limit is a visible change of this test too.
const MAX_CHARS = 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_STEPS = 2000;

/** A workflow whose `variables.v` holds `depth` nested mappings: the document is `depth + 3` levels deep. */
function nestedMaps(depth: number): string {
  let text = 'name: deep\ntasks: []\nvariables:\n  v:\n';
  for (let i = 0; i < depth; i++) text += `${'  '.repeat(i + 2)}k${i}:\n`;
  return `${text}${'  '.repeat(depth + 2)}leaf: 1\n`;
}

function steps(count: number): string {
  let text = 'name: many\ntasks:\n';
  for (let i = 0; i < count; i++) text += `  - { name: s${i}, type: command, config: { command: "true" } }\n`;
  return text;
}

describe('validateWorkflow: document limits', () => {
  it('a document over 1 MiB → DOCUMENT_TOO_LARGE, without parsing it', () => {
    const text = `name: big\ntasks: []\ndescription: "${'x'.repeat(MAX_CHARS)}"\n`;
    const problems = expectProblems(text);
    expect(positions(problems)).toEqual(['1:1 DOCUMENT_TOO_LARGE']);
    expect(problems[0]?.message).toContain('1048576');
  });

  it('a document of exactly 1 MiB is validated as usual', () => {
    const head = 'name: big\ntasks: []\ndescription: "';
    const text = `${head}${'x'.repeat(MAX_CHARS - head.length - 2)}"\n`;
    expect(text.length).toBe(MAX_CHARS);
    expectValid(text);
  });

  it('600 KB of nested "[" → DOCUMENT_TOO_DEEP at the first bracket over the limit', () => {
    const text = `name: x\ntasks: ${'['.repeat(600_000)}`;
    const problems = expectProblems(text);
    expect(problems.map((p) => p.code)).toEqual(['DOCUMENT_TOO_DEEP']);
    // line 2, column 8 is the first "["; the limit is passed some 60 brackets later
    expect(problems[0]?.line).toBe(2);
    expect(problems[0]?.column).toBeGreaterThan(60);
    expect(problems[0]?.column).toBeLessThan(80);
  });

  it('deep flow mappings, block mappings and compact block lists → DOCUMENT_TOO_DEEP', () => {
    for (const text of [
      `name: x\ntasks: []\nvariables: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`,
      nestedMaps(500),
      `name: x\ntasks:\n${'- '.repeat(100_000)}x\n`,
      `{"name": "x", "tasks": [], "variables": ${'{"a": '.repeat(5000)}1${'}'.repeat(5000)}}`,
    ]) {
      expect(
        expectProblems(text).map((p) => p.code),
        text.slice(0, 40),
      ).toEqual(['DOCUMENT_TOO_DEEP']);
    }
  });

  it('nesting up to 64 levels is accepted; 65 is not', () => {
    expectValid(nestedMaps(MAX_DEPTH - 3));
    expect(expectProblems(nestedMaps(MAX_DEPTH - 2)).map((p) => p.code)).toEqual(['DOCUMENT_TOO_DEEP']);
  });

  it('aliases that build a value deeper than the limit → DOCUMENT_TOO_DEEP', () => {
    // each anchor is 40 levels deep and holds the previous one: no single node is deep in the
    // text, the value is
    let text = 'name: x\ntasks: []\nvariables:\n';
    let previous = '1';
    for (let i = 0; i < 5; i++) {
      text += `  a${i}: &a${i} ${'['.repeat(40)}${previous}${']'.repeat(40)}\n`;
      previous = `*a${i}`;
    }
    expect(expectProblems(text).map((p) => p.code)).toEqual(['DOCUMENT_TOO_DEEP']);
  });

  it('more than 2,000 steps → TOO_MANY_STEPS at the first step over the limit; 2,000 are accepted', () => {
    expectValid(steps(MAX_STEPS));
    const problems = expectProblems(steps(MAX_STEPS + 1));
    expect(positions(problems)).toEqual([`${MAX_STEPS + 3}:5 TOO_MANY_STEPS`]);
    expect(problems[0]?.message).toContain('2000');
  });

  it('counts nested, finally and rollback steps towards the step limit', () => {
    const half = MAX_STEPS / 2;
    let text = 'name: nested\ntasks:\n  - name: group\n    type: parallel\n    tasks:\n';
    for (let i = 0; i < half; i++)
      text += `      - { name: p${i}, type: command, config: { command: "true" }, rollback: { type: command, config: { command: "true" } } }\n`;
    text += 'finally:\n  - { name: last, type: command, config: { command: "true" } }\n';
    // 1 group + 1,000 children + 1,000 rollbacks + 1 finally = 2,002 steps
    expect(expectProblems(text).map((p) => p.code)).toEqual(['TOO_MANY_STEPS']);
  });

  it('the step registry path (CLI, agent) applies the same limits', () => {
    const result = validateWorkflow(`name: x\ntasks: ${'['.repeat(10_000)}`, { steps: new Map() });
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual(['DOCUMENT_TOO_DEEP']);
  });
});

describe('inputLimitProblem: the inputs of one run', () => {
  const nested = (depth: number): Record<string, unknown> => {
    let value: unknown = 1;
    for (let i = 1; i < depth; i++) value = [value];
    return { deep: value };
  };

  it('accepts 64 levels and 256 KiB; refuses 65 levels, 5,000 levels, and more than 256 KiB as JSON', () => {
    expect(inputLimitProblem(nested(64))).toBeUndefined();
    expect(inputLimitProblem({ blob: 'x'.repeat(256 * 1024 - 20) })).toBeUndefined();
    expect(inputLimitProblem(nested(65))).toEqual({
      path: 'inputs.deep.0.0',
      message: 'inputs are nested more than 64 levels deep',
    });
    expect(inputLimitProblem(nested(5000))?.path).toBe('inputs.deep.0.0');
    for (const inputs of [
      { blob: 'x'.repeat(256 * 1024) },
      { list: new Array<number>(200_000).fill(1) },
      // escapes make the JSON longer than the text: counted by the exact check
      { quotes: '"'.repeat(200_000) },
    ]) {
      expect(inputLimitProblem(inputs)).toEqual({
        path: 'inputs',
        message: 'inputs are over 262144 characters as JSON',
      });
    }
  });
});
