// The verifier's objective and its measurements: margin ranking over (pass, fail) pairs, an optional
// binary cross-entropy on P(pass) = sigmoid(-energy), pair ranking accuracy, and AUROC.
import * as tf from '@tensorflow/tfjs-core';
import { logSigmoid } from '../../lm/train/logprob.js';

/** mean(max(0, margin_i + E(pass_i) - E(fail_i))): zero once every passing one is `margin` below its failing one. */
export function marginRankingLoss(ePos: tf.Tensor1D, eNeg: tf.Tensor1D, margins: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.add(margins, tf.sub(ePos, eNeg)))) as tf.Scalar);
}

/** Mean BCE with P(pass) = sigmoid(-energy): -[y log s(-e) + (1 - y) log s(e)], written with a stable log-sigmoid. */
export function energyBce(energy: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const lp = logSigmoid(tf.neg(energy));
    const ln = logSigmoid(energy);
    return tf.neg(tf.mean(tf.add(tf.mul(labels, lp), tf.mul(tf.sub(1, labels), ln)))) as tf.Scalar;
  });
}

/** Share of pairs whose passing candidate has strictly lower energy (a tie counts as wrong). */
export function rankingAccuracy(ePos: readonly number[], eNeg: readonly number[]): number {
  if (ePos.length === 0) return Number.NaN;
  let right = 0;
  ePos.forEach((p, i) => { if (p < eNeg[i]) right++; });
  return right / ePos.length;
}

/**
 * AUROC of "passes" scored by -energy: the probability that a random passing sample has lower energy
 * than a random failing one, ties counting one half (Mann-Whitney U / (n_pos * n_neg)).
 */
export function auroc(energies: readonly number[], labels: ReadonlyArray<0 | 1>): number {
  const nPos = labels.filter((l) => l === 1).length;
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  // Average ranks of -energy (ascending), ties sharing their mean rank.
  const order = energies.map((e, i) => [-e, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(energies.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t][1]] = r;
    i = j + 1;
  }
  const sumPos = ranks.reduce((s, r, i) => s + (labels[i] === 1 ? r : 0), 0);
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
