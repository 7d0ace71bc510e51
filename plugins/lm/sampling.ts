// Next-token choice from one row of logits: greedy, or temperature + top-k + top-p with a seeded
// stream per sequence. The reported log-prob is under the model's own distribution (temperature 1),
// so it matches `logprobs(prompt, completion)`.

export interface TokenChoice {
  token: number;
  logprob: number;
}

export interface SamplerOptions {
  temperature: number;
  topP: number;
  topK: number;
}

function logSumExp(x: Float32Array, off: number, n: number): { max: number; lse: number } {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[off + i] > max) max = x[off + i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
  return { max, lse: max + Math.log(sum) };
}

/** Chooses a token from logits[off .. off+n). `rand` is a uniform [0, 1) source. */
export function chooseToken(logits: Float32Array, off: number, n: number, o: SamplerOptions, rand: () => number): TokenChoice {
  const { max, lse } = logSumExp(logits, off, n);
  if (o.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[off + i] > logits[off + best]) best = i;
    return { token: best, logprob: logits[off + best] - lse };
  }
  // Tempered probabilities (unnormalized), relative to the max for stability.
  const invT = 1 / o.temperature;
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    p[i] = Math.exp((logits[off + i] - max) * invT);
    total += p[i];
  }
  let cand: number[] | undefined;
  if (o.topK > 0 && o.topK < n) {
    cand = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, o.topK);
  }
  if (o.topP < 1) {
    // Nucleus over the highest-probability tokens; try a cheap pre-filter before a full sort.
    let pool = cand;
    if (!pool) {
      const floor = 1e-4;
      pool = [];
      let mass = 0;
      for (let i = 0; i < n; i++) if (p[i] >= floor) { pool.push(i); mass += p[i]; }
      if (mass / total < o.topP) pool = Array.from({ length: n }, (_, i) => i);
    }
    pool.sort((a, b) => p[b] - p[a]);
    const poolMass = cand ? cand.reduce((s, i) => s + p[i], 0) : total;
    const keep: number[] = [];
    let cum = 0;
    for (const i of pool) {
      keep.push(i);
      cum += p[i];
      if (cum >= o.topP * poolMass) break;
    }
    cand = keep;
  }
  let token: number;
  if (cand) {
    const mass = cand.reduce((s, i) => s + p[i], 0);
    let r = rand() * mass;
    token = cand[cand.length - 1];
    for (const i of cand) {
      r -= p[i];
      if (r < 0) { token = i; break; }
    }
  } else {
    let r = rand() * total;
    token = n - 1;
    for (let i = 0; i < n; i++) {
      r -= p[i];
      if (r < 0) { token = i; break; }
    }
  }
  return { token, logprob: logits[off + token] - lse };
}

/** Log-softmax of one row at `token` (float64 accumulation). */
export function tokenLogprob(logits: Float32Array, off: number, n: number, token: number): number {
  return logits[off + token] - logSumExp(logits, off, n).lse;
}
