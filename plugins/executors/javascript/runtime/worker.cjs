'use strict';
// The candidate process: it holds one vm2 context at a time (a fresh one per candidate, built ahead while idle)
// and answers the checker's requests, one JSON line each way (stdin -> stdout):
//   {op:'define', code, limitMs}        run the candidate's program
//   {op:'call', name, args, limitMs}    call a global function of the program; args and result in the wire format
//   {op:'settle'}                       answer once the program has no pending timers (the checker bounds the wait)
// This process is the candidate's: it holds no test, no expected value and no report channel, and anything it
// answers is parsed by the checker as plain data. vm2 is the inner layer; the sandbox around this process is the
// boundary (an escape from vm2 lands here: an unprivileged uid, rlimits, no network, a throwaway /tmp).
const { VM, VMScript } = require('vm2');
const { writeSync } = require('node:fs');
const { CODEC_SOURCE } = require('./codec.cjs');
const { MD5_SOURCE } = require('./md5.cjs');
const { onJsonLines } = require('./lines.cjs');

const config = JSON.parse(process.argv[2] || '{}');
const MAX_RESULT_BYTES = config.maxResultBytes || 4 << 20;
const OUTPUT_BYTES = config.outputBytes || 2000;
const RUN = '__crucible_run';
const ARGS = '__crucible_args';
const OUT = '__crucible_output';

// Installed in each fresh context before the candidate: the codec, the call runner, a console that keeps a
// bounded tail of what the program prints, and a require() that serves only in-sandbox md5 shims.
const BOOT = `(() => {
  const codec = (${CODEC_SOURCE})(globalThis, ${MAX_RESULT_BYTES});
  const md5 = ${MD5_SOURCE};
  const defineProperty = Object.defineProperty;
  const ErrorCtor = Error;
  const toText = String;
  const hidden = (name, value) => defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false });
  let printed = '';
  const print = (...parts) => {
    let line = '';
    for (let i = 0; i < parts.length; i++) { try { line += (i ? ' ' : '') + toText(parts[i]); } catch { line += ' [unprintable]'; } }
    printed = (printed + line + '\\n').slice(-${OUTPUT_BYTES});
  };
  const console = { log: print, error: print, warn: print, info: print, debug: print, trace: print, dir: print,
    assert: (ok, ...rest) => { if (!ok) print('Assertion failed', ...rest); } };
  defineProperty(globalThis, 'console', { value: console, writable: true, enumerable: false, configurable: true });
  const modules = { 'js-md5': md5, crypto: { createHash(kind) {
    if (toText(kind).toLowerCase() !== 'md5') throw new ErrorCtor('crucible sandbox: only createHash("md5") is available');
    let text = '';
    const hash = { update(data) { text += toText(data); return hash; }, digest(form) {
      if (form !== 'hex') throw new ErrorCtor('crucible sandbox: only digest("hex") is available'); return md5(text); } };
    return hash;
  } } };
  defineProperty(globalThis, 'require', { writable: true, enumerable: false, configurable: true, value: (name) => {
    const key = toText(name).replace(/^node:/, '');
    if (Object.prototype.hasOwnProperty.call(modules, key)) return modules[key];
    const error = new ErrorCtor("Cannot find module '" + toText(name) + "' (the crucible sandbox offers only js-md5 and crypto.createHash('md5'))");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  } });
  const describe = (thrown) => {
    let type = typeof thrown, message = '';
    try {
      if (thrown !== null && typeof thrown === 'object') {
        const ctor = thrown.constructor;
        type = ctor && typeof ctor.name === 'string' && ctor.name ? ctor.name : 'Object';
        if (typeof thrown.message === 'string') message = thrown.message;
      } else message = toText(thrown);
    } catch { message = '[unreadable]'; }
    return JSON.stringify([toText(type).slice(0, 100), toText(message).slice(0, 300)]);
  };
  hidden('${RUN}', (lookup) => {
    let fn;
    try { fn = lookup(); } catch (e) { return 'E' + describe(e); }
    if (typeof fn !== 'function') return 'E' + JSON.stringify(['TypeError', 'the program defines no function of that name']);
    let result;
    try { result = fn(...codec.decode(globalThis.${ARGS})); } catch (e) { return 'E' + describe(e); }
    try { return 'R' + codec.encode(result); } catch (e) { return 'E' + describe(e); }
  });
  hidden('${OUT}', () => { const text = printed; printed = ''; return text; });
})()`;

const bootScript = new VMScript(BOOT, { filename: 'crucible-boot.js' });
const callScripts = new Map();
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

let timers = new Set();
const newTimers = () => {
  for (const t of timers) clearTimeout(t);
  timers = new Set();
  return timers;
};

function freshVm() {
  const own = newTimers();
  const limit = () => Math.max(1, config.asyncCallbackMs || 1000);
  const schedule = (repeat) => (fn, ms, ...args) => {
    if (typeof fn !== 'function') throw new TypeError('the callback must be a function');
    const delay = Math.max(0, Math.min(Number(ms) || 0, 2 ** 31 - 1));
    const fire = () => {
      if (!repeat) own.delete(handle);
      try { withTimeout(() => fn(...args), limit()); } catch { /* an error in a timer is the program's own */ }
    };
    const handle = repeat ? setInterval(fire, delay) : setTimeout(fire, delay);
    own.add(handle);
    return Number(handle);
  };
  const clear = (id) => {
    for (const t of own) if (Number(t) === Number(id)) { clearTimeout(t); own.delete(t); }
  };
  // Tests of the outer sandbox only: hands the candidate what a complete escape from vm2 would give it.
  const sandbox = config.unsafeHostAccess ? { __host: { process, require } } : {};
  const vm = new VM({ eval: false, wasm: false, allowAsync: true, bufferAllocLimit: 16 << 20, sandbox: {
    ...sandbox,
    setTimeout: schedule(false), setInterval: schedule(true), clearTimeout: clear, clearInterval: clear,
  } });
  vm.run(bootScript);
  return vm;
}

// Node's own watchdog (as vm2 uses): a tiny script run with `timeout` interrupts whatever it calls.
const { Script, createContext } = require('node:vm');
const timeoutContext = createContext();
const timeoutScript = new Script('fn()');
function withTimeout(fn, ms) {
  timeoutContext.fn = fn;
  try {
    return timeoutScript.runInContext(timeoutContext, { timeout: Math.max(1, Math.ceil(ms)), displayErrors: false });
  } finally {
    timeoutContext.fn = null;
  }
}

let current = null;
let prepared = null;

function timed(fn, limitMs) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome;
  try {
    outcome = { value: withTimeout(fn, limitMs) };
  } catch (e) {
    outcome = e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? { timeout: true } : { error: e };
  }
  const cpu = process.cpuUsage(cpu0);
  return { ...outcome, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 };
}

const errorInfo = (e) => {
  try {
    return [String((e && e.name) || typeof e).slice(0, 100), String((e && e.message) || '').slice(0, 300)];
  } catch {
    return ['Error', '[unreadable]'];
  }
};

function define(request) {
  current = prepared || freshVm();
  prepared = null;
  let script;
  try {
    script = new VMScript(String(request.code), { filename: 'candidate.js' });
    script.compile();
  } catch (e) {
    const [type, message] = errorInfo(e);
    return type === 'SyntaxError' ? { syntax: `SyntaxError: ${message}` } : { threw: [type, message] };
  }
  const vm = current;
  const run = timed(() => vm.run(script), request.limitMs);
  if (run.timeout) return { timeout: true, cpuMs: run.cpuMs, wallMs: run.wallMs };
  if (run.error) return { threw: errorInfo(run.error), cpuMs: run.cpuMs };
  return { ok: true, cpuMs: run.cpuMs, wallMs: run.wallMs };
}

function call(request) {
  if (!current) return { threw: ['Error', 'no program defined'] };
  const name = String(request.name);
  if (!IDENTIFIER.test(name)) return { threw: ['TypeError', 'not an identifier'] };
  let script = callScripts.get(name);
  if (!script) {
    script = new VMScript(`${RUN}(() => ${name})`, { filename: 'crucible-call.js' });
    callScripts.set(name, script);
  }
  const vm = current;
  vm.setGlobal(ARGS, String(request.args));
  const run = timed(() => vm.run(script), request.limitMs);
  if (run.timeout) return { timeout: true, cpuMs: run.cpuMs, wallMs: run.wallMs };
  if (run.error) return { threw: errorInfo(run.error), cpuMs: run.cpuMs };
  const answer = typeof run.value === 'string' ? run.value : 'E["TypeError","the call runner was replaced"]';
  if (answer[0] === 'R') return { value: answer.slice(1), cpuMs: run.cpuMs };
  let thrown;
  try { thrown = JSON.parse(answer.slice(1)); } catch { thrown = ['Error', '[unreadable]']; }
  return { threw: thrown, cpuMs: run.cpuMs };
}

function output() {
  if (!current) return '';
  try {
    const text = withTimeout(() => current.run(`${OUT}()`), 200);
    return typeof text === 'string' ? text : '';
  } catch {
    return '';
  }
}

function answer(message) {
  const line = JSON.stringify(message) + '\n';
  writeSync(1, line);
}

function settle(request) {
  const finish = () => {
    const printed = output();
    current = null;
    newTimers();
    answer({ ok: true, ...(printed ? { output: printed } : {}) });
    // Build the next candidate's context now, while the checker reports and waits for its next job.
    setImmediate(() => { if (!prepared) prepared = freshVm(); });
  };
  if (timers.size === 0 || request.wait === false) return finish();
  const poll = setInterval(() => {
    if (timers.size === 0) {
      clearInterval(poll);
      finish();
    }
  }, 2);
}

function handle(request) {
  switch (request.op) {
    case 'define': return answer(define(request));
    case 'call': return answer(call(request));
    case 'settle': return settle(request);
    default: return answer({ threw: ['Error', `unknown request ${String(request.op)}`] });
  }
}

onJsonLines(process.stdin, handle, () => process.exit(0));
prepared = freshVm();
answer({ ready: true, pid: process.pid, uid: typeof process.getuid === 'function' ? process.getuid() : null });
