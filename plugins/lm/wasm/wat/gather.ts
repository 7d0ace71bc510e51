// The WebAssembly text of crucible's gather kernel (see ../gather.ts for why it exists): whole slices moved with
// memory.copy (bulk memory) instead of tfjs-wasm's element-by-element loop.

/** `(func (export "gather") ...)`: out[o, j, :] = x[o, idx[j], :] for o < outer, j < nIdx. */
export function gatherFunc(): string {
  return `;; gather(x, idx, nIdx, out, outer, dimBytes, sliceBytes): byte offsets and sizes; idx holds int32 indices
;; already checked to lie in [0, dim). dimBytes = dim x sliceBytes.
(func (export "gather") (param $x i32) (param $idx i32) (param $nIdx i32) (param $out i32) (param $outer i32) (param $dimBytes i32) (param $sliceBytes i32)
(local $o i32) (local $j i32) (local $base i32)
(block $done
  (br_if $done (i32.or (i32.eqz (local.get $nIdx)) (i32.eqz (local.get $outer))))
  (loop $outer_loop
    (local.set $base (i32.add (local.get $x) (i32.mul (local.get $o) (local.get $dimBytes))))
    (local.set $j (i32.const 0))
    (loop $idx_loop
      (memory.copy
        (local.get $out)
        (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $sliceBytes)))
        (local.get $sliceBytes))
      (local.set $out (i32.add (local.get $out) (local.get $sliceBytes)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $idx_loop (i32.lt_u (local.get $j) (local.get $nIdx))))
    (local.set $o (i32.add (local.get $o) (i32.const 1)))
    (br_if $outer_loop (i32.lt_u (local.get $o) (local.get $outer)))))
)`;
}
