import { describe, expect, it } from 'vitest';
import { AlertConfigSchema, alertStep } from '@flotilla/steps';
import { makeContext } from '../helpers/context.js';

describe('alert step', () => {
  it('validates severity and rejects unknown fields; at-most-once', () => {
    expect(AlertConfigSchema.safeParse({ severity: 'fatal', title: 'x' }).success).toBe(false);
    expect(AlertConfigSchema.safeParse({ severity: 'info', title: '' }).success).toBe(false);
    expect(AlertConfigSchema.safeParse({ severity: 'info', title: 'x', body: 'y' }).success).toBe(false);
    expect(alertStep.effect(AlertConfigSchema.parse({ severity: 'info', title: 'x' }))).toBe('at-most-once');
  });

  it('raises the alert through the host services', async () => {
    const config = AlertConfigSchema.parse({
      severity: 'critical',
      title: 'disk full',
      message: '/var at 99%',
      labels: { mount: '/var' },
    });
    const { ctx, alerts } = makeContext(config);
    expect((await alertStep.run(ctx)).outputs).toEqual({ severity: 'critical', title: 'disk full' });
    expect(alerts).toEqual([
      { severity: 'critical', title: 'disk full', message: '/var at 99%', labels: { mount: '/var' } },
    ]);
  });

  it('fails retryably when the host cannot raise it', async () => {
    const { ctx } = makeContext(AlertConfigSchema.parse({ severity: 'info', title: 'x' }));
    const failing = {
      ...ctx,
      services: { ...ctx.services, raiseAlert: () => Promise.reject(new Error('outbox full')) },
    };
    await expect(alertStep.run(failing)).rejects.toMatchObject({ code: 'STEP_FAILED', retryable: true });
  });
});
