// Calls the exported `sign_headers` from JavaScript, as a host would: every vector of
// test-vectors/sdk-hmac-sha256.json, a date taken from node's clock (the way to sign with the
// current time without the `wasm-clock` feature), and bad input, which must throw an Error
// rather than trap.
//
// Usage: node sign.cjs PKG_JS VECTORS_JSON
// (PKG_JS: the module `wasm-bindgen --target nodejs` wrote.)
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const [pkg, vectorsFile] = process.argv.slice(2);
if (!pkg || !vectorsFile) {
  console.error('usage: node sign.cjs PKG_JS VECTORS_JSON');
  process.exit(2);
}
const { sign_headers } = require(path.resolve(pkg));
const { vectors } = JSON.parse(fs.readFileSync(vectorsFile, 'utf8'));
assert.ok(vectors.length >= 70, 'the file holds every vector, not a few');

const lines = (pairs) => pairs.map(([n, v]) => `${n}: ${v}\n`).join('');
const comparable = (pairs) => pairs.map(([n, v]) => `${n.toLowerCase()}: ${v.trim()}`).sort();
const parse = (text) => text.split('\n').filter((l) => l !== '').map((l) => {
  const at = l.indexOf(': ');
  assert.ok(at > 0, `a "Name: value" line: ${l}`);
  return [l.slice(0, at), l.slice(at + 2)];
});
const sign = (input, sdkDate) => parse(sign_headers(
  input.ak, input.sk, input.security_token, input.method, input.url,
  lines(input.headers), Buffer.from(input.body, 'utf8'), sdkDate));

let passed = 0;
let failed = 0;
function check(name, f) {
  try {
    f();
    passed += 1;
  } catch (e) {
    failed += 1;
    console.error(`FAILED ${name}: ${e.message}`);
  }
}

for (const v of vectors) {
  check(v.name, () => {
    const added = sign(v.input, v.input.sdk_date);
    assert.deepEqual(comparable([...v.input.headers, ...added]), comparable(v.expected.headers));
    const auth = added.find(([n]) => n === 'Authorization');
    assert.equal(auth && auth[1], v.expected.authorization);
  });
}

check('a date from the host clock', () => {
  const sdkDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  assert.match(sdkDate, /^\d{8}T\d{6}Z$/);
  const added = sign(vectors[0].input, sdkDate);
  assert.deepEqual(added.find(([n]) => n === 'X-Sdk-Date'), ['X-Sdk-Date', sdkDate]);
  assert.match(added.find(([n]) => n === 'Authorization')[1], /Signature=[0-9a-f]{64}$/);
});

check('bad input throws an Error', () => {
  const input = vectors[0].input;
  assert.throws(() => sign(input, '2026-11-28 04:35'), Error);
  assert.throws(() => sign({ ...input, url: 'not a url' }, input.sdk_date), Error);
  assert.throws(() => sign_headers(input.ak, input.sk, undefined, input.method, input.url,
    'a line without a colon\n', Buffer.alloc(0), input.sdk_date), Error);
  // The module still works after the refusals.
  assert.equal(sign(input, input.sdk_date).length, 3);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
