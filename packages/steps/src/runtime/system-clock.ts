import type { Clock } from '@flotilla/workflow';

/** Node caps timer delays at 2^31-1 ms (about 24.8 days) and fires longer ones at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** The real clock: wall time and `setTimeout`, for the agent and `flotilla run`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const due = Date.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const arm = (): void => {
        const left = due - Date.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (ms <= 0) {
        // still yield to the event loop, as a zero timeout would
        timer = setTimeout(arm, 0);
        return;
      }
      arm();
    });
  },
};
