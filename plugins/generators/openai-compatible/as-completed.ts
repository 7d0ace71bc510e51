// Runs one task per item concurrently (the transport bounds the real concurrency) and yields results as they
// finish. After the first failure no new request is sent (the gate throws), requests already in flight are
// allowed to finish so their answers reach the cache, and then the first error is thrown.

/** Shared by all requests of one generate call. */
export interface Gate {
  /** Throws when no new request should be sent. */
  check(): void;
  /** Records a failure at once, before the next queued request gets its turn. */
  fail(error: unknown): void;
}

export function asCompleted<T, R>(items: T[], task: (item: T, gate: Gate) => Promise<R>): AsyncIterable<R> {
  return {
    [Symbol.asyncIterator]() {
      let failure: unknown;
      let stopped = false;
      const gate: Gate = {
        check() {
          if (failure !== undefined) throw failure;
          if (stopped) throw new Error('generation stopped by the consumer');
        },
        fail(error) {
          if (failure === undefined) failure = error;
        },
      };
      const ready: R[] = [];
      let pending = items.length;
      let wake: (() => void) | undefined;
      for (const item of items) {
        task(item, gate).then(
          (result) => { ready.push(result); },
          (error) => { if (failure === undefined) failure = error; },
        ).finally(() => {
          pending--;
          wake?.();
        });
      }
      return {
        async next(): Promise<IteratorResult<R>> {
          for (;;) {
            if (failure !== undefined) {
              // Let in-flight requests land in the cache before failing the stage.
              while (pending > 0) await new Promise<void>((r) => (wake = r));
              throw failure;
            }
            if (ready.length > 0) return { value: ready.shift() as R, done: false };
            if (pending === 0) return { value: undefined, done: true };
            await new Promise<void>((r) => (wake = r));
          }
        },
        async return(): Promise<IteratorResult<R>> {
          stopped = true;
          return { value: undefined, done: true };
        },
      };
    },
  };
}
