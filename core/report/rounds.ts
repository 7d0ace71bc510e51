// The report's and the terminal's view of an iterative run: the per-round curve on the selection split, what
// each round sampled and trained, and every policy's test pass@1 against base with its p-value and MDE.
import { lineChart } from './charts/index.js';
import { esc } from './escape.js';
import { fmtNum, fmtP, fmtSigned } from './format.js';
import type { RunResults } from '../pipeline/run-results.js';

/** Test pass@1 of every evaluated policy (base, baseline, rounds, trained last) with its comparison to base. */
function testRows(r: RunResults): Array<{ label: string; pass1?: number; ci?: [number, number]; delta?: number; p?: number; mde?: number }> {
  const s = r.evaluation?.summary;
  const base = s?.models[0];
  if (!s || !base) return [];
  const pass1 = (label: string) => s.models.find((m) => m.label === label)?.metrics['pass@1'];
  const rows: ReturnType<typeof testRows> = [{ label: base.label, pass1: base.metrics['pass@1']?.value, ci: base.metrics['pass@1']?.ci95 }];
  const vsBase = (s.comparisons ?? []).filter((c) => c.a === base.label);
  for (const c of [...vsBase.filter((c) => c.b !== 'trained'), ...vsBase.filter((c) => c.b === 'trained')]) {
    const t = c.metrics['pass@1']?.test?.ttest;
    const label = c.b === 'trained' ? `trained (round ${r.rounds?.kept ?? '?'})` : c.b;
    rows.push({ label, pass1: pass1(c.b)?.value, ci: pass1(c.b)?.ci95, ...(t ? { delta: t.meanDifference, p: t.p, mde: t.mde80 } : {}) });
  }
  return rows;
}

const MAX_METRIC_COLUMNS = 6;

/** The trainer's metric names in the order it reported them (most telling first), at most `max`. */
function trainerMetrics(rounds: NonNullable<RunResults['rounds']>, max: number): string[] {
  return [...new Set(rounds.rounds.flatMap((x) => Object.keys(x.training)))].slice(0, max);
}

export function roundsSection(r: RunResults): string {
  const rounds = r.rounds;
  if (!rounds) return '';
  const chart = lineChart({
    id: 'rounds-curve',
    title: `${rounds.selectOn} pass@1 after each round (0 = base)`,
    xName: 'round',
    series: [{ name: `${rounds.selectOn} pass@1`, points: rounds.curve.map((c) => [c.round, c.pass1] as [number, number]) }],
  });
  const metrics = trainerMetrics(rounds, MAX_METRIC_COLUMNS);
  const perRound = rounds.rounds.map((x) => {
    const t = metrics.map((k) => `<td>${fmtNum(x.training[k])}</td>`).join('');
    return `<tr><td>${x.round}</td><td>${x.sampledFrom === 0 ? 'base' : `round ${x.sampledFrom}`}</td><td>${fmtNum(x.samplePass1.train)}</td><td>${fmtNum(x.samplePass1.val)}</td><td>${x.pairs.train} / ${x.pairs.val}</td>${t}<td>${fmtNum(rounds.curve[x.round]?.pass1)}</td></tr>`;
  });
  const tests = testRows(r).map((x) => `<tr><td>${esc(x.label)}</td><td>${fmtNum(x.pass1)} [${fmtNum(x.ci?.[0])}, ${fmtNum(x.ci?.[1])}]</td><td>${x.delta === undefined ? '' : fmtSigned(x.delta)}</td><td>${x.p === undefined ? '' : fmtP(x.p)}</td><td>${x.mde === undefined ? '' : fmtNum(x.mde)}</td></tr>`);
  const decisions = Object.entries(rounds.decisions ?? {}).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join('; ');
  return `<section id="rounds"><h2>Rounds</h2>
<p class="muted">${rounds.count} on-policy round(s); reference = ${esc(rounds.reference)}; evaluated as trained: round ${rounds.kept} (${esc(rounds.keep)}). ${decisions}</p>
<div class="charts">${chart}</div>
<table><thead><tr><th>round</th><th>sampled from</th><th>train pass@1 of samples</th><th>val pass@1 of samples</th><th>pairs train / val</th>${metrics.map((k) => `<th>${esc(k)}</th>`).join('')}<th>${esc(rounds.selectOn)} pass@1 after</th></tr></thead><tbody>${perRound.join('')}</tbody></table>
${tests.length ? `<h3>Test split (evaluated once)</h3><table><thead><tr><th>policy</th><th>pass@1 (95% CI)</th><th>vs base</th><th>p (paired t-test)</th><th>MDE (80% power)</th></tr></thead><tbody>${tests.join('')}</tbody></table>` : ''}</section>`;
}

export function roundsTerminal(r: RunResults): string[] {
  const rounds = r.rounds;
  if (!rounds) return [];
  const lines = [`  rounds      ${rounds.selectOn} pass@1 by round: ${rounds.curve.map((c) => `${c.round}: ${fmtNum(c.pass1)}`).join(', ')} (kept round ${rounds.kept})`];
  const metrics = trainerMetrics(rounds, 2);
  for (const x of rounds.rounds) lines.push(`              round ${x.round}: ${x.pairs.train} train pairs${metrics.map((k) => `, ${k} ${fmtNum(x.training[k])}`).join('')}`);
  for (const x of testRows(r)) lines.push(`  test        ${x.label.padEnd(18)} pass@1 ${fmtNum(x.pass1)} [${fmtNum(x.ci?.[0])}, ${fmtNum(x.ci?.[1])}]${x.p === undefined ? '' : `  ${fmtSigned(x.delta)}  p ${fmtP(x.p)}  MDE ${fmtNum(x.mde)}`}`);
  return lines;
}
