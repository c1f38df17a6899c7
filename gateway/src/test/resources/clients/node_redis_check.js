// npm `redis` (node-redis) against `slate serve`, speaking RESP3 (HELLO 3). Usage: node node_redis_check.js PORT
const assert = require('assert');
const { createClient } = require('redis');

(async () => {
  const port = Number(process.argv[2]);
  const c = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 10000 }, RESP: 3 });
  c.on('error', (e) => { console.error('client error', e); process.exit(2); });
  await c.connect();
  assert.strictEqual(await c.ping(), 'PONG');
  assert.strictEqual(await c.set('js:k', 'v1'), 'OK');
  assert.strictEqual(await c.get('js:k'), 'v1');
  assert.strictEqual(await c.get('js:none'), null);
  assert.strictEqual(await c.set('js:k', 'v2', { NX: true }), null);
  assert.strictEqual(await c.incrBy('js:n', 5), 5);
  assert.deepStrictEqual(await c.mGet(['js:k', 'js:none']), ['v1', null]);
  assert.strictEqual(await c.exists(['js:k', 'js:none']), 1);
  const info = await c.info('persistence');
  assert.ok(info.includes('loading:0'), info);
  // RESP3 maps from our commands
  const v = await c.sendCommand(['SLATE.GETV', 'js:k']);
  assert.strictEqual(v.value, 'v1');
  assert.strictEqual(v.version, 1);
  assert.strictEqual(v.removed, false);
  // MULTI/EXEC on one key
  const res = await c.multi().set('js:t', 'a').append('js:t', 'b').get('js:t').exec();
  assert.deepStrictEqual(res, ['OK', 2, 'ab']);
  // WATCH: a write from another connection aborts EXEC
  const other = c.duplicate();
  await other.connect();
  await c.watch('js:t');
  await other.set('js:t', 'z');
  await assert.rejects(c.multi().set('js:t', 'mine').exec(), (e) => e.constructor.name === 'WatchError' || /WATCH|watch/.test(String(e)));
  assert.strictEqual(await c.get('js:t'), 'z');
  // the journal as a stream, RESP3 map reply
  const read = await c.sendCommand(['XREAD', 'COUNT', '2', 'STREAMS', 'slate:journal', '0']);
  const entries = read['slate:journal'] || (read instanceof Map ? read.get('slate:journal') : undefined);
  assert.ok(Array.isArray(entries) && entries.length === 2, JSON.stringify(read));
  assert.deepStrictEqual(entries[0][1].slice(0, 4), ['op', 'put', 'key', 'js:k']);
  // tuples: a take owned by this connection; RESP3 doubles and booleans
  const id = await c.sendCommand(['SLATE.OUT', 'js:jobs', 'alert', '3', '0.25', 'true']);
  const taken = await other.sendCommand(['SLATE.TAKE', 'js:jobs', 'alert', '?long', '?double', '?boolean', 'BLOCK', '1000']);
  assert.deepStrictEqual(taken, [id, ['alert', 3, 0.25, true]]);
  assert.strictEqual(await other.sendCommand(['SLATE.ACK', String(id)]), 1);
  const token = await c.sendCommand(['SLATE.LOCK', 'js:drone']);
  assert.ok(token >= 1);
  assert.strictEqual(await other.sendCommand(['SLATE.LOCK', 'js:drone']), null);
  await other.quit();
  await c.quit();
  console.log('ok node-redis', require('redis/package.json').version);
})().catch((e) => { console.error(e); process.exit(1); });
