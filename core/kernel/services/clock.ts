import type { Clock } from '../contract/context.js';

export const systemClock: Clock = { now: () => Date.now() };
