// What a JSON syntax error says, without the text it failed on: V8's messages quote the input
// ('Unexpected token 'r', "root:x:0:0:"... is not valid JSON'), and a data file named by a manifest may
// hold anything (a secret the caller may not read). Only the position and what was expected are kept.

/** e.g. "unexpected character at column 1 (expected a JSON value)"; never any of the input. */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message);
  const where = position ? ` at column ${Number(position[1]) + 1}` : '';
  if (/Unexpected end of JSON input|Unterminated string/i.test(message)) return `the JSON ends too early${where} (expected the rest of a value)`;
  if (/property name|Expected ':'|after property value/i.test(message)) return `malformed object${where} (expected "name": value pairs separated by commas)`;
  if (/after array element|Expected ',' or ']'/i.test(message)) return `malformed array${where} (expected values separated by commas)`;
  if (/non-whitespace character after JSON/i.test(message)) return `extra text after the JSON value${where} (expected one value per line)`;
  if (/control character|escaped character|Bad Unicode escape/i.test(message)) return `malformed string${where} (expected escaped control characters)`;
  return `unexpected character${where} (expected a JSON value)`;
}
