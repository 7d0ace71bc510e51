// Batch runner of sanitize.py: one Python process for a whole batch of texts, never one per sample.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CrucibleError } from 'crucible-ml';
import { packageRoot } from 'crucible-ml/util';
import { pythonExecutable } from '../../datasets/python/run.js';

export interface SanitizeResult {
  code?: string;
  error?: string;
}

export function sanitizeMany(items: Array<{ code: string; entryPoint: string }>): Promise<SanitizeResult[]> {
  if (items.length === 0) return Promise.resolve([]);
  const script = join(packageRoot(), 'plugins', 'generators', 'postprocess', 'sanitize.py');
  return new Promise((resolve, reject) => {
    const child = spawn(pythonExecutable(), ['-S', '-I', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new CrucibleError('CRUCIBLE_E_GENERATOR', `cannot run the sanitizer: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) {
        return reject(new CrucibleError('CRUCIBLE_E_GENERATOR', `the sanitizer failed (exit ${code}): ${Buffer.concat(err).toString('utf8').slice(-1000)}`));
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as SanitizeResult[]);
      } catch (e) {
        reject(new CrucibleError('CRUCIBLE_E_GENERATOR', `the sanitizer returned malformed output: ${(e as Error).message}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(items));
  });
}
