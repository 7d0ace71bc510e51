// The concise summary printed at the end of `crucible run` (and by `crucible show`).
import { fmtNum, fmtP, fmtSigned } from './format.js';
import type { RunResults } from '../pipeline/run-results.js';
import { roundsTerminal } from './rounds.js';

export function formatTerminalSummary(results: RunResults, options: { reportPath?: string } = {}): string {
  const r = results;
  const lines: string[] = [`${r.run.name} (${r.run.id})`];
  const split = r.dataset?.splitCounts ?? {};
  const count = r.dataset?.count ?? Object.values(split).reduce((s, v) => s + (v ?? 0), 0);
  lines.push(`  dataset     ${count} problems (train ${split.train ?? 0} / val ${split.val ?? 0} / test ${split.test ?? 0})`);
  const ex = r.execution;
  if (ex) {
    const mix = Object.entries(ex.taxonomy).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${((v / ex.samples) * 100).toFixed(0)}%`).join(', ');
    lines.push(`  executed    ${ex.samples} samples on ${ex.problems} problems: pass@1 ${fmtNum(ex.passAt1)}, compile rate ${fmtNum(ex.compileRate)}, mean test pass rate ${fmtNum(ex.meanTestPassRate)}`);
    lines.push(`              ${mix}`);
  }
  const ps = r.pairing?.stats;
  if (ps) {
    const dropped = Object.entries(ps.gates.dropped).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  pairing     ${ps.pairs} pairs from ${ps.problems} problems (${ps.plugin}); gates dropped ${ps.gates.input - ps.gates.kept}${dropped ? ` (${dropped})` : ''}`);
  }
  if (r.training) {
    const nums = Object.entries(r.training.stats ?? {}).filter(([, v]) => typeof v === 'number').slice(0, 4);
    lines.push(`  training    ${nums.map(([k, v]) => `${k} ${fmtNum(v)}`).join(', ') || 'done'}`);
  }
  const ev = r.evaluation;
  if (ev) {
    const cmp = ev.summary?.comparisons?.[0];
    if (cmp) {
      lines.push(`  evaluation  metric               ${cmp.a.slice(0, 6).padStart(6)} ${cmp.b.slice(0, 9).padStart(9)}    change   p(t-test)  MDE(80%)  p(Wilcoxon)`);
      for (const [key, c] of Object.entries(cmp.metrics)) {
        if (key.endsWith('_ms_per_problem')) continue;
        const t = c.test;
        lines.push(`              ${key.padEnd(20)} ${fmtNum(c.a).padStart(6)} ${fmtNum(c.b).padStart(9)} ${fmtSigned(c.absolute).padStart(9)} ${(t ? fmtP(t.ttest.p) : '').padStart(11)} ${(t ? fmtNum(t.ttest.mde80) : '').padStart(9)} ${(t?.wilcoxon ? fmtP(t.wilcoxon.p) : '').padStart(12)}`);
      }
      const t1 = cmp.metrics['pass@1']?.test;
      if (t1) {
        lines.push(`              pass@1 difference 95% CI [${fmtNum(t1.ttest.ci95[0])}, ${fmtNum(t1.ttest.ci95[1])}] over ${t1.ttest.n} problems; t = ${fmtNum(t1.ttest.t)}, df = ${t1.ttest.df}`);
      }
      // The error taxonomy, as shares of all samples before -> after.
      const mix = Object.entries(cmp.statusShares ?? {}).map(([k, c]) => `${k} ${(c.a * 100).toFixed(0)}% -> ${(c.b * 100).toFixed(0)}%`).join(', ');
      if (mix) lines.push(`  errors      ${mix}`);
    } else {
      const shown = Object.entries(ev.headline ?? {}).map(([k, v]) => `${k} ${fmtNum(v)}`);
      lines.push(`  evaluation  ${shown.join(', ') || '(no headline numbers)'}`);
      const statuses = ev.summary?.models[0]?.statuses;
      const total = Object.values(statuses ?? {}).reduce((a, b) => a + b, 0);
      if (statuses && total) lines.push(`              ${Object.entries(statuses).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${((v / total) * 100).toFixed(0)}%`).join(', ')}`);
    }
  }
  lines.push(...roundsTerminal(r));
  if (options.reportPath) lines.push(`  report      ${options.reportPath}`);
  return lines.join('\n');
}
