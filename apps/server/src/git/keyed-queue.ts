/**
 * Runs tasks one at a time per key, in submission order; tasks of different keys run
 * concurrently. A failed task does not block the ones queued after it.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      // Drop the entry once idle, so the map does not grow with every key ever used.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
