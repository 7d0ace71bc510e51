// Executor instances by spec (plugin + resolved config), created through the registry and kept warm. Requests
// with other limits (run_code's run_timeout, memory) get other instances; idle ones beyond `max` are closed.
import { createHash } from 'node:crypto';
import type { Executor } from '../kernel/contract/kinds.js';
import { instantiatePlugin } from '../plugin-api.js';
import { standaloneContext } from '../testing/index.js';
import type { ExecutorSpec } from './policy.js';

interface Slot {
  executor: Promise<Executor>;
  busy: number;
  lastUsed: number;
}

export class ExecutorPool {
  private readonly slots = new Map<string, Slot>();
  private readonly ctx;

  constructor(baseDir: string, private readonly max = 4) {
    this.ctx = standaloneContext({ baseDir });
  }

  async use<T>(spec: ExecutorSpec, work: (executor: Executor) => Promise<T>): Promise<T> {
    const key = createHash('sha256').update(JSON.stringify([spec.plugin, spec.config])).digest('hex');
    let slot = this.slots.get(key);
    if (!slot) {
      const executor = instantiatePlugin('executor', spec, this.ctx, 'executor').then((i) => i.api);
      slot = { executor, busy: 0, lastUsed: Date.now() };
      this.slots.set(key, slot);
      executor.catch(() => this.slots.delete(key));
    }
    slot.busy++;
    try {
      return await work(await slot.executor);
    } finally {
      slot.busy--;
      slot.lastUsed = Date.now();
      void this.trim();
    }
  }

  private async trim(): Promise<void> {
    const idle = [...this.slots].filter(([, s]) => s.busy === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    while (this.slots.size > this.max && idle.length) {
      const [key, slot] = idle.shift()!;
      this.slots.delete(key);
      await (await slot.executor.catch(() => undefined))?.close?.();
    }
  }

  async close(): Promise<void> {
    this.ctx.abort();
    const all = [...this.slots.values()];
    this.slots.clear();
    for (const s of all) await (await s.executor.catch(() => undefined))?.close?.();
  }
}
