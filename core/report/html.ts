// The self-contained report page: inline CSS and SVG only, so it opens offline and can be mailed around.
import { esc } from './escape.js';
import { executionSection, metadataSection, pairingSection, trainingSection } from './sections.js';
import { contributedSections, evaluationSection, headlineSection } from './evaluation.js';
import type { RunResults } from '../pipeline/run-results.js';
import { roundsSection } from './rounds.js';

export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:22px}
section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;padding:16px 20px;margin:16px 0}
h2{font-size:17px;margin:0 0 12px}h3{font-size:14px;margin:18px 0 8px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #eceef2;padding:4px 10px;text-align:left;vertical-align:top}
th{font-weight:600;background:#fafbfc}
.muted{color:#6b7280}.up{color:#15803d;font-weight:600}.down{color:#b91c1c;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{margin:0;background:#fff}figure.chart svg{max-width:100%;height:auto}
pre{background:#0f172a;color:#e2e8f0;padding:12px;border-radius:6px;overflow:auto;max-height:420px;font-size:12px}
code{font-size:12px;word-break:break-all}.meta{display:flex;flex-wrap:wrap;gap:24px}
`;

export function renderReport(results: RunResults): string {
  const run = results.run;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`crucible · ${run.name} · ${run.id}`)}</title><style>${REPORT_CSS}</style></head>
<body><main>
<header><h1>${esc(run.name)}</h1><div class="muted">run ${esc(run.id)} · seed ${esc(run.seed)} · ${esc(run.startedAt)} → ${esc(run.finishedAt)}</div></header>
${headlineSection(results)}
${evaluationSection(results)}
${executionSection(results)}
${roundsSection(results)}
${pairingSection(results)}
${trainingSection(results)}
${contributedSections(results)}
${metadataSection(results)}
</main></body></html>
`;
}
