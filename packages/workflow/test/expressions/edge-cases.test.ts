import { describe, expect, it } from 'vitest';
import { evaluateExpression, resolveTemplates } from '@flotilla/workflow';
import type { TemplateScope } from '@flotilla/workflow';

const scope: TemplateScope = {
  inputs: { name: 'a-b', big: 2 ** 60 },
  vars: { 'app-version': '1.0' },
  secrets: {},
  steps: { 'build-app': { outputs: { 'image-tag': 'v1' }, status: 'succeeded' } },
};

describe('expression edge cases', () => {
  it('keeps "}}" inside string literals and maps', () => {
    expect(resolveTemplates('${{ "}}" + "x" }}', scope)).toBe('}}x');
    expect(resolveTemplates('${{ {"a": {"b": 1}}.a.b }}', scope)).toBe(1);
  });

  it('reads hyphenated names after a dot but still subtracts with spaces', () => {
    expect(evaluateExpression('steps.build-app.outputs.image-tag', scope)).toBe('v1');
    expect(evaluateExpression('vars.app-version', scope)).toBe('1.0');
    expect(evaluateExpression('size(inputs.name) - 1', scope)).toBe(2);
    expect(evaluateExpression('"a-b.c-d"', scope)).toBe('a-b.c-d');
    expect(evaluateExpression('1.5e-3 * 1000.0', scope)).toBe(1.5);
  });

  it('passes large integers through as doubles', () => {
    expect(evaluateExpression('inputs.big', scope)).toBe(2 ** 60);
  });
});
