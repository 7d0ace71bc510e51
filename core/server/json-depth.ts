// Request bodies nested deeper than any manifest needs are refused up front (400): deeper JSON would reach
// the recursive steps behind a route (schema checks, merging, hashing) and overflow the stack there.
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.js';

/** Manifests nest a handful of levels (stages.scorer.config.generator.config...); 64 leaves ample room. */
export const MAX_BODY_DEPTH = 64;

/** The nesting depth of a parsed JSON value, counted without recursion (so a hostile body cannot overflow it). */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return deepest;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function installDepthLimit(app: FastifyInstance<any, any, any, any, any>, maxDepth = MAX_BODY_DEPTH): void {
  app.addHook('preValidation', async (request) => {
    if (request.body === null || typeof request.body !== 'object') return;
    if (jsonDepth(request.body, maxDepth) > maxDepth) {
      throw new HttpError(400, 'CRUCIBLE_E_INPUT', `request body nested deeper than ${maxDepth} levels`, [
        { path: 'body', message: `JSON nesting is limited to ${maxDepth} levels`, hint: 'a manifest needs far fewer' },
      ]);
    }
  });
}
