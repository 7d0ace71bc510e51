// Loop shapes the kernel generators share.

export const indent = (text: string, by: string) => text.split('\n').join(`\n${by}`);

/** Loops `counter` from its current value in steps of `step` while counter + step <= limit. */
export function stepLoop(label: string, counter: string, step: number, limit: string, body: string): string {
  return `(block $${label}_done
  (loop $${label}
    (br_if $${label}_done (i32.gt_u (i32.add (local.get ${counter}) (i32.const ${step})) (local.get ${limit})))
    ${indent(body, '    ')}
    (local.set ${counter} (i32.add (local.get ${counter}) (i32.const ${step})))
    (br $${label})))`;
}

/** The end of a batch entry: both operands move on by their strides, the entry counter by one. */
export const nextBatchEntry = `(local.set $A (i32.add (local.get $A) (local.get $aStride)))
(local.set $B (i32.add (local.get $B) (local.get $bStride)))
(local.set $t (i32.add (local.get $t) (i32.const 1)))`;
