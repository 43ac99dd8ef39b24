import { accessSync, constants, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceConfigSchema, findExecutable, serviceStep } from '@flotilla/steps';
import type { ContextOverrides } from '../helpers/context.js';
import { makeContext } from '../helpers/context.js';
import { present } from '../helpers/require-service.js';

function setup(
  config: Record<string, unknown>,
  overrides?: ContextOverrides,
): ReturnType<typeof makeContext<ReturnType<typeof ServiceConfigSchema.parse>>> {
  return makeContext(ServiceConfigSchema.parse(config), overrides);
}

const systemd = existsSync('/run/systemd/system') && (await findExecutable('systemctl')) !== undefined;
const sysv = !systemd && (await findExecutable('service')) !== undefined;
const canWriteInitD =
  sysv &&
  (() => {
    try {
      accessSync('/etc/init.d', constants.W_OK);
      return true;
    } catch {
      return false;
    }
  })();

describe('service step', () => {
  it('validates names and actions; status is idempotent, changes are at-most-once', () => {
    expect(ServiceConfigSchema.safeParse({ name: '--all', action: 'status' }).success).toBe(false);
    expect(ServiceConfigSchema.safeParse({ name: 'a b', action: 'status' }).success).toBe(false);
    expect(ServiceConfigSchema.safeParse({ name: 'nginx', action: 'reload-or-kill' }).success).toBe(false);
    expect(ServiceConfigSchema.safeParse({ name: 'nginx', action: 'status', user: 'x' }).success).toBe(false);
    expect(serviceStep.effect(ServiceConfigSchema.parse({ name: 'getty@tty1.service', action: 'status' }))).toBe(
      'idempotent',
    );
    expect(serviceStep.effect(ServiceConfigSchema.parse({ name: 'nginx', action: 'restart' }))).toBe('at-most-once');
  });

  it('is denied unless the service is in allowedServices', async () => {
    const { ctx } = setup({ name: 'nginx', action: 'restart' }, { policy: { allowedServices: ['cron'] } });
    await expect(serviceStep.run(ctx)).rejects.toMatchObject({ code: 'POLICY_DENIED', retryable: false });
  });

  it('fails with DEPENDENCY_MISSING when no service manager exists', async () => {
    const { ctx } = setup({ name: 'cron', action: 'status' }, { env: { PATH: '/nonexistent-flotilla' } });
    await expect(serviceStep.run(ctx)).rejects.toMatchObject({ code: 'DEPENDENCY_MISSING' });
  });

  it('on this machine: the status of an unknown service is a STEP_FAILED', async () => {
    if (!present('a service manager (systemd or service)', systemd || sysv)) return;
    const { ctx } = setup({ name: 'flotilla-no-such-service', action: 'status' });
    await expect(serviceStep.run(ctx)).rejects.toMatchObject({ code: 'STEP_FAILED' });
  });
});

/**
 * A real sysvinit service driven through the real `service` and `update-rc.d`: a throwaway init
 * script whose daemon is a `sleep`. Only where init scripts are in use and writable (here: root
 * in a container without systemd); elsewhere it is skipped loudly.
 */
describe('service step against a real init script', () => {
  const name = `flotilla-test-${process.pid}`;
  const pidFile = `/tmp/${name}.pid`;
  const available = present('a writable /etc/init.d with the sysvinit `service` command', canWriteInitD);

  beforeAll(() => {
    if (!available) return;
    writeFileSync(
      `/etc/init.d/${name}`,
      [
        '#!/bin/sh',
        '### BEGIN INIT INFO',
        `# Provides:          ${name}`,
        '# Required-Start:',
        '# Required-Stop:',
        '# Default-Start:     2 3 4 5',
        '# Default-Stop:      0 1 6',
        '# Short-Description: Flotilla test service',
        '### END INIT INFO',
        `PIDFILE=${pidFile}`,
        'running() { [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; }',
        'case "$1" in',
        '  start) running || { sleep 300 >/dev/null 2>&1 & echo $! > $PIDFILE; }; echo started ;;',
        '  stop) running && kill "$(cat $PIDFILE)"; rm -f $PIDFILE; echo stopped ;;',
        '  restart) "$0" stop; "$0" start ;;',
        '  status) if running; then echo running; else echo "not running"; exit 3; fi ;;',
        '  *) echo "usage: $0 start|stop|restart|status"; exit 2 ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });

  afterAll(() => {
    if (!available) return;
    execFileSync('/etc/init.d/' + name, ['stop']);
    execFileSync('update-rc.d', ['-f', name, 'remove'], { stdio: 'ignore' });
    rmSync(`/etc/init.d/${name}`, { force: true });
  });

  const run = async (action: string): Promise<Record<string, unknown>> => {
    const { ctx } = setup({ name, action }, { policy: { allowedServices: [name] } });
    return (await serviceStep.run(ctx)).outputs;
  };

  it.runIf(available)('reports stopped, starts, reports running, restarts and stops', async () => {
    expect(await run('status')).toMatchObject({ active: false, output: 'not running\n' });
    expect(await run('start')).toMatchObject({ active: true });
    expect(await run('status')).toMatchObject({ active: true, output: 'running\n' });
    expect(await run('restart')).toMatchObject({ active: true });
    expect(await run('stop')).toMatchObject({ active: false });
    expect(await run('status')).toMatchObject({ active: false });
  });

  it.runIf(available)('enables and disables it in the runlevels', async () => {
    const links = (prefix: string): string[] =>
      readdirSync('/etc/rc2.d').filter((f) => f.startsWith(prefix) && f.endsWith(name));
    await run('enable');
    expect(links('S')).toHaveLength(1);
    await run('disable');
    expect(links('S')).toHaveLength(0);
    expect(links('K')).toHaveLength(1);
  });
});
