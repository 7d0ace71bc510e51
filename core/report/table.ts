// The HTML table every report section uses (cells are already escaped HTML; headers are escaped here).
import { esc } from './escape.js';

export const STATUSES = ['SUCCESS', 'WRONG_OUTPUT', 'RUNTIME_ERROR', 'TIMEOUT', 'SYNTAX_ERROR'];

export const table = (head: string[], rows: string[][], cls = ''): string =>
  `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
