// Record checks shared by the humaneval and mbpp loaders: every bad record names its file and line
// (or its index in a JSON array) and the field at fault.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CrucibleError } from 'crucible-ml';
import { readText } from 'crucible-ml/util';
import { hashFile } from 'crucible-ml/util';
import { describeJsonSyntaxError } from 'crucible-ml/util';
import { pythonExecutable } from './run.js';

export type FieldType = 'string' | 'number' | 'integer' | 'array' | 'string[]' | 'string|integer';

export interface Where {
  file: string;
  line?: number;
  /** e.g. "[12]" for the 13th element of a JSON array. */
  path?: string;
}

export interface RawRecord {
  value: Record<string, unknown>;
  where: Where;
  /** The line as written: Python re-reads inputs from it, since JSON.parse turns 1.0 into 1. */
  raw?: string;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function matches(v: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'array': return Array.isArray(v);
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'string|integer': return typeof v === 'string' || Number.isInteger(v);
  }
}

export function datasetError(where: Where, message: string, hint?: string): CrucibleError {
  return CrucibleError.at('CRUCIBLE_E_DATASET', { file: where.file, line: where.line, path: where.path, message, hint });
}

/** Checks that `record` is an object with these fields of these types; `optional` fields may be absent. */
export function checkFields(record: RawRecord, required: Record<string, FieldType>, optional: Record<string, FieldType> = {}): void {
  const { value, where } = record;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw datasetError(where, `expected a JSON object, got ${typeName(value)}`);
  }
  for (const [name, type] of Object.entries(required)) {
    if (!(name in value)) throw datasetError(where, `missing field "${name}"`, `a record needs ${Object.keys(required).join(', ')}`);
    if (!matches(value[name], type)) throw datasetError(where, `field "${name}" must be ${type}, got ${typeName(value[name])}`);
  }
  for (const [name, type] of Object.entries(optional)) {
    if (name in value && value[name] !== null && !matches(value[name], type)) {
      throw datasetError(where, `field "${name}" must be ${type}, got ${typeName(value[name])}`);
    }
  }
}

/**
 * Python's json writes NaN, Infinity and -Infinity (evalplus inputs hold them); JSON.parse refuses them.
 * Outside strings they become {"$float": "nan" | "inf" | "-inf"}, which the Python helpers decode back.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const rewritten = rewriteNonFinite(text);
    if (rewritten === text) throw error;
    try {
      return JSON.parse(rewritten);
    } catch {
      throw error;
    }
  }
}

function rewriteNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += `{"$float":"${m[1] === 'NaN' ? 'nan' : m[1] === 'Infinity' ? 'inf' : '-inf'}"}`;
      i += m[1].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** JSON Lines (plain or .gz), each record with its line number; a malformed line is an error naming it. */
export function readJsonlRecords(file: string): RawRecord[] {
  const lines = readText(file).split('\n');
  const out: RawRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = parsePythonJson(raw);
    } catch (error) {
      throw datasetError({ file, line: i + 1 }, `not valid JSON: ${describeJsonSyntaxError(error)}`, 'each line must hold one JSON object');
    }
    out.push({ value: value as Record<string, unknown>, where: { file, line: i + 1 }, raw });
  }
  return out;
}

/** One JSON array (sanitized MBPP): a syntax error names its line; records are located by index. */
export function readJsonArrayRecords(file: string): RawRecord[] {
  const text = readText(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const pos = /position (\d+)/.exec((error as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : pythonJsonErrorLine(text);
    throw datasetError({ file, line }, `not valid JSON: ${describeJsonSyntaxError(error).replace(/ at column \d+/, '')}`, 'the file must hold one JSON array of records');
  }
  if (!Array.isArray(parsed)) throw datasetError({ file }, `expected a JSON array of records, got ${typeName(parsed)}`);
  return parsed.map((value, i) => ({ value: value as Record<string, unknown>, where: { file, path: `[${i}]` } }));
}

/** Node 20's JSON.parse does not always say where it failed; Python's json module does ("line 3 column 11"). */
function pythonJsonErrorLine(text: string): number | undefined {
  try {
    const res = spawnSync(pythonExecutable(), ['-S', '-I', '-c', 'import json,sys\ntry: json.loads(sys.stdin.read())\nexcept ValueError as e: print(getattr(e, "lineno", ""))'], {
      input: text,
      encoding: 'utf8',
    });
    const n = Number.parseInt(res.stdout.trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the file starts with `[` (a JSON array) rather than one object per line. */
export function looksLikeJsonArray(file: string): boolean {
  const head = file.endsWith('.gz') ? readText(file).slice(0, 64) : readFileSync(file, 'utf8').slice(0, 64);
  return head.trimStart().startsWith('[');
}

export async function fileSha256(file: string): Promise<string> {
  return hashFile(file);
}

/** Duplicate ids would make per-problem results ambiguous: refuse them, naming both places. */
export function checkUniqueIds(items: Array<{ id: string; where: Where }>): void {
  const seen = new Map<string, Where>();
  for (const { id, where } of items) {
    const first = seen.get(id);
    if (first) throw datasetError(where, `duplicate problem id "${id}" (first at ${first.line !== undefined ? `line ${first.line}` : first.path})`);
    seen.set(id, where);
  }
}
