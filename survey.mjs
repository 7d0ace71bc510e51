import { parse } from 'acorn';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const recs = gunzipSync(readFileSync('/work/shared/data/humaneval-x/humaneval_js.jsonl.gz')).toString().split('\n').filter(Boolean).map(JSON.parse);
const shapes = new Map();
let nested = [], nonAssert = [], multiAssertStmt = [];
for (const r of recs) {
  const ast = parse(r.test, { ecmaVersion: 'latest' });
  const top = ast.body.map(s => s.type + (s.type==='VariableDeclaration' ? ':' + s.declarations[0].init?.type : '')).join(',');
  shapes.set(top, (shapes.get(top) ?? 0) + 1);
  const fn = ast.body.find(s => s.type === 'VariableDeclaration');
  const body = fn.declarations[0].init.body.body;
  for (const st of body) {
    const src = r.test.slice(st.start, st.end);
    const isAssert = st.type === 'ExpressionStatement' && st.expression.type === 'CallExpression' && r.test.slice(st.expression.callee.start, st.expression.callee.end) === 'console.assert';
    const count = (src.match(/console\.assert/g) || []).length;
    if (!isAssert && count) nested.push(r.task_id + ' ' + st.type);
    if (!count) nonAssert.push(r.task_id + ' ' + src.slice(0, 60).replace(/\n/g,' '));
  }
  // declaration vs prompt: name
  const m = [...r.declaration.matchAll(/(?:const|function)\s+([A-Za-z_$][\w$]*)/g)].map(x=>x[1]);
  if (!r.prompt.trimEnd().endsWith('{')) console.log('prompt end', r.task_id, JSON.stringify(r.prompt.slice(-40)));
}
console.log([...shapes]);
console.log('nested', nested);
console.log('nonAssert', nonAssert);
