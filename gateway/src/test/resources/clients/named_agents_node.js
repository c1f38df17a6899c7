// npm `redis` (node-redis) with `name:`, which it sends as HELLO 3 SETNAME: the connection posts to the blackboard,
// takes with ack and locks as the agent of its name, and SLATE.INFO (a RESP3 map) lists that agent among those writing
// through the gateway. The test that runs it has defined the blackboard 'incident' and switched journaling on for mutex
// 'drone'. Usage: node named_agents_node.js PORT GATEWAY_AGENT
const assert = require('assert');
const { createClient } = require('redis');

(async () => {
  const port = Number(process.argv[2]);
  const gatewayAgent = process.argv[3];
  const c = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 10000 }, RESP: 3, name: 'scout-js' });
  c.on('error', (e) => { console.error('client error', e); process.exit(2); });
  await c.connect();
  const anon = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 10000 }, RESP: 3 });
  anon.on('error', (e) => { console.error('client error', e); process.exit(2); });
  await anon.connect();
  assert.strictEqual(await c.sendCommand(['CLIENT', 'GETNAME']), 'scout-js');

  const last = await anon.xRevRange('slate:journal', '+', '-', { COUNT: 1 });
  const after = last.length ? last[0].id : '0-0';
  const post = await c.sendCommand(['SLATE.BB.POST', 'incident', 'hypothesis', '0.75', 'sensor', '9']);
  assert.ok(Number.isInteger(post) && post > 0, String(post));
  await anon.sendCommand(['SLATE.OUT', 'alerts', 'alert', '9']);
  const [tid] = await c.sendCommand(['SLATE.TAKE', 'alerts', 'alert', '?long']);
  assert.strictEqual(await c.sendCommand(['SLATE.ACK', String(tid)]), 1);
  const token = await c.sendCommand(['SLATE.LOCK', 'drone']);
  assert.ok(token >= 1);

  const info = await anon.sendCommand(['SLATE.INFO']);
  const get = (k) => (info instanceof Map ? info.get(k) : info[k]);
  assert.strictEqual(get('agent'), gatewayAgent);
  assert.strictEqual(get('connection_agent'), gatewayAgent);
  assert.deepStrictEqual(get('gateway_agents'), [`${gatewayAgent} connections=1 gateway`, 'scout-js connections=1']);
  assert.ok(get('sync').some((p) => p.startsWith('mutex drone ') && p.includes('holders=[scout-js pid=')), JSON.stringify(get('sync')));
  const mine = await c.sendCommand(['SLATE.INFO']);
  assert.strictEqual(mine instanceof Map ? mine.get('connection_agent') : mine.connection_agent, 'scout-js');
  assert.strictEqual(await c.sendCommand(['SLATE.UNLOCK', 'drone']), 'OK');

  const records = (await anon.xRange('slate:journal', '(' + after, '+')).map((e) => [e.message.op, e.message.key, e.message.agent]);
  assert.deepStrictEqual(records, [
    ['bb-write', 'incident', 'scout-js'],
    ['tuple-out', 'alerts', gatewayAgent],
    ['tuple-take', 'alerts', 'scout-js'],
    ['tuple-ack', 'alerts', 'scout-js'],
    ['lock', 'drone', 'scout-js'],
    ['unlock', 'drone', 'scout-js'],
  ]);
  await c.quit();
  await anon.quit();
  console.log('ok node-redis', require('redis/package.json').version, records.length, 'records');
})().catch((e) => { console.error(e); process.exit(1); });
