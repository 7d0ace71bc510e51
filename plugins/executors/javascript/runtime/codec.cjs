'use strict';
// The wire format for values crossing between the candidate's realm and the checker's: JSON text with markers
// for what JSON cannot carry (undefined, NaN, +-Infinity, -0, bigint, Date, Map, Set). It is installed as source
// text into each realm (`(CODEC_SOURCE)(globalThis, maxBytes)`), so every realm encodes and decodes with its own
// intrinsics captured before any other code runs there. Encoding never calls toJSON/valueOf/toString; getters
// and proxy traps run once, so what crosses is a snapshot of plain data, never an object that can answer later.

function crucibleCodec(g, maxBytes) {
  'use strict';
  const O = g.Object;
  const R = g.Reflect;
  const apply = R.apply;
  const keys = O.keys;
  const defineProperty = O.defineProperty;
  const hasOwn = O.prototype.hasOwnProperty;
  const isArray = g.Array.isArray;
  const stringify = g.JSON.stringify;
  const parse = g.JSON.parse;
  const toDecimal = g.String;
  const toBigInt = g.BigInt;
  const dateTime = g.Date.prototype.getTime;
  const DateCtor = g.Date;
  const MapCtor = g.Map;
  const SetCtor = g.Set;
  const mapSize = O.getOwnPropertyDescriptor(g.Map.prototype, 'size').get;
  const setSize = O.getOwnPropertyDescriptor(g.Set.prototype, 'size').get;
  const mapEntries = g.Map.prototype.entries;
  const setValues = g.Set.prototype.values;
  const mapSet = g.Map.prototype.set;
  const setAdd = g.Set.prototype.add;
  const mapIterNext = O.getPrototypeOf(new g.Map().entries()).next;
  const setIterNext = O.getPrototypeOf(new g.Set().values()).next;
  const WeakSetCtor = g.WeakSet;
  const wsHas = g.WeakSet.prototype.has;
  const wsAdd = g.WeakSet.prototype.add;
  const wsDelete = g.WeakSet.prototype.delete;
  const ErrorCtor = g.Error;
  const MAX_DEPTH = 1000;

  class NonPlainValue extends ErrorCtor {}
  function refuse(what) {
    throw new NonPlainValue(`only plain data crosses to the tests, not ${what}`);
  }
  const brand = (getter, value) => {
    try { apply(getter, value, []); return true; } catch { return false; }
  };
  const put = (array, index, value) => defineProperty(array, index, { value, writable: true, enumerable: true, configurable: true });

  function encode(value) {
    let size = 0;
    const seen = new WeakSetCtor();
    const grow = (text) => {
      size += text.length;
      if (size > maxBytes) refuse(`a value larger than ${maxBytes} bytes`);
      return text;
    };
    const items = (iterator, next, depth, pairs) => {
      let out = '';
      for (let step = apply(next, iterator, []); !step.done; step = apply(next, iterator, [])) {
        const item = pairs ? `[${walk(step.value[0], depth)},${walk(step.value[1], depth)}]` : walk(step.value, depth);
        out += (out ? ',' : '') + item;
      }
      return out;
    };
    function walk(v, depth) {
      switch (typeof v) {
        case 'string': return grow(stringify(v));
        case 'boolean': return v ? 'true' : 'false';
        case 'undefined': return '{"$u":1}';
        case 'bigint': return grow(`{"$b":"${toDecimal(v)}"}`);
        case 'symbol': return refuse('a symbol');
        case 'function': return refuse('a function');
        case 'number':
          if (v !== v) return '{"$n":"NaN"}';
          if (v === 1 / 0) return '{"$n":"Infinity"}';
          if (v === -1 / 0) return '{"$n":"-Infinity"}';
          if (v === 0 && 1 / v < 0) return '{"$n":"-0"}';
          return grow(toDecimal(v));
        default:
          break;
      }
      if (v === null) return 'null';
      if (depth >= MAX_DEPTH) refuse(`a value nested deeper than ${MAX_DEPTH} levels`);
      if (apply(wsHas, seen, [v])) refuse('a cyclic value');
      apply(wsAdd, seen, [v]);
      let out;
      if (isArray(v)) {
        const n = v.length;
        out = '';
        for (let i = 0; i < n; i++) out += (i ? ',' : '') + walk(v[i], depth + 1);
        out = `[${out}]`;
      } else if (brand(dateTime, v)) {
        out = `{"$d":${walk(apply(dateTime, v, []), depth + 1)}}`;
      } else if (brand(mapSize, v)) {
        out = `{"$m":[${items(apply(mapEntries, v, []), mapIterNext, depth + 1, true)}]}`;
      } else if (brand(setSize, v)) {
        out = `{"$s":[${items(apply(setValues, v, []), setIterNext, depth + 1, false)}]}`;
      } else {
        // Any other object crosses as its own enumerable string-keyed properties (what JSON.stringify keeps).
        const names = keys(v);
        out = '';
        for (let i = 0; i < names.length; i++) out += (i ? ',' : '') + `[${grow(stringify(names[i]))},${walk(v[names[i]], depth + 1)}]`;
        out = `{"$o":[${out}]}`;
      }
      apply(wsDelete, seen, [v]);
      return out;
    }
    return walk(value, 0);
  }

  const own = (object, key) => apply(hasOwn, object, [key]);
  function revive(node) {
    if (node === null || typeof node !== 'object') return node;
    if (isArray(node)) {
      const out = [];
      for (let i = 0; i < node.length; i++) put(out, i, revive(node[i]));
      return out;
    }
    if (own(node, '$u')) return undefined;
    if (own(node, '$n')) return node.$n === 'NaN' ? 0 / 0 : node.$n === 'Infinity' ? 1 / 0 : node.$n === '-Infinity' ? -1 / 0 : -0;
    if (own(node, '$b')) return toBigInt(node.$b);
    if (own(node, '$d')) return new DateCtor(revive(node.$d));
    if (own(node, '$m')) {
      const map = new MapCtor();
      for (let i = 0; i < node.$m.length; i++) apply(mapSet, map, [revive(node.$m[i][0]), revive(node.$m[i][1])]);
      return map;
    }
    if (own(node, '$s')) {
      const set = new SetCtor();
      for (let i = 0; i < node.$s.length; i++) apply(setAdd, set, [revive(node.$s[i])]);
      return set;
    }
    const out = {};
    const pairs = node.$o;
    for (let i = 0; i < pairs.length; i++) defineProperty(out, pairs[i][0], { value: revive(pairs[i][1]), writable: true, enumerable: true, configurable: true });
    return out;
  }
  const decode = (text) => revive(parse(text));
  return { encode, decode };
}

module.exports = { CODEC_SOURCE: crucibleCodec.toString(), crucibleCodec };
