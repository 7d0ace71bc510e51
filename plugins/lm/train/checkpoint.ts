// Training checkpoints: trainable variables, AdamW moments and a JSON state, written to a temporary
// folder then renamed, so a kill mid-write leaves the previous checkpoint intact.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeJsonAtomic } from 'crucible-ml/util';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../safetensors.js';
import type { AdamW } from './optim.js';

export interface CheckpointState {
  step: number;
  /** Identifies the training setup; a checkpoint of another setup is not resumed. */
  fingerprint: string;
  [key: string]: unknown;
}

export function saveCheckpoint(dir: string, vars: tf.Variable[], opt: AdamW, state: CheckpointState): void {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const tensors = new Map<string, NamedTensor>();
  vars.forEach((v, i) => tensors.set(`var.${i}`, { shape: v.shape, data: new Float32Array(v.dataSync()) }));
  const s = opt.exportState();
  s.m.forEach((m, i) => tensors.set(`adam_m.${i}`, { shape: vars[i].shape, data: m }));
  s.v.forEach((v, i) => tensors.set(`adam_v.${i}`, { shape: vars[i].shape, data: v }));
  writeSafetensors(join(tmp, 'checkpoint.safetensors'), tensors);
  writeJsonAtomic(join(tmp, 'state.json'), { ...state, adamStep: s.step });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** Restores a checkpoint into `vars` and `opt` when it exists and matches `fingerprint`; returns its state. */
export function loadCheckpoint(dir: string, vars: tf.Variable[], opt: AdamW, fingerprint: string): CheckpointState | undefined {
  const stateFile = join(dir, 'state.json');
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as CheckpointState & { adamStep: number };
  if (state.fingerprint !== fingerprint) return undefined;
  const { tensors } = readSafetensors(join(dir, 'checkpoint.safetensors'));
  const get = (name: string, shape: number[]) => {
    const t = tensors.get(name);
    if (!t || t.shape.join(',') !== shape.join(',')) throw new Error(`checkpoint tensor ${name} missing or misshaped`);
    return t.data;
  };
  vars.forEach((v, i) => v.assign(tf.tensor(get(`var.${i}`, v.shape), v.shape)));
  opt.importState({ step: state.adamStep, m: vars.map((v, i) => get(`adam_m.${i}`, v.shape)), v: vars.map((v, i) => get(`adam_v.${i}`, v.shape)) });
  return state;
}
