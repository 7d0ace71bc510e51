// Services the plugins of one run share (one loaded model for a generator and a judge): each is registered in the
// run's DI container under its key, created by whichever plugin asks first, and closed when the run ends.
import type { DependencyContainer } from 'tsyringe';
import type { SharedServices } from '../contract/context.js';

export class RunSharedServices implements SharedServices {
  private readonly tokens: string[] = [];

  /** `onCreate` hears each key the first time it is created (the run's event log records it). */
  constructor(private readonly container: DependencyContainer, private readonly onCreate: (key: string) => void = () => {}) {}

  get<T>(key: string, create: () => T | Promise<T>): Promise<T> {
    const token = `crucible:shared:${key}`;
    if (!this.container.isRegistered(token, false)) {
      this.onCreate(key);
      this.container.registerInstance(token, Promise.resolve().then(create));
      this.tokens.push(token);
    }
    return this.container.resolve<Promise<T>>(token);
  }

  /** Closes what was created (its close() or dispose(), when it has one); a creation that failed has nothing to close. */
  async closeAll(): Promise<void> {
    for (const token of this.tokens.splice(0).reverse()) {
      try {
        const value = (await this.container.resolve<Promise<unknown>>(token)) as { close?: () => unknown; dispose?: () => unknown } | null | undefined;
        await (value?.close ? value.close() : value?.dispose?.());
      } catch {
        // the plugin that asked for it got the error
      }
    }
  }
}
