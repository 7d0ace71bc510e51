// What a worker refuses to run whatever the batch says: an executor config that weakens isolation, unless
// the operator started the worker with --allow-unsandboxed. A worker executes what any Redis client queued,
// so it applies the server's rule for isolation, not the CLI's.
// Kept in this one place so it can defer to the kernel's host-resource policy once that exists.
import type { ExecutorSpec } from './protocol.js';

export function isolationViolation(spec: ExecutorSpec, allowUnsandboxed: boolean): string | undefined {
  if (allowUnsandboxed) return undefined;
  if (spec.config.sandbox === 'off') return `executor config sandbox "off" (batch.executor.config.sandbox; start the worker with --allow-unsandboxed to allow it)`;
  return undefined;
}
