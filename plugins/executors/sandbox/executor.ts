// What the sandboxed executors share around their pool: how the `sandbox` option (options.ts) resolves to bubblewrap
// (or refuses, or warns), the fallback when bubblewrap is installed but cannot start, cancellation, and running the
// distinct programs of a batch once.
import type { Candidate, Execution, PluginContext } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { dedupeByCode } from './dedupe.js';
import { BWRAP_HINT, findBwrap, type SandboxMode } from './isolation.js';

/** Executors already warned that bubblewrap is missing (once per process each, not once per run). */
const warnedNoSandbox = new Set<string>();

export interface SandboxWarnings {
  /** What candidates keep when `auto` finds no bubblewrap ("candidates run in vm2 with resource limits only"). */
  withoutBwrap: string;
  /** Logged whenever the run asks for `off`: what candidates can then reach. */
  off?: { lost: string; message: string };
}

/**
 * The sandbox of one executor instance: whether it runs its processes inside bubblewrap now (`sandboxed`, which
 * turns false once if `auto` finds bubblewrap unable to start), and the launch that falls back.
 */
export class SandboxChoice {
  readonly bwrap?: string;
  sandboxed: boolean;

  constructor(readonly requested: SandboxMode, private readonly executor: string, private readonly ctx: PluginContext, warnings: SandboxWarnings) {
    this.bwrap = requested === 'off' ? undefined : findBwrap();
    if (requested === 'required' && !this.bwrap) {
      throw CrucibleError.at('CRUCIBLE_E_SANDBOX', {
        message: 'sandbox "required" but bubblewrap (bwrap) is not installed',
        path: 'stages.executor.config.sandbox',
        hint: BWRAP_HINT,
      });
    }
    if (requested === 'off' && warnings.off) ctx.logger.warn({ lost: warnings.off.lost }, `${executor} executor: ${warnings.off.message}`);
    if (requested === 'auto' && !this.bwrap && !warnedNoSandbox.has(executor)) {
      warnedNoSandbox.add(executor);
      ctx.logger.warn({ hint: BWRAP_HINT }, `${executor} executor: bubblewrap not found; ${warnings.withoutBwrap}. ${BWRAP_HINT}`);
    }
    this.sandboxed = this.bwrap !== undefined;
  }

  /**
   * Runs `start` (which reads `sandboxed`); when bubblewrap is installed but cannot create its namespaces here (inside
   * some containers) and the run said `auto`, degrades loudly and starts again without it. `final` errors (a refusal
   * that running unsandboxed would not help) are thrown as they are.
   */
  async launch<T>(start: () => Promise<T>, final: (error: Error) => boolean = () => false): Promise<T> {
    try {
      return await start();
    } catch (error) {
      if (final(error as Error) || !(this.sandboxed && this.requested === 'auto')) throw error;
      this.ctx.logger.warn({ error: (error as Error).message }, `${this.executor} executor: bubblewrap failed to start; continuing without the sandbox`);
      this.sandboxed = false;
      return start();
    }
  }
}

/** Aborts `pool` when the run is cancelled; returns what detaches it (on close). */
export function abortOnCancel(ctx: PluginContext, pool: { abort(error: Error): void }): () => void {
  const onAbort = () => pool.abort(new CrucibleError('CRUCIBLE_E_CANCELLED', 'the run was cancelled'));
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return () => ctx.signal.removeEventListener('abort', onAbort);
}

/**
 * Runs the batch through `run`; with `dedupe`, programs identical by `keyOf` (the exact text by default) run once and
 * each copy is given that execution.
 */
export async function executeDistinct(
  candidates: Candidate[],
  dedupe: boolean,
  run: (distinct: Candidate[]) => Promise<Execution[]>,
  keyOf?: (code: string) => string,
): Promise<Execution[]> {
  if (!dedupe) return run(candidates);
  const { distinct, expand } = dedupeByCode(candidates, keyOf);
  return expand(await run(distinct));
}
