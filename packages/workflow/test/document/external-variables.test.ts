import { validateWorkflow } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';

const uses = yaml(
  'name: ext',
  'variables: { region: eu }',
  'tasks:',
  '  - name: a',
  "    if: ${{ vars.release == '1.0' }}",
  '    type: command',
  '    config: { command: echo, args: ["deploy to {{.ENVIRONMENT}}"] }',
);

function warnings(text: string, externalVariables: string[]) {
  return validateWorkflow(text, { externalVariables }).warnings;
}

/** `externalVariables`: names set from outside (`flotilla run --var`), like `ansible-playbook -e`. */
describe('validation: variables set from outside the document', () => {
  it('without them, undeclared variables are UNKNOWN_NAME', () => {
    expect(positions(expectProblems(uses))).toEqual(['5:13 UNKNOWN_NAME', '7:48 UNKNOWN_NAME']);
  });

  it('with them, {{.NAME}} and vars.NAME read them as if declared, with no warning', () => {
    const workflow = expectValid(uses, { externalVariables: ['release', 'ENVIRONMENT'] });
    expect(workflow.variables).toEqual({ region: 'eu' });
    expect(warnings(uses, ['release', 'ENVIRONMENT'])).toEqual([]);
  });

  it('one nothing reads is UNUSED_VARIABLE, with the closest name the document reads or declares', () => {
    const result = validateWorkflow(uses, { externalVariables: ['release', 'ENVIRONMNET', 'regoin', 'zzz'] });
    // the misspelt name is not given, so the name the document reads is unknown (and suggests it)
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain('(did you mean "ENVIRONMNET"?)');
    expect(result.warnings.map((w) => `${w.line}:${w.column} ${w.code} ${w.message}`)).toEqual([
      '1:1 UNUSED_VARIABLE variable "ENVIRONMNET" is set from outside the document (--var) but nothing in it reads it (did you mean "ENVIRONMENT"?)',
      '1:1 UNUSED_VARIABLE variable "regoin" is set from outside the document (--var) but nothing in it reads it (did you mean "region"?)',
      '1:1 UNUSED_VARIABLE variable "zzz" is set from outside the document (--var) but nothing in it reads it',
    ]);
  });

  it('overriding a declared variable that nothing reads is also UNUSED_VARIABLE', () => {
    expect(warnings(uses, ['release', 'ENVIRONMENT', 'region']).map((w) => w.code)).toEqual(['UNUSED_VARIABLE']);
  });

  it('an expression that reads vars as a whole may use any of them', () => {
    const text = yaml(
      'name: whole',
      'tasks:',
      '  - { name: a, type: if, config: { condition: "${{ size(vars) > 0 }}" }, then: [] }',
    );
    expect(warnings(text, ['anything'])).toEqual([]);
  });
});
