// What differed in the resolved manifests of several runs: one row per JSON path whose value is not the same everywhere.

export interface DiffRow {
  path: string;
  /** One value per run (undefined when the run's manifest lacks the path). */
  values: unknown[];
}

function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(path, {});
    for (const [k, v] of entries) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, value);
}

// The name and description say nothing about what was run differently.
const IGNORED = new Set(['name', 'description']);

export function manifestDiff(manifests: unknown[]): DiffRow[] {
  const flat = manifests.map((m) => {
    const out = new Map<string, unknown>();
    flatten(m, '', out);
    return out;
  });
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].filter((p) => !IGNORED.has(p)).sort();
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const values = flat.map((f) => f.get(path));
    const first = JSON.stringify(values[0]);
    if (values.some((v) => JSON.stringify(v) !== first)) rows.push({ path, values });
  }
  return rows;
}
