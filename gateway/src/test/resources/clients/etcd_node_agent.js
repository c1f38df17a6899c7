// A Node agent (npm redis speaking RESP3, and ioredis) on one gateway of a space on etcd, while a Python agent works
// through another gateway of the same space (GwEtcdTest). Usage: node etcd_node_agent.js PHASE PORT [ARG...]
//   write                      writes node:k twice, puts out three alerts, takes and releases the lock 'drone'
//   tail-write                 writes node:tail (a Python agent tails the journal for it)
//   finish PY_AGENT TOKEN...   sees the Python agent's writes, takes the alerts left with ack, locks above its tokens
//   victim                     puts out ('victim', 99)
// Prints one "ok {json}" line on success; exits non-zero with the failing assertion.
const assert = require('assert');
const { createClient } = require('redis');
const Redis = require('ioredis');

const NAME = 'node-b';

async function nodeRedis(port) {
  const c = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 10000, reconnectStrategy: false }, RESP: 3, name: NAME });
  c.on('error', (e) => { console.error('client error', e); process.exit(2); });
  await c.connect();
  return c;
}

async function ioredis(port) {
  const r = new Redis({ host: '127.0.0.1', port, connectionName: NAME, enableReadyCheck: true, maxRetriesPerRequest: 1,
    connectTimeout: 10000, retryStrategy: () => null });
  await new Promise((resolve, reject) => { r.once('ready', resolve); r.once('error', reject); });
  return r;
}

(async () => {
  const phase = process.argv[2];
  const port = Number(process.argv[3]);
  if (phase === 'write') {
    const c = await nodeRedis(port);
    assert.strictEqual(await c.sendCommand(['CLIENT', 'GETNAME']), NAME);
    assert.strictEqual(await c.set('node:k', 'from-node-1'), 'OK');
    assert.strictEqual(await c.set('node:k', 'from-node-2'), 'OK');
    const v = await c.sendCommand(['SLATE.GETV', 'node:k']);
    assert.strictEqual(v.value, 'from-node-2');
    const ids = [];
    for (let i = 1; i <= 3; i++) {
      ids.push(await c.sendCommand(['SLATE.OUT', 'jobs', 'alert', String(i)]));
    }
    assert.strictEqual(await c.sendCommand(['SLATE.COUNT', 'jobs', 'alert', '?long']), 3);
    const token = await c.sendCommand(['SLATE.LOCK', 'drone', 'BLOCK', '10000']);
    assert.ok(token > 0, String(token));
    assert.strictEqual(await c.sendCommand(['SLATE.UNLOCK', 'drone']), 'OK');
    await c.quit();
    console.log('ok ' + JSON.stringify({ version: v.version, writer: v.writer, ids, token }));
  } else if (phase === 'tail-write') {
    const r = await ioredis(port);
    assert.strictEqual(await r.set('node:tail', 'hello-from-node'), 'OK');
    r.disconnect();
    console.log('ok {}');
  } else if (phase === 'finish') {
    const pyAgent = process.argv[4];
    const tokens = process.argv.slice(5).map(Number);
    const r = await ioredis(port);
    // the Python agent's compare-and-set through the other gateway, with its version and its writer
    assert.strictEqual(await r.get('node:k'), 'from-py');
    const v = await r.call('SLATE.GETV', 'node:k');
    const d = {};
    for (let i = 0; i < v.length; i += 2) d[v[i]] = v[i + 1];
    assert.strictEqual(d.version, 3);
    assert.strictEqual(d.writer, pyAgent);
    const entries = await r.xrange('slate:journal', '-', '+');
    const cas = entries.map(([, f]) => f).filter((f) => f[1] === 'put' && f[3] === 'node:k' && f[5] === '3');
    assert.strictEqual(cas.length, 1);
    assert.strictEqual(cas[0][9], pyAgent);
    // the two alerts left (one came back when the Python taker's connection dropped): taken with ack here
    const left = [];
    for (let i = 0; i < 2; i++) {
      const t = await r.call('SLATE.TAKE', 'jobs', 'alert', '?long', 'BLOCK', '5000');
      assert.ok(t, 'an alert left to take');
      assert.strictEqual(await r.call('SLATE.ACK', String(t[0])), 1);
      left.push(t[1][1]);
    }
    assert.strictEqual(await r.call('SLATE.INP', 'jobs', 'alert', '?long'), null);
    const token = await r.call('SLATE.LOCK', 'drone', 'BLOCK', '10000');
    for (const t of tokens) assert.ok(token > t, `token ${token} above ${t}`);
    assert.strictEqual(await r.call('SLATE.UNLOCK', 'drone'), 'OK');
    r.disconnect();
    console.log('ok ' + JSON.stringify({ left, token }));
  } else if (phase === 'victim') {
    const c = await nodeRedis(port);
    const id = await c.sendCommand(['SLATE.OUT', 'jobs', 'victim', '99']);
    await c.quit();
    console.log('ok ' + JSON.stringify({ id }));
  } else {
    throw new Error('unknown phase ' + phase);
  }
})().catch((e) => { console.error(e); process.exit(1); });
