// One request at a time reaches the model: it is CPU-bound, so running two generations at once only makes
// both slower and breaks per-request timing. Requests wait in arrival order.

export interface ServerStats {
  /** Every HTTP request received under /v1 (the stats route excluded). */
  requests: number;
  /** Per route: "models", "completions", "chat.completions". */
  byRoute: Record<string, number>;
  /** Model calls that failed (4xx validation errors are not counted here). */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Requests waiting for the model right now. */
  queued: number;
}

export function emptyStats(): ServerStats {
  return { requests: 0, byRoute: {}, errors: 0, promptTokens: 0, completionTokens: 0, queued: 0 };
}

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly stats: ServerStats) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    this.stats.queued++;
    const result = this.tail.then(() => {
      this.stats.queued--;
      return task();
    });
    // The chain continues whether the task succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
