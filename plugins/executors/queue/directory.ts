// Live workers of a queue: each worker keeps a key with its environment alive (a short TTL it refreshes), so
// a killed worker drops out within seconds. Refusals (a worker whose environment a run does not accept) are
// kept beside it for the run to report.
import type { Redis } from 'ioredis';
import { KEY_PREFIX, type WorkerEnvironment } from './protocol.js';

export const WORKER_TTL_SECONDS = 10;

export class WorkerDirectory {
  constructor(private readonly redis: Redis, private readonly queue: string) {}

  private key(id: string): string {
    return `${KEY_PREFIX}:${this.queue}:worker:${id}`;
  }

  async announce(worker: WorkerEnvironment): Promise<void> {
    await this.redis.set(this.key(worker.id), JSON.stringify(worker), 'EX', WORKER_TTL_SECONDS);
  }

  async leave(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async live(): Promise<WorkerEnvironment[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return values.filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v) as WorkerEnvironment);
  }

  /** Records that `worker` refused batches of `environmentKey`, and why (latest refusal per worker). */
  async refuse(environmentKey: string, worker: WorkerEnvironment, reason: string): Promise<void> {
    const key = `${KEY_PREFIX}:${this.queue}:refusals:${environmentKey}`;
    await this.redis.hset(key, worker.id, JSON.stringify({ worker, reason, at: new Date().toISOString() }));
    await this.redis.expire(key, 7 * 24 * 3600);
  }

  async refusals(environmentKey: string): Promise<Array<{ worker: WorkerEnvironment; reason: string; at: string }>> {
    const all = await this.redis.hgetall(`${KEY_PREFIX}:${this.queue}:refusals:${environmentKey}`);
    return Object.values(all).map((v) => JSON.parse(v) as { worker: WorkerEnvironment; reason: string; at: string });
  }
}
