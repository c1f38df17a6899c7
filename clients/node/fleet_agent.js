'use strict';
// A responder of the fleet demo written in JavaScript (Node + npm `redis`, RESP3), joining the space through
// `slate serve`: it takes each alert with ack, posts a hypothesis to the blackboard 'incident' and acknowledges the
// alert, until the demo's phase key says stop. Right after each take it sets fleet/holding/AGENT_ID to the alert's id,
// and removes it once the alert is acknowledged: a take belongs to the gateway connection (named AGENT_ID, so the
// journal names this agent for its takes, acks and posts), and this key is how the demo's --chaos catches the moment
// this agent holds an unacknowledged alert before it kills it. Usage: node fleet_agent.js PORT AGENT_ID
const { createClient } = require('redis');
const { Slate, LONG, DOUBLE } = require('./slate');

const ALERT = ['alert', LONG, DOUBLE, LONG]; // ["alert", sensor, value, sent nanos], as the JVM sensors write it

(async () => {
  const port = Number(process.argv[2]);
  const agent = process.argv[3];
  const client = createClient({ socket: { host: '127.0.0.1', port }, RESP: 3, name: agent });
  client.on('error', (e) => { console.error(`${agent}: ${e.message}`); process.exit(1); });
  await client.connect();
  const slate = new Slate(client);
  const alerts = slate.tuples('alerts');
  const holding = `fleet/holding/${agent}`;
  await client.set(`fleet/ready/${agent}`, String(process.hrtime.bigint()));
  let acked = 0;
  while ((await client.get('fleet/phase')) !== '2') {
    const t = await alerts.takeWithAck(ALERT, { block: 100 });
    if (!t) continue;
    try {
      await client.set(holding, String(t.id));
      const [, sensor, value] = t.fields;
      const v = Number.isInteger(value) ? value.toFixed(1) : String(value);
      await slate.send('SLATE.BB.POST', 'incident', 'hypothesis', v, 'sensor', sensor, 'value', v, 'alert', t.id, 'by', `"${agent}"`);
      if (await t.ack()) acked++;
      await client.del(holding);
    } catch (e) {
      await t.release();
      throw e;
    }
    if (acked % 200 === 0) await client.set(`fleet/stats/${agent}`, `acked=${acked}`);
  }
  await client.set(`fleet/stats/${agent}`, `acked=${acked}`);
  console.log(`${agent}: acknowledged ${acked} alerts through the gateway (Node, npm redis ${require('redis/package.json').version})`);
  await client.quit();
})().catch((e) => { console.error(e); process.exit(1); });
