// The checker's I/O thread: it owns the candidate process (spawn, pipes, exit, kill) so that the checker's main
// thread can run the tests synchronously and still bound every call. Requests and answers pass through a
// SharedArrayBuffer mailbox: ctl[0] is the state (0 idle, 1 request, 2 answer, 3 abandoned by the main thread,
// which then waits for the kill), ctl[1] the byte length of the message in `data`. The main thread posts an empty
// message after each change of state to wake this thread's event loop (Atomics.waitAsync alone did not wake an
// otherwise idle worker thread in Node 20).
import { parentPort, workerData } from 'node:worker_threads';
import { spawn } from 'node:child_process';

const { sab, command, args, uid, gid, env } = workerData;
const ctl = new Int32Array(sab, 0, 4);
const data = new Uint8Array(sab, 16);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const STDERR_KEEP = 4000;

let child = null;

function startChild() {
  const options = { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env };
  if (uid !== null && uid !== undefined) Object.assign(options, { uid, gid });
  const proc = spawn(command, args, options);
  const state = { proc, out: '', errTail: '', lines: [], waiters: [], exited: null, exitWaiters: [] };
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk) => {
    state.out += chunk;
    let nl;
    while ((nl = state.out.indexOf('\n')) >= 0) {
      const line = state.out.slice(0, nl);
      state.out = state.out.slice(nl + 1);
      const waiter = state.waiters.shift();
      if (waiter) waiter(line);
      else state.lines.push(line);
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk) => {
    state.errTail = (state.errTail + chunk).slice(-STDERR_KEEP);
  });
  proc.stdin.on('error', () => undefined);
  const onExit = (code, signal, error) => {
    if (state.exited) return;
    state.exited = { code, signal, error };
    for (const w of state.exitWaiters.splice(0)) w(state.exited);
  };
  proc.on('error', (error) => onExit(null, null, error.message));
  proc.on('exit', (code, signal) => onExit(code, signal, null));
  child = state;
  return state;
}

const exitOf = (state) => (state.exited ? Promise.resolve(state.exited) : new Promise((r) => state.exitWaiters.push(r)));
const nextLine = (state) => (state.lines.length ? Promise.resolve(state.lines.shift()) : new Promise((r) => state.waiters.push(r)));

function killChild(state) {
  if (!state || state.exited) return;
  try {
    process.kill(-state.proc.pid, 'SIGKILL');
  } catch {
    try { state.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

const died = (state, exited) => ({ died: { code: exited.code, signal: exited.signal, error: exited.error, stderr: state.errTail } });

let signalled = [];
parentPort.on('message', () => {
  const waiting = signalled;
  signalled = [];
  for (const wake of waiting) wake();
});
const signal = () => new Promise((resolve) => signalled.push(resolve));

/** Resolves when the main thread abandons the current request (state 3); never for a request already answered. */
async function abandoned(generation) {
  while (generation === current) {
    if (Atomics.load(ctl, 0) === 3) return 'abandoned';
    await signal();
  }
  return new Promise(() => undefined);
}

let current = 0;

async function handle(request, generation) {
  if (request.op === 'spawn') {
    if (child && !child.exited) return { ready: true, pid: child.proc.pid };
    const state = startChild();
    const first = await Promise.race([nextLine(state), exitOf(state).then(() => null), abandoned(generation)]);
    if (first === 'abandoned') return killed(state);
    if (first === null) return died(state, state.exited);
    try {
      return JSON.parse(first);
    } catch {
      killChild(state);
      return { died: { code: null, signal: null, error: 'unreadable ready line', stderr: state.errTail } };
    }
  }
  if (request.op === 'kill') {
    if (child) {
      killChild(child);
      await exitOf(child);
    }
    return { killed: true };
  }
  const state = child;
  if (!state || state.exited) return state ? died(state, state.exited) : { died: { code: null, signal: null, error: 'no candidate process', stderr: '' } };
  state.proc.stdin.write(JSON.stringify(request.message) + '\n');
  const answer = await Promise.race([nextLine(state), exitOf(state).then(() => null), abandoned(generation)]);
  if (answer === 'abandoned') return killed(state);
  if (answer === null) return died(state, state.exited);
  return { raw: answer };
}

async function killed(state) {
  killChild(state);
  const exited = await exitOf(state);
  return { killed: true, exited };
}

function write(message) {
  let bytes = encoder.encode(JSON.stringify(message));
  if (bytes.length > data.length) bytes = encoder.encode(JSON.stringify({ tooLarge: bytes.length }));
  data.set(bytes);
  Atomics.store(ctl, 1, bytes.length);
}

async function serve() {
  for (;;) {
    if (Atomics.load(ctl, 0) !== 1) {
      await signal();
      continue;
    }
    const request = JSON.parse(decoder.decode(data.slice(0, Atomics.load(ctl, 1))));
    const generation = ++current;
    let answer = await handle(request, generation);
    current++;
    write(answer);
    if (Atomics.compareExchange(ctl, 0, 1, 2) !== 1) {
      // The main thread gave up while the answer was on its way: it waits for the process to be gone.
      if (!answer.killed && child) answer = await killed(child);
      write(answer);
      Atomics.store(ctl, 0, 2);
    }
    Atomics.notify(ctl, 0);
  }
}

void serve();
