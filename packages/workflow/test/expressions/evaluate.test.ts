import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateExpression, resolveTemplates, TemplateError } from '@flotilla/workflow';
import type { TemplateScope } from '@flotilla/workflow';

const scope: TemplateScope = {
  inputs: { environment: 'production', count: 3, ratio: 1.5, hosts: ['a', 'b'] },
  vars: { app_version: '1.2.3', deploy_user: 'deploy', environment: 'shadowed' },
  secrets: { DB_PASSWORD: 's3cret' },
  steps: {
    'check-health': { outputs: { status: 200, body: { ok: true, items: [1, 2, 3] } }, status: 'succeeded' },
    build: { outputs: { version: '2.0.0' }, status: 'succeeded', result: 'ok' },
  },
  agent: { name: 'web-1', labels: { role: 'web' }, os: 'linux' },
  run: { status: 'succeeded', id: 'r1' },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).code;
  }
  return undefined;
}

describe('resolveTemplates', () => {
  it('substitutes {{.NAME}} from inputs, then variables, then secrets', () => {
    expect(resolveTemplates('{{.environment}} {{.app_version}} {{ .DB_PASSWORD }}', scope)).toBe(
      'production 1.2.3 s3cret',
    );
  });

  it('keeps the type of a value that is entirely one expression', () => {
    expect(resolveTemplates('${{ 1 + 2 }}', scope)).toBe(3);
    expect(resolveTemplates('  ${{ inputs.count > 2 }} ', scope)).toBe(true);
    expect(resolveTemplates('${{ inputs.hosts }}', scope)).toEqual(['a', 'b']);
    expect(resolveTemplates('${{ {"a": 1, "b": [true, "x"]} }}', scope)).toEqual({ a: 1, b: [true, 'x'] });
    expect(resolveTemplates('${{ inputs.ratio }}', scope)).toBe(1.5);
    expect(resolveTemplates('${{ null }}', scope)).toBeNull();
  });

  it('stringifies expression results inside text', () => {
    expect(resolveTemplates('n=${{ inputs.count + 1 }} ok=${{ true }} l=${{ [1, 2] }}', scope)).toBe(
      'n=4 ok=true l=[1,2]',
    );
    expect(resolveTemplates('deploy ${{ run.status }}', scope)).toBe('deploy succeeded');
  });

  it('walks objects and arrays and leaves other values alone', () => {
    const config = { url: 'https://{{.deploy_user}}.example', retries: 3, list: ['${{ index }}', null], flag: false };
    expect(resolveTemplates(config, { ...scope, index: 4 })).toEqual({
      url: 'https://deploy.example',
      retries: 3,
      list: [4, null],
      flag: false,
    });
  });

  it('reads step outputs, hyphenated ids and the foreach element', () => {
    expect(resolveTemplates('${{ steps.check-health.outputs.status }}', scope)).toBe(200);
    expect(resolveTemplates("${{ steps['check-health'].outputs.body.items.map(i, i * 2) }}", scope)).toEqual([2, 4, 6]);
    expect(resolveTemplates('${{ steps.check-health.outputs.body.items.size() - 1 }}', scope)).toBe(2);
    expect(resolveTemplates('${{ item.name }}-${{ index }}', { ...scope, item: { name: 'x' }, index: 0 })).toBe('x-0');
    expect(resolveTemplates('${{ agent.labels.role }}', scope)).toBe('web');
  });

  it('allows mixed int and double arithmetic', () => {
    expect(resolveTemplates('${{ inputs.ratio * 2 }}', scope)).toBe(3);
    expect(resolveTemplates('${{ 2 + inputs.ratio }}', scope)).toBe(3.5);
  });

  it('leaves strings without placeholders and foreign {{ }} untouched', () => {
    expect(resolveTemplates('plain {{ not.a.template }} text', scope)).toBe('plain {{ not.a.template }} text');
  });

  it('throws EXPRESSION_ERROR on unknown names and failing expressions', () => {
    expect(codeOf(() => resolveTemplates('{{.nope}}', scope))).toBe('EXPRESSION_ERROR');
    expect(codeOf(() => resolveTemplates('${{ 1 / 0 }}', scope))).toBe('EXPRESSION_ERROR');
    expect(codeOf(() => resolveTemplates('${{ inputs.missing }}', scope))).toBe('EXPRESSION_ERROR');
    expect(codeOf(() => resolveTemplates('${{ item }}', scope))).toBe('EXPRESSION_ERROR');
    expect(codeOf(() => resolveTemplates('${{ 1 + }}', scope))).toBe('EXPRESSION_ERROR');
    expect(codeOf(() => resolveTemplates('${{ 1 + 2', scope))).toBe('EXPRESSION_ERROR');
  });
});

describe('evaluateExpression and evaluateCondition', () => {
  it('accepts bare and wrapped expressions', () => {
    expect(evaluateExpression("inputs.environment == 'production'", scope)).toBe(true);
    expect(evaluateExpression('${{ steps.build.outputs.version }}', scope)).toBe('2.0.0');
    expect(evaluateExpression('v${{ steps.build.outputs.version }}', scope)).toBe('v2.0.0');
    expect(evaluateCondition("${{ inputs.environment == 'production' }}", scope)).toBe(true);
    expect(evaluateCondition('inputs.count < 2', scope)).toBe(false);
    expect(evaluateCondition('{{.environment}}', { ...scope, inputs: { environment: 'true' } })).toBe(true);
  });

  it('rejects non-boolean conditions without showing the value', () => {
    try {
      evaluateCondition('secrets.DB_PASSWORD', scope);
      expect.unreachable();
    } catch (err) {
      expect((err as TemplateError).code).toBe('EXPRESSION_ERROR');
      expect((err as Error).message).not.toContain('s3cret');
    }
  });

  it('converts big integers without losing precision', () => {
    expect(evaluateExpression('9007199254740993', scope)).toBe('9007199254740993');
    expect(evaluateExpression('int("42")', scope)).toBe(42);
  });
});
