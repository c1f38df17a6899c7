// ioredis against `slate serve` (RESP2, INFO ready check). Usage: node ioredis_check.js PORT
const assert = require('assert');
const Redis = require('ioredis');

(async () => {
  const port = Number(process.argv[2]);
  const r = new Redis({ host: '127.0.0.1', port, enableReadyCheck: true, maxRetriesPerRequest: 1, connectTimeout: 10000 });
  await new Promise((resolve, reject) => { r.once('ready', resolve); r.once('error', reject); });
  assert.strictEqual(await r.set('io:k', '1'), 'OK');
  assert.strictEqual(await r.incr('io:k'), 2);
  assert.strictEqual(await r.get('io:k'), '2');
  assert.strictEqual(await r.getdel('io:k'), '2');
  assert.strictEqual(await r.get('io:k'), null);
  const p = await r.pipeline().set('io:a', 'x').get('io:a').exec();
  assert.deepStrictEqual(p, [[null, 'OK'], [null, 'x']]);
  const m = await r.multi().incrby('io:c', 2).incrby('io:c', 3).exec();
  assert.deepStrictEqual(m, [[null, 2], [null, 5]]);
  const entries = await r.xrange('slate:journal', '-', '+', 'COUNT', 1);
  assert.strictEqual(entries.length, 1);
  assert.deepStrictEqual(entries[0][1].slice(0, 4), ['op', 'put', 'key', 'io:k']);
  const id = await r.call('SLATE.OUT', 'io:jobs', 'alert', '1');
  const t = await r.call('SLATE.TAKE', 'io:jobs', 'alert', '*');
  assert.deepStrictEqual(t, [id, ['alert', 1]]);
  assert.strictEqual(await r.call('SLATE.ACK', String(id)), 1);
  await assert.rejects(r.call('NOSUCH', 'a'), /unknown command 'NOSUCH', with args beginning with: 'a'/);
  r.disconnect();
  console.log('ok ioredis', require('ioredis/package.json').version);
})().catch((e) => { console.error(e); process.exit(1); });
