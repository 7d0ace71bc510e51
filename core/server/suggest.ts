// "Did you mean" over HTTP, as the CLI has it: a misspelled route or enum value gets the closest valid one.
import { distance } from 'fastest-levenshtein';

/** The closest candidate within a few edits (relative to its length), if any. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 4)) ? best : undefined;
}

/** Route patterns, with the request's own segments where a pattern has parameters, so ids do not count as edits. */
export class RouteSuggester {
  private readonly routes: Array<{ method: string; url: string }> = [];

  add(method: string | string[], url: string): void {
    for (const m of [method].flat()) if (m !== 'HEAD' && url.startsWith('/v1/')) this.routes.push({ method: m, url });
  }

  suggest(method: string, path: string): string | undefined {
    const segments = path.split('/');
    const filled = this.routes
      .filter((r) => r.method === method)
      .map((r) => r.url.split('/').map((s, i) => (s.startsWith(':') || s === '*' ? segments[i] ?? s : s)).join('/'));
    const hit = closest(path, filled);
    return hit && hit !== path ? hit : undefined;
  }
}
