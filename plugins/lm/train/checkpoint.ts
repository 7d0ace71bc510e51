// The tensor side of a training checkpoint: trainable variables and AdamW moments (safetensors) plus the
// optimizer's step count, saved into and restored from the folder the shared training loop hands over
// (the loop writes it to a temporary folder and renames it, so a kill mid-write keeps the previous one).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingState } from 'crucible-ml/training';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../safetensors.js';
import type { AdamW } from './optim.js';

const TENSORS = 'checkpoint.safetensors';
const OPTIMIZER = 'optimizer.json';

/** Model variables + AdamW state as a `TrainingState` for `runTrainingLoop`. */
export function tensorState(vars: tf.Variable[], opt: AdamW): TrainingState {
  return {
    save(dir) {
      mkdirSync(dir, { recursive: true });
      const tensors = new Map<string, NamedTensor>();
      vars.forEach((v, i) => tensors.set(`var.${i}`, { shape: v.shape, data: new Float32Array(v.dataSync()) }));
      const s = opt.exportState();
      s.m.forEach((m, i) => tensors.set(`adam_m.${i}`, { shape: vars[i].shape, data: m }));
      s.v.forEach((v, i) => tensors.set(`adam_v.${i}`, { shape: vars[i].shape, data: v }));
      writeSafetensors(join(dir, TENSORS), tensors);
      writeFileSync(join(dir, OPTIMIZER), JSON.stringify({ adamStep: s.step }));
    },
    load(dir) {
      const { adamStep } = JSON.parse(readFileSync(join(dir, OPTIMIZER), 'utf8')) as { adamStep: number };
      const { tensors } = readSafetensors(join(dir, TENSORS));
      const get = (name: string, shape: number[]) => {
        const t = tensors.get(name);
        if (!t || t.shape.join(',') !== shape.join(',')) throw new Error(`checkpoint ${join(dir, TENSORS)}: tensor ${name} missing or misshaped`);
        return t.data;
      };
      vars.forEach((v, i) => v.assign(tf.tensor(get(`var.${i}`, v.shape), v.shape)));
      opt.importState({ step: adamStep, m: vars.map((v, i) => get(`adam_m.${i}`, v.shape)), v: vars.map((v, i) => get(`adam_v.${i}`, v.shape)) });
    },
  };
}

/** Variables alone (the best weights so far under early stopping), to a safetensors file. */
export function saveVariables(file: string, vars: tf.Variable[]): void {
  const tensors = new Map<string, NamedTensor>();
  vars.forEach((v, i) => tensors.set(`var.${i}`, { shape: v.shape, data: new Float32Array(v.dataSync()) }));
  writeSafetensors(file, tensors);
}

export function loadVariables(file: string, vars: tf.Variable[]): void {
  const { tensors } = readSafetensors(file);
  vars.forEach((v, i) => {
    const t = tensors.get(`var.${i}`);
    if (!t || t.shape.join(',') !== v.shape.join(',')) throw new Error(`${file}: tensor var.${i} missing or misshaped`);
    v.assign(tf.tensor(t.data, v.shape));
  });
}
