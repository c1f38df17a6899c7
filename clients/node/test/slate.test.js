'use strict';
// Tests of slate.js against a running `slate serve` (port in SLATE_GATEWAY_PORT); the Maven build starts the gateway
// and runs them with `node --test` (GwClientHelpersTest). Both npm clients: redis (RESP3) and ioredis (RESP2).
const test = require('node:test');
const assert = require('node:assert');
const { createClient } = require('redis');
const Redis = require('ioredis');
const { Slate, ANY, STRING, LONG, DOUBLE, BOOLEAN, BYTES } = require('../slate');

const port = Number(process.env.SLATE_GATEWAY_PORT);

async function nodeRedis() {
  const c = createClient({ socket: { host: '127.0.0.1', port }, RESP: 3 });
  await c.connect();
  return new Slate(c);
}

async function ioredis() {
  const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  await new Promise((resolve, reject) => { c.once('ready', resolve); c.once('error', reject); });
  return new Slate(c);
}

async function close(s) {
  if (typeof s.client.quit === 'function') await s.client.quit();
}

for (const [label, make] of [['node-redis RESP3', nodeRedis], ['ioredis RESP2', ioredis]]) {
  test(`${label}: typed fields round trip`, { timeout: 20000 }, async () => {
    const s = await make();
    try {
      const jobs = s.tuples(`js-h-${label}`);
      const id = await jobs.out('alert', 7, 0.5, true, Buffer.from('hi'), '42');
      assert.ok(id > 0);
      assert.deepStrictEqual(await jobs.rdp(['alert', LONG, DOUBLE, BOOLEAN, BYTES, STRING]), ['alert', 7, 0.5, true, Buffer.from('hi'), '42']);
      assert.strictEqual(await jobs.count(['alert', ANY, ANY, ANY, ANY, ANY]), 1);
      assert.strictEqual(await jobs.rdp(['alert', STRING, ANY, ANY, ANY, ANY]), null);
      assert.deepStrictEqual((await jobs.inp(['alert', 7, 0.5, true, ANY, '42'])).slice(0, 3), ['alert', 7, 0.5]);
    } finally {
      await close(s);
    }
  });

  test(`${label}: takeWithAck is owned by the connection`, { timeout: 20000 }, async () => {
    const a = await make();
    const b = await make();
    const name = `js-ack-${label}`;
    await a.tuples(name).out('job', 1);
    const t = await b.tuples(name).takeWithAck(['job', LONG]);
    assert.deepStrictEqual(t.fields, ['job', 1]);
    assert.strictEqual(await a.tuples(name).rdp(['job', LONG]), null);
    await close(b); // dropped before the ack: the tuple comes back
    let back = null;
    for (let i = 0; i < 250 && back === null; i++) {
      back = await a.tuples(name).rdp(['job', LONG]);
      if (back === null) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepStrictEqual(back, ['job', 1]);
    const t2 = await a.tuples(name).takeWithAck(['job', LONG], { block: 2000 });
    assert.strictEqual(await t2.ack(), true);
    assert.strictEqual(await a.tuples(name).takeWithAck(['job', LONG], { block: 50 }), null);
    await close(a);
  });

  test(`${label}: versions, waits and locks`, { timeout: 20000 }, async () => {
    const a = await make();
    const b = await make();
    const key = `js-h:${label}`;
    assert.strictEqual(await a.cas(key, 0, 'x'), 1);
    assert.strictEqual(await a.cas(key, 0, 'y'), null);
    const v = await a.getv(key);
    assert.strictEqual(v.version, 1);
    assert.strictEqual(String(v.value), 'x');
    setTimeout(() => b.cas(key, 1, 'z'), 100);
    const w = await a.wait(key, 1, { block: 10000 });
    assert.strictEqual(w.version, 2);
    const l1 = await a.lock(`${key}:drone`, { block: 1000 });
    assert.strictEqual(await b.lock(`${key}:drone`, { block: 50 }), null);
    await l1.unlock();
    const l2 = await b.lock(`${key}:drone`, { block: 1000 });
    assert.ok(l2.token > l1.token);
    await l2.unlock();
    await close(a);
    await close(b);
  });
}
