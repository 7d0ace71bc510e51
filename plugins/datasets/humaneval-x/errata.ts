// Errata of HumanEval-X JavaScript (THUDM/CodeGeeX, humaneval_js.jsonl.gz): upstream records whose canonical
// solution fails its own tests when console.assert throws. Found by running every `prompt + canonical_solution`
// against its split tests in crucible's javascript executor. The loader reports each by id; it never patches
// silently, and an erratum whose upstream text changed is not applied (the loader says so).

export interface Erratum {
  /** sha256 of the upstream canonical_solution this erratum corrects. */
  upstreamSha256: string;
  reason: string;
  /** The corrected canonical solution (continues the prompt, like canonical_solution). */
  correctedSolution: string;
}

export const HUMANEVAL_X_JS_ERRATA: Readonly<Record<string, Erratum>> = {
  'JavaScript/112': {
    upstreamSha256: 'e090f783105e064b9324b0965845e3a16df4da086c241b5d343c38921b92d02b',
    reason: 'returns `(z, false)` / `(z, true)`: the comma operator yields only the boolean, so all 9 asserts fail; the corrected solution returns `[t, false]` / `[t, true]` as the docstring and the tests expect',
    correctedSolution: `  let t = ''
  for (let i = 0; i < s.length; i++) {
    let y = 1
    for (let j = 0; j < c.length; j++) {
      if (s[i] == c[j]) {
        y = 0
      }
    }
    if (y == 1) {
      t += s[i]
    }
  }
  let z = 1
  for (let i = 0; i < t.length; i++) {
    if (t[i] != t[t.length - i - 1]) {
      z = 0
    }
  }
  if (z == 0) {
    return [t, false]
  }
  return [t, true]
}
`,
  },
  'JavaScript/155': {
    upstreamSha256: '86c87ec7165b3d5161137efcf41a40fab36d74c0fdf0b2e0e1defe58f16c8028',
    reason: 'fails the last assert, `evenOddCount(0)` must be `[1, 0]` (0 has one even digit) but the `while (num > 0)` loop counts no digit; the corrected solution counts at least one digit (do ... while)',
    correctedSolution: `  let o = 0
  let e = 0
  if (num < 0) { num = -num }
  do {
    if (num % 2 == 0) { e++ }
    else { o++ }
    num = (num - num % 10) / 10
  } while (num > 0)
  return [e, o]
}
`,
  },
  'JavaScript/162': {
    upstreamSha256: '2acd64c05c3dba07454a14ba8fd466e2c1776f6e254b6098ef3fa77c0e37ea31',
    reason: "requires the npm package `js-md5`, which no sandbox can install per candidate. crucible's JavaScript sandbox serves `require('js-md5')` and `require('crypto').createHash('md5')` from an md5 written for the sandbox (no host module reaches the candidate), so the upstream solution runs and passes; the corrected solution uses Node's standard crypto API, what a candidate is expected to write",
    correctedSolution: `  if (text == '') { return null }
  return require('crypto').createHash('md5').update(text).digest('hex')
}
`,
  },
};
