'use strict';
// The stdin both runtime processes read: one JSON message a line (the checker's jobs from crucible, the candidate
// process's requests from the checker), each handed on in order; the process exits as `onEnd` says when stdin closes.
function onJsonLines(stream, onMessage, onEnd) {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onMessage(JSON.parse(line));
    }
  });
  stream.on('end', onEnd);
}

module.exports = { onJsonLines };
