// Maps JSON paths of a manifest back to file lines, so an error says "quickstart.json:12".
import { findNodeAtLocation, parseTree, type Node, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { CrucibleError } from '../errors.js';

export interface ParsedJson {
  value: unknown;
  lineOf(path: string): number | undefined;
}

export function parseJsonWithLines(text: string, file: string): ParsedJson {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length || !tree) {
    const details = errors.map((e) => ({ file, line: lineAt(text, e.offset), message: `JSON syntax error: ${printParseErrorCode(e.error)}` }));
    throw new CrucibleError('CRUCIBLE_E_MANIFEST', `${file} is not valid JSON`, details.length ? details : [{ file, message: 'empty file' }]);
  }
  return {
    value: JSON.parse(text),
    lineOf(path: string): number | undefined {
      let node: Node | undefined;
      const segments = path.split('.').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      // The deepest existing node: an unknown key's parent still points near the mistake.
      while (segments.length && !(node = findNodeAtLocation(tree, segments))) segments.pop();
      node ??= tree;
      return lineAt(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
    },
  };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
