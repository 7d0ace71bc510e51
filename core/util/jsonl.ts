// JSON Lines in and out. Reading names the file and line of every malformed record; nothing is skipped silently.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CrucibleError } from '../kernel/errors.js';
import { describeJsonSyntaxError } from './json-error.js';

/** Reads a text file, transparently gunzipping `.gz`. */
export function readText(file: string): string {
  const bytes = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

export interface JsonlRecord<T> {
  value: T;
  line: number;
}

/** Parses every non-blank line; a malformed line is a CRUCIBLE_E_INPUT error naming file and line. */
export function readJsonl<T = unknown>(file: string, options: { code?: 'CRUCIBLE_E_INPUT' | 'CRUCIBLE_E_DATASET' } = {}): JsonlRecord<T>[] {
  const code = options.code ?? 'CRUCIBLE_E_INPUT';
  const text = readText(file);
  const out: JsonlRecord<T>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    try {
      out.push({ value: JSON.parse(raw) as T, line: i + 1 });
    } catch (error) {
      throw CrucibleError.at(code, { file, line: i + 1, message: `not valid JSON: ${describeJsonSyntaxError(error)}`, hint: 'each line must hold one JSON object' });
    }
  }
  return out;
}

/**
 * Reads the complete lines of an append-only JSONL file that may end in a torn line (a kill mid-write).
 * The torn tail is reported by its byte offset so the writer can truncate it before appending again.
 */
export function readCompleteJsonl<T = unknown>(file: string): { records: T[]; validBytes: number } {
  if (!existsSync(file)) return { records: [], validBytes: 0 };
  const buf = readFileSync(file);
  const lastNewline = buf.lastIndexOf(0x0a);
  const validBytes = lastNewline + 1;
  const records: T[] = [];
  const text = buf.subarray(0, validBytes).toString('utf8');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    records.push(JSON.parse(line) as T);
  }
  return { records, validBytes };
}

/** Appends whole lines; `sync` flushes to disk (used at item and stage boundaries). */
export function appendJsonl(file: string, rows: readonly unknown[], sync = false): void {
  if (rows.length === 0) return;
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
