// Transfer probe for the stage breakdown (profile.ts): answers each message with a fresh Float32Array of the asked
// length, moved (transferred) back, as a pool worker hands back a clip; length 0 answers an empty message.
'use strict';
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (n) => {
  if (!n) return parentPort.postMessage(null);
  const a = new Float32Array(n);
  parentPort.postMessage({ views: [a] }, [a.buffer]);
});
