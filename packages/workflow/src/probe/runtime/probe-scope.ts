import type { ProbeOutputs } from './probe-outputs.js';

/**
 * What probe expressions read in one job run: the workflow's `vars` (already evaluated), the
 * published `outputs`, and `repeat_index` in a repeated job. Also what the actions need from the
 * host (`home` for `~` in paths).
 */
export interface ProbeScope {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly outputs: ProbeOutputs;
  readonly repeatIndex: number;
  readonly home: string | undefined;
}
