import { tmpdir } from 'node:os';
import { createLocalServices, systemClock } from '@flotilla/steps';
import { describe, expect, it } from 'vitest';

describe('system clock and local services', () => {
  it('sleeps for about the requested time', async () => {
    const start = Date.now();
    await systemClock.sleep(30);
    expect(Date.now() - start).toBeGreaterThanOrEqual(29);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(5);
  });

  it('rejects with the abort reason, also for delays beyond the 24.8-day timer limit', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const sleeping = systemClock.sleep(30 * 86_400_000, controller.signal);
    let settled = false;
    void sleeping.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    await expect(systemClock.sleep(10, controller.signal)).rejects.toBe(reason);
  });

  it('local services allow the working directory and the temp directory, and report alerts', async () => {
    const alerts: string[] = [];
    const services = createLocalServices({ onAlert: (a) => alerts.push(a.title) });
    expect(services.policy.allowedFileRoots).toEqual([process.cwd(), tmpdir()]);
    expect(services.policy.allowedCommands).toEqual(['*']);
    expect(services.policy.jsEnabled).toBe(true);
    await services.raiseAlert({ severity: 'info', title: 'hello' });
    expect(alerts).toEqual(['hello']);
  });
});
