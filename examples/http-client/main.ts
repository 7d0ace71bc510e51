// Example: submit a manifest to a crucible server, follow the run live, download its report.
//   CRUCIBLE_URL=http://127.0.0.1:8700 CRUCIBLE_TOKEN=... node --import tsx examples/http-client/main.ts manifest.json [outDir]
import { readFile } from 'node:fs/promises';
import { CrucibleClient } from './client.js';

async function main(argv: string[]): Promise<number> {
  const [manifestFile, outDir = './downloads'] = argv;
  const url = process.env.CRUCIBLE_URL ?? 'http://127.0.0.1:8700';
  const token = process.env.CRUCIBLE_TOKEN;
  if (!manifestFile || !token) {
    process.stderr.write('usage: CRUCIBLE_URL=... CRUCIBLE_TOKEN=... main.ts <manifest.json> [outDir]\n');
    return 2;
  }
  const client = new CrucibleClient(url, token);
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as object;
  const { id } = await client.submit(manifest, `example-${Date.now()}`);
  console.log(`submitted ${id}`);
  // Demo of resuming a dropped stream: when CRUCIBLE_EXAMPLE_DROP_AFTER=n, the first connection is cut after n events.
  const dropAfter = Number(process.env.CRUCIBLE_EXAMPLE_DROP_AFTER ?? 0);
  let abortFirst: (() => void) | undefined;
  let seen = 0;
  for await (const event of client.events(id, { retryMs: 200, onConnect: (attempt, after, abort) => {
    if (attempt > 0) console.log(`reconnected after seq ${after}`);
    abortFirst = attempt === 0 ? abort : undefined;
  } })) {
    seen++;
    if (event.type === 'stage') console.log(`#${event.seq} stage ${event.stage} ${event.status}`);
    else if (event.type === 'state') console.log(`#${event.seq} state ${event.state}`);
    else if (event.type === 'progress') console.log(`#${event.seq} ${event.stage} ${event.done}/${event.total}`);
    else console.log(`#${event.seq} ${event.type}`);
    if (dropAfter && seen === dropAfter) abortFirst?.();
  }
  const run = await client.get(id);
  console.log(`final ${run.state} ${JSON.stringify(run.headline ?? {})}`);
  const report = await client.downloadReport(id, outDir);
  console.log(`report ${report}`);
  return run.state === 'SUCCEEDED' ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
