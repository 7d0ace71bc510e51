// A small byte-level BPE trainer that writes a Hugging Face `tokenizer.json`.
// Pre-tokenization (identical here and in the written Split pre-tokenizer): newline, runs of four
// spaces (one indentation level is one token), words with an optional leading space, single digits
// (so constants are copied digit by digit), punctuation runs, and any other single whitespace.
// Merges never cross those pieces, so the HF BPE model reproduces exactly what was trained.

export const SPLIT_PATTERN = String.raw`\n| {4}| ?[A-Za-z_]+| ?[0-9]| ?[^\sA-Za-z0-9_]+|\s`;
const SPLIT_RE = new RegExp(SPLIT_PATTERN, 'g');

/** GPT-2's byte -> printable unicode map: the base alphabet is all 256 bytes. */
export function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) map[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  return map;
}
const BYTE_MAP = bytesToUnicode();

export function pieces(text: string): string[] {
  return text.match(SPLIT_RE) ?? [];
}

const toSymbols = (piece: string): string[] => [...Buffer.from(piece, 'utf8')].map((b) => BYTE_MAP[b]);

export interface BpeResult {
  vocab: Map<string, number>;
  merges: [string, string][];
}

/** Learns merges until the vocabulary (256 bytes + merges + special tokens) reaches `vocabSize`. */
export function trainBpe(texts: Iterable<string>, vocabSize: number, special: string[]): BpeResult {
  const counts = new Map<string, number>();
  for (const t of texts) for (const p of pieces(t)) counts.set(p, (counts.get(p) ?? 0) + 1);
  const words = [...counts.entries()].map(([p, c]) => ({ syms: toSymbols(p), count: c }));
  const vocab = new Map<string, number>();
  special.forEach((s) => vocab.set(s, vocab.size));
  for (let b = 0; b < 256; b++) vocab.set(BYTE_MAP[b], vocab.size);
  const merges: [string, string][] = [];
  while (vocab.size < vocabSize) {
    // Recount every time: the unique-piece table is small (a few thousand), so this stays fast.
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const k = w.syms[i] + '\u0000' + w.syms[i + 1];
        pairs.set(k, (pairs.get(k) ?? 0) + w.count);
      }
    }
    let best: string | undefined;
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && best !== undefined && k < best)) [best, bestCount] = [k, c];
    if (best === undefined) break;
    const [a, b] = best.split('\u0000');
    const merged = a + b;
    merges.push([a, b]);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const w of words) {
      const s = w.syms;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) s.splice(i, 2, merged);
    }
  }
  return { vocab, merges };
}

/** The tokenizer.json (HF `tokenizers` format): Split + ByteLevel pre-tokenizers, BPE model, ByteLevel decoder. */
export function tokenizerJson(bpe: BpeResult, special: string[]): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: bpe.vocab.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(bpe.vocab),
      merges: bpe.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** tokenizer_config.json: cleanup must stay off, or decoding rewrites code (" ' " -> "'"). */
export function tokenizerConfig(eos: string, pad: string, maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    eos_token: eos,
    pad_token: pad,
    bos_token: null,
    unk_token: null,
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: maxLength,
  };
}
