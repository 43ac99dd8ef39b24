import { access } from 'node:fs/promises';
import { StepError } from '@flotilla/workflow';
import { findExecutable } from './find-executable.js';

/** What the `service` step can ask a service manager to do. */
export type ServiceAction = 'start' | 'stop' | 'restart' | 'status' | 'enable' | 'disable';

/** A program invocation: what to run for an action on a service. */
export interface ServiceInvocation {
  command: string;
  args: string[];
}

/** The host's service manager, reduced to the invocations the `service` step needs. */
export interface ServiceManager {
  readonly kind: 'systemd' | 'sysv';
  /** Throws `STEP_FAILED` when the manager does not know the service. */
  assertKnown(name: string): Promise<void>;
  /** The programs to run, in order, stopping at the first failure. */
  invocations(name: string, action: ServiceAction): Promise<ServiceInvocation[]>;
  /** Invocation whose exit code 0 means "running". */
  statusInvocation(name: string): ServiceInvocation;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Finds the service manager: systemd when `systemctl` exists and systemd is PID 1 (the
 * `/run/systemd/system` test of sd_booted(3): containers often ship systemctl without running
 * systemd), otherwise the sysvinit `service` wrapper. Neither → `DEPENDENCY_MISSING`.
 */
export async function detectServiceManager(path = process.env.PATH ?? ''): Promise<ServiceManager> {
  const systemctl = await findExecutable('systemctl', path);
  if (systemctl !== undefined && (await exists('/run/systemd/system'))) return systemdManager(systemctl);
  const service = await findExecutable('service', path);
  if (service !== undefined) return sysvManager(service, await findExecutable('update-rc.d', path));
  throw new StepError(
    'DEPENDENCY_MISSING',
    'no service manager on this agent: neither systemd (systemctl) nor the `service` command is available',
  );
}

function systemdManager(systemctl: string): ServiceManager {
  return {
    kind: 'systemd',
    // `systemctl status` itself says "could not be found" (exit 4); nothing to check up front.
    assertKnown: () => Promise.resolve(),
    invocations: (name, action) =>
      Promise.resolve([
        { command: systemctl, args: action === 'status' ? ['status', '--no-pager', '--', name] : [action, '--', name] },
      ]),
    statusInvocation: (name) => ({ command: systemctl, args: ['is-active', '--quiet', '--', name] }),
  };
}

function sysvManager(service: string, updateRcD: string | undefined): ServiceManager {
  return {
    kind: 'sysv',
    async assertKnown(name) {
      // `service` answers an unknown name with exit 1, which LSB status also uses for "dead".
      if (!(await exists(`/etc/init.d/${name}`))) {
        throw new StepError('STEP_FAILED', `unknown service "${name}" (no /etc/init.d/${name})`);
      }
    },
    invocations(name, action) {
      if (action !== 'enable' && action !== 'disable')
        return Promise.resolve([{ command: service, args: [name, action] }]);
      if (updateRcD === undefined) {
        return Promise.reject(
          new StepError('DEPENDENCY_MISSING', `cannot ${action} "${name}": update-rc.d is not installed`),
        );
      }
      // `enable`/`disable` only rewrite existing runlevel links; `defaults` creates them if absent
      // and leaves existing ones alone.
      return Promise.resolve([
        { command: updateRcD, args: [name, 'defaults'] },
        { command: updateRcD, args: [name, action] },
      ]);
    },
    statusInvocation: (name) => ({ command: service, args: [name, 'status'] }),
  };
}
