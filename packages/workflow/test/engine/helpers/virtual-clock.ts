import type { Clock } from '@flotilla/workflow';

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
  cleanup: () => void;
}

/**
 * A deterministic clock for engine tests: time only moves when every in-process task is
 * waiting on a timer, and then jumps straight to the earliest one. A 5-minute timeout costs
 * no real time, and timers fire in due order whatever the machine's load.
 */
export class VirtualClock implements Clock {
  /** Every sleep requested, in order (to check retry delays). */
  readonly sleeps: number[] = [];
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private driving = false;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason as Error);
      };
      const timer: Timer = {
        due: this.current + ms,
        seq: this.seq++,
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.drive();
    });
  }

  private drive(): void {
    if (this.driving) return;
    this.driving = true;
    void (async () => {
      while (this.timers.length > 0) {
        // let every promise chain and immediate settle before time moves
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
        const timer = this.timers.shift();
        if (timer === undefined) break;
        this.current = Math.max(this.current, timer.due);
        timer.cleanup();
        timer.resolve();
      }
      this.driving = false;
    })();
  }
}
