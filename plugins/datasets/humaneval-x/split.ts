// HumanEval-X JavaScript tests are one function of `console.assert(...)` lines, called once. console.assert does
// not throw in Node, so run as-is every program passes. Here each assertion becomes its own test case: the
// statements before it that hold no assertion (helpers, counters) followed by the assertion's statement, as one
// block. An assertion inside a loop keeps its loop. The executor's console.assert throws.
import { parse, type Node } from 'acorn';

export interface SplitTests {
  tests: string[];
}

interface AnyNode extends Node {
  [key: string]: unknown;
}

const isNode = (v: unknown): v is AnyNode => typeof v === 'object' && v !== null && typeof (v as AnyNode).type === 'string';

function isConsoleAssert(node: AnyNode): boolean {
  if (node.type !== 'CallExpression') return false;
  const callee = node.callee as AnyNode;
  return callee.type === 'MemberExpression' && !callee.computed
    && (callee.object as AnyNode).type === 'Identifier' && (callee.object as AnyNode).name === 'console'
    && (callee.property as AnyNode).type === 'Identifier' && (callee.property as AnyNode).name === 'assert';
}

function holdsAssert(node: AnyNode): boolean {
  if (isConsoleAssert(node)) return true;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    if (Array.isArray(value)) {
      if (value.some((v) => isNode(v) && holdsAssert(v))) return true;
    } else if (isNode(value) && holdsAssert(value)) return true;
  }
  return false;
}

/** The body of the test function: `const name = () => { ... }` or `function name() { ... }`, then `name()`. */
function testBody(program: AnyNode): { body: AnyNode[]; name: string } {
  const statements = program.body as AnyNode[];
  let found: { body: AnyNode[]; name: string } | undefined;
  for (const st of statements) {
    if (st.type === 'VariableDeclaration') {
      const [decl] = st.declarations as AnyNode[];
      const init = decl?.init as AnyNode | undefined;
      if ((st.declarations as AnyNode[]).length === 1 && init && /FunctionExpression$/.test(init.type) && (init.body as AnyNode).type === 'BlockStatement') {
        if (found) throw new Error('more than one test function');
        found = { body: (init.body as AnyNode).body as AnyNode[], name: (decl.id as AnyNode).name as string };
        continue;
      }
    }
    if (st.type === 'FunctionDeclaration') {
      if (found) throw new Error('more than one test function');
      found = { body: (st.body as AnyNode).body as AnyNode[], name: (st.id as AnyNode).name as string };
      continue;
    }
    const call = st.type === 'ExpressionStatement' ? (st.expression as AnyNode) : undefined;
    if (call?.type === 'CallExpression' && (call.callee as AnyNode).type === 'Identifier') continue; // the call of the test function
    throw new Error(`unexpected top-level ${st.type} at offset ${st.start}`);
  }
  if (!found) throw new Error('no test function (expected `const testX = () => { console.assert(...) ... }`)');
  return found;
}

/** Splits a HumanEval-X JavaScript test into one test case per console.assert statement; throws with the reason. */
export function splitConsoleAsserts(test: string): SplitTests {
  const program = parse(test, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
  const { body } = testBody(program);
  const prelude: string[] = [];
  const tests: string[] = [];
  for (const st of body) {
    const text = test.slice(st.start, st.end);
    if (holdsAssert(st)) tests.push([...prelude, text].join('\n'));
    else prelude.push(text);
  }
  if (tests.length === 0) throw new Error('the test function holds no console.assert');
  return { tests };
}

const DECLARED = /(?:\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=|\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\()/g;

/**
 * The entry point is the last function the declaration opens; what comes before it (helpers such as `poly`) is
 * the test setup, run by the checker itself so that tests calling a helper never call the candidate's copy.
 */
export function entryPointAndSetup(declaration: string): { entryPoint: string; setup: string } {
  let last: RegExpExecArray | undefined;
  for (const m of declaration.matchAll(DECLARED)) last = m as RegExpExecArray;
  if (!last) throw new Error('the declaration opens no function');
  const setup = declaration.slice(0, last.index).trim();
  parse(setup, { ecmaVersion: 'latest', sourceType: 'script' });
  return { entryPoint: last[1] ?? last[2], setup };
}
