import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { AlertRequest, HttpDestinationPolicy } from '@flotilla/workflow';
import { spawnDirectly } from '../process/launcher.js';
import type { Launch } from '../process/launcher.js';
import type { NodeStepServices } from '../process/step-launcher.js';

/** Options of `createLocalServices`: a permissive policy for runs on one's own machine. */
export interface LocalServicesOptions {
  /** Directories file steps may touch. @default [process.cwd(), os.tmpdir()] */
  fileRoots?: readonly string[] | undefined;
  /** Commands the command step may run. @default ['*'] (all) */
  allowedCommands?: readonly string[] | undefined;
  /** Loader variables (LD_PRELOAD…) steps may set. @default ['*'] (all: it is the user's own machine) */
  allowedLoaderEnv?: readonly string[] | undefined;
  /** Where HTTP requests may go. @default no restriction */
  httpDestinations?: HttpDestinationPolicy | undefined;
  /** Services the service step may control. @default [] */
  allowedServices?: readonly string[] | undefined;
  /** @default true */
  downloadExecEnabled?: boolean | undefined;
  /** @default true */
  jsEnabled?: boolean | undefined;
  /** Where `alert` steps go. @default a line on stderr */
  onAlert?: ((alert: AlertRequest) => void) | undefined;
  /**
   * How steps start processes: `flotilla run` passes its launcher helper's (`useLauncherHelper`).
   * @default spawnDirectly (forks from this process)
   */
  launch?: Launch | undefined;
}

/**
 * Step services for `flotilla run` and tests: no control plane, the user's own policy. The
 * agent builds its services from its (restrictive) policy file instead.
 */
export function createLocalServices(options: LocalServicesOptions = {}): NodeStepServices {
  const onAlert =
    options.onAlert ??
    ((alert: AlertRequest) => {
      process.stderr.write(
        `alert [${alert.severity}] ${alert.title}${alert.message === undefined ? '' : `: ${alert.message}`}\n`,
      );
    });
  return {
    policy: {
      allowedFileRoots: (options.fileRoots ?? [process.cwd(), tmpdir()]).map((root) => resolve(root)),
      allowedCommands: options.allowedCommands ?? ['*'],
      allowedLoaderEnv: options.allowedLoaderEnv ?? ['*'],
      httpDestinations: options.httpDestinations ?? { deny: [], denyMetadata: false },
      allowedServices: options.allowedServices ?? [],
      downloadExecEnabled: options.downloadExecEnabled ?? true,
      jsEnabled: options.jsEnabled ?? true,
    },
    raiseAlert(alert) {
      onAlert(alert);
      return Promise.resolve();
    },
    launch: options.launch ?? spawnDirectly,
  };
}
