import { describe, expect, it } from 'vitest';
import { assertCommandAllowed } from '@flotilla/steps';
import type { StepPolicy } from '@flotilla/workflow';
import { permissivePolicy } from '../helpers/context.js';

const policy = (allowedCommands: string[]): StepPolicy => ({ ...permissivePolicy, allowedCommands });

function deniedCode(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code: unknown }).code, retryable: (err as { retryable: unknown }).retryable };
  }
  return undefined;
}

describe('assertCommandAllowed', () => {
  it('allows everything with "*"', () => {
    expect(() => {
      assertCommandAllowed(policy(['*']), '/usr/bin/anything');
    }).not.toThrow();
  });

  it('allows by basename or by absolute path', () => {
    expect(() => {
      assertCommandAllowed(policy(['echo']), 'echo');
    }).not.toThrow();
    expect(() => {
      assertCommandAllowed(policy(['echo']), '/bin/echo');
    }).not.toThrow();
    expect(() => {
      assertCommandAllowed(policy(['/opt/app/deploy.sh']), './deploy.sh', '/opt/app');
    }).not.toThrow();
  });

  it('denies anything else with a non-retryable POLICY_DENIED', () => {
    expect(
      deniedCode(() => {
        assertCommandAllowed(policy(['echo']), 'rm');
      }),
    ).toEqual({ code: 'POLICY_DENIED', retryable: false });
    expect(
      deniedCode(() => {
        assertCommandAllowed(policy([]), 'echo');
      }),
    ).toEqual({ code: 'POLICY_DENIED', retryable: false });
    expect(
      deniedCode(() => {
        assertCommandAllowed(policy(['/opt/app/deploy.sh']), './deploy.sh', '/tmp');
      }),
    ).toEqual({ code: 'POLICY_DENIED', retryable: false });
  });
});
