// The `replay` generator: candidates from existing sample files (human-eval {task_id, completion} or evalplus
// {task_id, solution}), post-processed like live generations, with every mismatch between the file and the
// problems (missing problems, wrong counts, extra task ids) reported as a coded error or a recorded warning.
import { basename, isAbsolute, resolve } from 'node:path';
import { definePlugin } from 'crucible-ml';
import type { Candidate, Problem } from 'crucible-ml';
import type { GenerateOptions, ProblemSamples } from 'crucible-ml';
import { CrucibleError } from 'crucible-ml';
import { POSTPROCESS_MODES, postprocessMany, type PostprocessMode } from '../postprocess/index.js';
import { findMismatches, modalCount, readSamples, type Mismatch, type Sample } from './samples.js';

export default definePlugin({
  kind: 'generator',
  name: 'replay',
  version: '1.0.0',
  apiVersion: '^1',
  description:
    'Replays existing samples (human-eval completion or evalplus solution JSONL) as candidates, with optional post-processing; missing problems, extra task ids and wrong counts are reported.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: {
        anyOf: [{ type: 'string', minLength: 1, hostResource: 'read-path' }, { type: 'array', items: { type: 'string', minLength: 1, hostResource: 'read-path' }, minItems: 1 }],
        description: 'One JSONL file or a list of them (relative to the manifest\'s folder); samples of a task keep file order.',
      },
      format: { type: 'string', enum: ['auto', 'humaneval', 'evalplus'], default: 'auto', description: 'auto: per record, `solution` means evalplus, `completion` human-eval.' },
      postprocess: {
        type: 'array',
        items: { type: 'string', enum: [...POSTPROCESS_MODES] },
        uniqueItems: true,
        default: [],
        description: 'Post-processing steps (applied in a fixed order: extract-code, mistral-cleanup, strip-docstrings, dedent-fix, sanitize).',
      },
      n: { type: 'integer', minimum: 0, default: 0, description: 'Samples expected per problem (0: the n asked for, else the most common count in the file).' },
      onMismatch: {
        type: 'string',
        enum: ['error', 'warn'],
        default: 'error',
        description: 'Missing problems and wrong counts: fail (CRUCIBLE_E_INPUT) or record a warning and go on.',
      },
      onExtra: {
        type: 'string',
        enum: ['error', 'warn'],
        default: 'warn',
        description: 'Task ids with samples but not asked for (normal when a run asks for one split): fail or record a warning.',
      },
      model: { type: 'string', default: '', description: 'Model label for info() (default: the sample file\'s name).' },
      promptFormat: { type: 'string', default: '', description: 'Prompt format to record (default: "replay:humaneval" or "replay:evalplus").' },
    },
  } as const,
  create(config, ctx) {
    const paths = (typeof config.path === 'string' ? [config.path] : [...config.path]).map((p) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p)));
    const modes = config.postprocess as PostprocessMode[];
    let samples: Sample[] | undefined;
    const load = (): Sample[] => (samples ??= paths.flatMap((p) => readSamples(p, config.format)));
    const formatOf = (shape: Sample['shape']) => config.promptFormat || (shape === 'program' ? 'replay:evalplus' : 'replay:humaneval');

    return {
      info() {
        let shapes = new Set<Sample['shape']>();
        try {
          shapes = new Set(load().map((s) => s.shape));
        } catch {
          // a malformed file is reported by generate(), with its line; info() stays usable
        }
        const promptFormat = config.promptFormat || (shapes.size === 1 ? formatOf([...shapes][0]) : config.format === 'evalplus' ? 'replay:evalplus' : config.format === 'humaneval' ? 'replay:humaneval' : 'replay');
        return { model: config.model || paths.map((p) => basename(p)).join('+'), promptFormat, postprocess: modes, files: paths };
      },

      async *generate(problems: Problem[], options: GenerateOptions = {}): AsyncIterable<ProblemSamples> {
        const byTask = new Map<string, Sample[]>();
        for (const s of load()) {
          if (!byTask.has(s.taskId)) byTask.set(s.taskId, []);
          byTask.get(s.taskId)!.push(s);
        }
        const expected = options.n ?? (config.n || modalCount(byTask));
        const mismatches = findMismatches(byTask, problems.map((p) => p.id), expected);
        report(mismatches);

        ctx.progress.start(problems.length, 'replay');
        for (const problem of problems) {
          ctx.throwIfCancelled();
          const list = (byTask.get(problem.id) ?? []).slice(0, expected);
          const processed = await postprocessMany(
            list.map((s) => ({ text: s.text, mode: modes, entryPoint: problem.entryPoint, prompt: problem.prompt, shape: s.shape })),
          );
          const candidates: Candidate[] = list.map((s, index) => {
            const r = processed[index];
            return {
              id: `${problem.id}#${index}`,
              problemId: problem.id,
              index,
              prompt: problem.prompt,
              completion: r.completion,
              code: r.code,
              ...(r.changed ? { raw: s.text } : {}),
              promptFormat: formatOf(s.shape),
              meta: {
                source: { file: s.file, line: s.line },
                ...(s.recorded ? { recorded: s.recorded } : {}),
                ...(modes.length ? { postprocess: modes } : {}),
                ...(r.warning ? { postprocessWarning: r.warning } : {}),
              },
            };
          });
          ctx.progress.tick();
          yield { problem, candidates };
        }
      },
    };

    function report(mismatches: Mismatch[]): void {
      if (mismatches.length === 0) return;
      const fatal = mismatches.filter((m) => (m.kind === 'extra' ? config.onExtra : config.onMismatch) === 'error');
      const file = paths.join(', ');
      if (fatal.length) {
        throw new CrucibleError(
          'CRUCIBLE_E_INPUT',
          `replay: the samples in ${file} do not match the problems: ${summarize(fatal)}`,
          fatal.slice(0, 50).map((m) => ({ file, message: m.message, hint: m.kind === 'extra' ? 'set onExtra: "warn" to accept them' : 'set onMismatch: "warn" to go on anyway' })),
        );
      }
      const warnings = { missing: ids(mismatches, 'missing'), count: mismatches.filter((m) => m.kind === 'count').map((m) => m.message), extra: ids(mismatches, 'extra') };
      ctx.events.record('replay.warnings', warnings);
      ctx.logger.warn({ file, ...warnings }, `replay: ${summarize(mismatches)}`);
    }
  },
});

function ids(list: Mismatch[], kind: Mismatch['kind']): string[] {
  return list.filter((m) => m.kind === kind).map((m) => m.taskId);
}

function summarize(list: Mismatch[]): string {
  const parts: string[] = [];
  for (const kind of ['missing', 'count', 'extra'] as const) {
    const of = list.filter((m) => m.kind === kind);
    if (!of.length) continue;
    const label = kind === 'missing' ? 'problems without samples' : kind === 'count' ? 'problems with a wrong sample count' : 'task ids not asked for';
    parts.push(`${of.length} ${label} (${of.slice(0, 5).map((m) => m.taskId).join(', ')}${of.length > 5 ? ', ...' : ''})`);
  }
  return parts.join('; ');
}
