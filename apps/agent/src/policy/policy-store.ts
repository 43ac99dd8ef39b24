import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isFlotillaError } from '@flotilla/protocol';
import type { AgentLogger } from '../logger.js';
import { loadPolicyFile } from './policy-file.js';
import { defaultPolicy, type CompiledPolicy } from './policy-schema.js';

/** Where the current policy is read from; steps read it when they run, so a reload applies at once. */
export interface PolicySource {
  current(): CompiledPolicy;
}

export interface PolicyStoreOptions {
  readonly dataDir: string;
  /** An explicit `--policy FILE`: it must exist. Without it `<dataDir>/policy.yaml` is optional. */
  readonly file: string | undefined;
  readonly logger: AgentLogger;
  /** Quiet time after the last change before the file is read again. @default 100 */
  readonly debounceMs?: number | undefined;
}

export const DEFAULT_POLICY_FILE = 'policy.yaml';

/**
 * Holds the agent's compiled policy and hot-reloads it when the file changes (SPEC §4). A reload
 * swaps one immutable object, so a step sees either the old or the new policy, never a mix; a
 * new file that does not validate is rejected with a log line and the old policy stays.
 */
export class PolicyStore implements PolicySource {
  readonly path: string;
  #policy: CompiledPolicy;
  readonly #o: PolicyStoreOptions;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<(policy: CompiledPolicy) => void>();

  private constructor(options: PolicyStoreOptions, path: string, policy: CompiledPolicy) {
    this.#o = options;
    this.path = path;
    this.#policy = policy;
  }

  /** Loads the policy; throws `CONFIG_INVALID` when the file is invalid (or an explicit one is missing). */
  static async open(options: PolicyStoreOptions): Promise<PolicyStore> {
    const path = options.file ?? join(options.dataDir, DEFAULT_POLICY_FILE);
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    const policy =
      exists || options.file !== undefined
        ? await loadPolicyFile(path, options.dataDir)
        : defaultPolicy(options.dataDir);
    return new PolicyStore(options, path, policy);
  }

  current(): CompiledPolicy {
    return this.#policy;
  }

  /** Called with every policy that replaces the current one. */
  onChange(listener: (policy: CompiledPolicy) => void): void {
    this.#listeners.add(listener);
  }

  /**
   * Watches the file's directory (an editor or `mv` replaces the file, which a watch on the file
   * itself would lose) and reloads after `debounceMs` of quiet.
   */
  watch(): void {
    if (this.#watcher !== undefined) return;
    const name = basename(this.path);
    try {
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== name) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => {
          this.#reloading = this.#reloading.then(async () => {
            await this.reload();
          });
        }, this.#o.debounceMs ?? 100);
      });
      this.#watcher.on('error', (err) => {
        this.#o.logger.warn({ err, path: this.path }, 'policy watch failed; hot reload is off');
      });
    } catch (err) {
      this.#o.logger.warn({ err, path: this.path }, 'cannot watch the policy file; hot reload is off');
    }
  }

  /** Reads the file again; keeps the current policy when the file is missing or invalid. */
  async reload(): Promise<boolean> {
    const exists = await access(this.path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      // Deleting a restrictive policy must not silently open the agent up.
      this.#o.logger.warn({ path: this.path }, 'policy file removed; keeping the current policy');
      return false;
    }
    try {
      this.#policy = await loadPolicyFile(this.path, this.#o.dataDir);
    } catch (err) {
      const errors = isFlotillaError(err) ? err.errors : undefined;
      this.#o.logger.error(
        { path: this.path, errors, err: err instanceof Error ? err.message : String(err) },
        'policy file rejected; keeping the current policy',
      );
      return false;
    }
    this.#o.logger.info({ path: this.path }, 'policy reloaded');
    for (const listener of this.#listeners) listener(this.#policy);
    return true;
  }

  /** Stops watching. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#reloading;
  }
}
