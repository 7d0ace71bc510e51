// A JSON key-value cache on disk shared across runs; one file per key so concurrent runs never clobber a shared file.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cache } from '../contract/context.js';
import { sha256 } from '../../util/hash.js';
import { writeJsonAtomic } from '../../util/atomic.js';

export class DiskCache implements Cache {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const h = sha256(key);
    return join(this.root, h.slice(0, 2), `${h}.json`);
  }

  get<T = unknown>(key: string): T | undefined {
    const file = this.file(key);
    if (!existsSync(file)) return undefined;
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { value: T }).value;
    } catch {
      return undefined; // a torn entry is a miss, recomputed and rewritten atomically
    }
  }

  set(key: string, value: unknown): void {
    writeJsonAtomic(this.file(key), { key, value });
  }

  dir(key: string): string {
    const dir = join(this.root, 'dirs', sha256(key).slice(0, 24));
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The same cache, with keys prefixed (one namespace per plugin). */
  scoped(prefix: string): Cache {
    return {
      get: <T>(key: string) => this.get<T>(`${prefix}\u0000${key}`),
      set: (key, value) => this.set(`${prefix}\u0000${key}`, value),
      dir: (key) => this.dir(`${prefix}\u0000${key}`),
    };
  }
}
