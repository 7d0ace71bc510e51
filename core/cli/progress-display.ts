// The terminal view of a run: one bar per stage on a TTY (cli-progress), plain lines otherwise (CI, logs).
import cliProgress from 'cli-progress';
import type { RunEvent } from '../kernel/runner/event-log.js';

export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): { onEvent(e: RunEvent): void; stop(): void } {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const multi = tty
    ? new cliProgress.MultiBar(
        { stream, format: ' {stage} |{bar}| {value}/{total} {label} {rate}/s eta {eta_formatted}', barsize: 28, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastLine = new Map<string, number>();
  const pad = (s: string) => s.padEnd(8);

  return {
    onEvent(e: RunEvent) {
      const stage = String(e.stage ?? '');
      if (e.type === 'progress' && typeof e.total === 'number') {
        if (multi) {
          let bar = bars.get(stage);
          const payload = { stage: pad(stage), label: (e.message as string) ?? (e.label as string) ?? '', rate: e.rate ?? 0 };
          if (!bar) bars.set(stage, (bar = multi.create(e.total, Number(e.done), payload)));
          bar.setTotal(e.total);
          bar.update(Number(e.done), payload);
        } else if (Date.now() - (lastLine.get(stage) ?? 0) > 5000 || e.done === e.total || e.message) {
          lastLine.set(stage, Date.now());
          const eta = e.etaSeconds != null ? ` eta ${e.etaSeconds}s` : '';
          stream.write(`  ${pad(stage)} ${e.done}/${e.total}${e.rate ? ` ${e.rate}/s` : ''}${eta}${e.message ? ` ${e.message}` : ''}\n`);
        }
      } else if (e.type === 'stage' && e.status === 'end') {
        const how = e.reused === 'cache' ? ' (from cache)' : e.reused === 'run' ? ' (already done)' : '';
        const line = `  ✓ ${pad(stage)} ${((Number(e.durationMs) || 0) / 1000).toFixed(1)}s${how}`;
        if (multi) multi.log(line + '\n');
        else stream.write(line + '\n');
      }
    },
    stop() {
      multi?.stop();
    },
  };
}
