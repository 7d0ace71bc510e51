// The WebAssembly text of crucible's batched matmul kernel (see ../batch-matmul.ts for why it exists).
// The kernel computes C[b] = A[b] x B[b] for row-major float32 matrices in the tfjs wasm heap, with 128-bit SIMD:
// a 4-row x 8-column block of C stays in eight v128 registers while k runs, so each A value is loaded once per
// 8 columns and each B vector once per 4 rows. k runs in chunks of K_BLOCK, columns outside rows: the B strip a
// block reads (K_BLOCK x 8 floats, 16 KiB) then stays in L1 cache for every row block of the chunk. With a scratch
// area the strip is first packed there contiguously: its rows lie n x 4 bytes apart in B, and when that is a
// multiple of 4 KiB (n = 1024: a vocabulary) they all fall in one L1 set and evict each other. Edge blocks
// (fewer rows or columns) use the same loop with fewer rows / one vector / scalars. Generated from TypeScript
// because the six block variants differ only in counts.

import { indent, nextBatchEntry, stepLoop } from './loops.js';

export const K_BLOCK = 512;

type Cols = 2 | 1 | 0; // v128 vectors per row of the block; 0 = one scalar column

const ROW_POINTERS = ['$pa0', '$pa1', '$pa2', '$pa3'];

/** One block of `rows` rows x (`cols` vectors or 1 scalar) at ($i, $j) over the current k chunk. */
function block(rows: 1 | 4, cols: Cols): string {
  const vec = cols > 0;
  const width = Math.max(cols, 1);
  const acc = (r: number, v: number) => (vec ? `$v${r}_${v}` : `$s${r}`);
  const at = (r: number) => `(i32.add (local.get $C) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $n)) (local.get $j)) (i32.const 2)))`;
  const zero: string[] = [];
  const load: string[] = [];
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    // Row r of A at column $kb.
    lines.push(`(local.set ${ROW_POINTERS[r]} (i32.add (local.get $A) (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $rowA)) (i32.shl (local.get $kb) (i32.const 2)))))`);
    for (let v = 0; v < width; v++) {
      zero.push(vec ? `(local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))` : `(local.set ${acc(r, v)} (f32.const 0))`);
      load.push(vec ? `(local.set ${acc(r, v)} (v128.load offset=${16 * v} ${at(r)}))` : `(local.set ${acc(r, v)} (f32.load ${at(r)}))`);
    }
  }
  // The first chunk starts from zero; later chunks add to what C holds.
  lines.push(`(if (local.get $first)\n  (then ${zero.join(' ')})\n  (else ${load.join(' ')}))`);
  lines.push('(local.set $pb (local.get $sb))');
  lines.push('(local.set $kk (local.get $klen))');
  const body: string[] = [];
  if (vec) {
    body.push('(local.set $b0 (v128.load (local.get $pb)))');
    if (cols === 2) body.push('(local.set $b1 (v128.load offset=16 (local.get $pb)))');
  } else body.push('(local.set $bs (f32.load (local.get $pb)))');
  for (let r = 0; r < rows; r++) {
    const p = ROW_POINTERS[r];
    if (vec) {
      body.push(`(local.set $av (f32x4.splat (f32.load (local.get ${p}))))`);
      for (let v = 0; v < cols; v++) body.push(`(local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $av) (local.get $b${v}))))`);
    } else {
      body.push(`(local.set ${acc(r, 0)} (f32.add (local.get ${acc(r, 0)}) (f32.mul (f32.load (local.get ${p})) (local.get $bs))))`);
    }
    body.push(`(local.set ${p} (i32.add (local.get ${p}) (i32.const 4)))`);
  }
  body.push('(local.set $pb (i32.add (local.get $pb) (local.get $sr)))');
  body.push('(local.set $kk (i32.sub (local.get $kk) (i32.const 1)))');
  body.push('(br_if $k_loop (local.get $kk))');
  lines.push(`(loop $k_loop\n  ${body.join('\n  ')})`);
  for (let r = 0; r < rows; r++) {
    if (vec) for (let v = 0; v < cols; v++) lines.push(`(v128.store offset=${16 * v} ${at(r)} (local.get ${acc(r, v)}))`);
    else lines.push(`(f32.store ${at(r)} (local.get ${acc(r, 0)}))`);
  }
  return lines.join('\n');
}

/** Where the B strip at ($kb, $j) is read from ($sb, row stride $sr): B itself, or (8-wide strips, with a scratch
 * area) a packed copy. */
function stripSource(cols: Cols): string {
  const direct = [
    '(local.set $sb (i32.add (local.get $B) (i32.add (i32.mul (local.get $kb) (local.get $rowB)) (i32.shl (local.get $j) (i32.const 2)))))',
    '(local.set $sr (local.get $rowB))',
  ];
  if (cols !== 2) return direct.join('\n');
  return `${direct.join('\n')}
(if (local.get $scratch)
  (then
    (local.set $kk (local.get $klen))
    (local.set $pb (local.get $scratch))
    (loop $pack
      (v128.store (local.get $pb) (v128.load (local.get $sb)))
      (v128.store offset=16 (local.get $pb) (v128.load offset=16 (local.get $sb)))
      (local.set $sb (i32.add (local.get $sb) (local.get $rowB)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
      (br_if $pack (local.get $kk)))
    (local.set $sb (local.get $scratch))
    (local.set $sr (i32.const 32))))`;
}

/** Every row of C for the columns at $j: blocks of 4 rows, then single rows. */
function rowsFor(cols: Cols): string {
  return [stripSource(cols), '(local.set $i (i32.const 0))', stepLoop(`rows4_${cols}`, '$i', 4, '$m', block(4, cols)), stepLoop(`rows1_${cols}`, '$i', 1, '$m', block(1, cols))].join('\n');
}

/** All of C for the current k chunk: 8-wide column strips, then a 4-wide one, then scalar columns. */
function chunk(): string {
  return ['(local.set $j (i32.const 0))', stepLoop('cols8', '$j', 8, '$n', rowsFor(2)), stepLoop('cols4', '$j', 4, '$n', rowsFor(1)), stepLoop('cols1', '$j', 1, '$n', rowsFor(0))].join('\n');
}

/** `(func (export "bmm") ...)`: C[t] = A[t] x B[t] for t < batch. */
export function matmulFunc(): string {
  const vLocals = [0, 1, 2, 3].flatMap((r) => [`(local $v${r}_0 v128)`, `(local $v${r}_1 v128)`]).join(' ');
  const sLocals = [0, 1, 2, 3].map((r) => `(local $s${r} f32)`).join(' ');
  return `;; bmm(a, b, c, batch, m, k, n, aStride, bStride, scratch): C[t] = A[t] x B[t] for t < batch; byte offsets; a
;; stride of 0 broadcasts that operand over the batch; scratch: K_BLOCK x 32 bytes to pack B strips in, or 0.
;; Requires m, k, n >= 1.
(func (export "bmm") (param $a i32) (param $b i32) (param $c i32) (param $batch i32) (param $m i32) (param $k i32) (param $n i32) (param $aStride i32) (param $bStride i32) (param $scratch i32)
(local $t i32) (local $i i32) (local $j i32) (local $kk i32) (local $kb i32) (local $klen i32) (local $first i32)
(local $A i32) (local $B i32) (local $C i32) (local $rowA i32) (local $rowB i32) (local $pb i32) (local $sb i32) (local $sr i32)
(local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
(local $av v128) (local $b0 v128) (local $b1 v128) (local $bs f32) ${vLocals} ${sLocals}
(local.set $rowA (i32.shl (local.get $k) (i32.const 2)))
(local.set $rowB (i32.shl (local.get $n) (i32.const 2)))
(local.set $A (local.get $a))
(local.set $B (local.get $b))
(local.set $C (local.get $c))
(loop $batch_loop
  (local.set $kb (i32.const 0))
  (loop $chunk_loop
    (local.set $first (i32.eqz (local.get $kb)))
    (local.set $klen (i32.sub (local.get $k) (local.get $kb)))
    (if (i32.gt_u (local.get $klen) (i32.const ${K_BLOCK})) (then (local.set $klen (i32.const ${K_BLOCK}))))
    ${indent(chunk(), '    ')}
    (local.set $kb (i32.add (local.get $kb) (i32.const ${K_BLOCK})))
    (br_if $chunk_loop (i32.lt_u (local.get $kb) (local.get $k))))
  (local.set $C (i32.add (local.get $C) (i32.mul (i32.mul (local.get $m) (local.get $n)) (i32.const 4))))
  ${indent(nextBatchEntry, '  ')}
  (br_if $batch_loop (i32.lt_u (local.get $t) (local.get $batch))))
)`;
}

/** `(func (export "bmmT") ...)`: C[t] = A[t] x B[t]^T, B stored [n, k]: dot products of rows, SIMD over k. */
export function matmulTransposedFunc(): string {
  // One row of A against 4 rows of B at a time (4 accumulators), then single rows of B; k in steps of 4, then 1.
  const rowOfB = (r: number) => `(i32.add (i32.add (local.get $pb) (i32.mul (i32.const ${r}) (local.get $rowK))) (i32.shl (local.get $kk) (i32.const 2)))`;
  const atA = '(i32.add (local.get $pa) (i32.shl (local.get $kk) (i32.const 2)))';
  const dots = (rows: 1 | 4) => {
    const acc = (r: number) => `$d${r}`;
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) lines.push(`(local.set ${acc(r)} (v128.const i32x4 0 0 0 0))`, `(local.set $tail${r} (f32.const 0))`);
    lines.push('(local.set $kk (i32.const 0))');
    const vecBody = [`(local.set $av (v128.load ${atA}))`];
    const tailBody = [`(local.set $as (f32.load ${atA}))`];
    for (let r = 0; r < rows; r++) {
      vecBody.push(`(local.set ${acc(r)} (f32x4.add (local.get ${acc(r)}) (f32x4.mul (local.get $av) (v128.load ${rowOfB(r)}))))`);
      tailBody.push(`(local.set $tail${r} (f32.add (local.get $tail${r}) (f32.mul (local.get $as) (f32.load ${rowOfB(r)}))))`);
    }
    lines.push(stepLoop(`vec_${rows}`, '$kk', 4, '$k', vecBody.join('\n')), stepLoop(`tail_${rows}`, '$kk', 1, '$k', tailBody.join('\n')));
    for (let r = 0; r < rows; r++) {
      const lane = (l: number) => `(f32x4.extract_lane ${l} (local.get ${acc(r)}))`;
      lines.push(`(f32.store offset=${4 * r} (local.get $pc) (f32.add (f32.add (f32.add ${lane(0)} ${lane(1)}) (f32.add ${lane(2)} ${lane(3)})) (local.get $tail${r})))`);
    }
    lines.push(`(local.set $pb (i32.add (local.get $pb) (i32.mul (i32.const ${rows}) (local.get $rowK))))`);
    lines.push(`(local.set $pc (i32.add (local.get $pc) (i32.const ${4 * rows})))`);
    return lines.join('\n');
  };
  return `;; bmmT(a, b, c, batch, m, k, n, aStride, bStride): C[t] = A[t] x B[t]^T with B[t] stored [n, k]; byte offsets.
(func (export "bmmT") (param $a i32) (param $b i32) (param $c i32) (param $batch i32) (param $m i32) (param $k i32) (param $n i32) (param $aStride i32) (param $bStride i32)
(local $t i32) (local $i i32) (local $j i32) (local $kk i32) (local $rowK i32) (local $pa i32) (local $pb i32) (local $pc i32)
(local $A i32) (local $B i32) (local $av v128) (local $as f32)
(local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $tail0 f32) (local $tail1 f32) (local $tail2 f32) (local $tail3 f32)
(local.set $rowK (i32.shl (local.get $k) (i32.const 2)))
(local.set $A (local.get $a))
(local.set $B (local.get $b))
(local.set $pc (local.get $c))
(loop $batch_loop
  (local.set $i (i32.const 0))
  (loop $row_loop
    (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $rowK))))
    (local.set $pb (local.get $B))
    (local.set $j (i32.const 0))
    ${indent(stepLoop('cols_4', '$j', 4, '$n', dots(4)), '    ')}
    ${indent(stepLoop('cols_1', '$j', 1, '$n', dots(1)), '    ')}
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $row_loop (i32.lt_u (local.get $i) (local.get $m))))
  ${indent(nextBatchEntry, '  ')}
  (br_if $batch_loop (i32.lt_u (local.get $t) (local.get $batch))))
)`;
}
