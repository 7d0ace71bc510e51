// The WebAssembly text of crucible's segment sum (see ../segment-sum.ts): rows added into their segment's row.
import { indent, stepLoop } from './loops.js';

/** `(func (export "segsum") ...)`: out = 0; out[ids[i], :] += x[i, :] for i < n (float32 rows of `width`). */
export function segmentSumFunc(): string {
  return `;; segsum(x, ids, n, out, width, segments): byte offsets; ids are int32 already checked to lie in [0, segments).
(func (export "segsum") (param $x i32) (param $ids i32) (param $n i32) (param $out i32) (param $width i32) (param $segments i32)
(local $i i32) (local $j i32) (local $dst i32) (local $src i32) (local $rowBytes i32) (local $vecEnd i32)
(local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
(local.set $vecEnd (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
(memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $segments) (local.get $rowBytes)))
(block $done
  (br_if $done (i32.eqz (local.get $n)))
  (loop $rows
    (local.set $dst (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
    (local.set $src (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowBytes))))
    (local.set $j (i32.const 0))
    ${indent(stepLoop('vec', '$j', 16, '$vecEnd', `(v128.store (i32.add (local.get $dst) (local.get $j))
  (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $j))) (v128.load (i32.add (local.get $src) (local.get $j)))))`), '    ')}
    ${indent(stepLoop('tail', '$j', 4, '$rowBytes', `(f32.store (i32.add (local.get $dst) (local.get $j))
  (f32.add (f32.load (i32.add (local.get $dst) (local.get $j))) (f32.load (i32.add (local.get $src) (local.get $j)))))`), '    ')}
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $rows (i32.lt_u (local.get $i) (local.get $n)))))
)`;
}
