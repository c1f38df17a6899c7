// One agent process: runs the graph ROUNDS times on one shared thread, its checkpoints in Slate through the gateway.
// Usage: node example/agent.js PORT THREAD AGENT ROUNDS
// When another process advanced the thread while this run was going, the saver refuses the stale step
// (SlateCheckpointConflictError) and the run is done again from the thread's latest checkpoint.
import { createClient } from "redis";
import { SlateCheckpointConflictError, SlateSaver } from "../src/index.js";
import { buildGraph } from "./graph.js";

const [port, thread, agent, rounds] = process.argv.slice(2);
if (!port || !thread || !agent || !rounds) {
  console.error("usage: node example/agent.js PORT THREAD AGENT ROUNDS");
  process.exit(2);
}
const client = createClient({ url: `redis://127.0.0.1:${port}` });
client.on("error", (e) => console.error(`${agent}: redis client: ${e.message}`));
await client.connect();
const graph = buildGraph(new SlateSaver(client));
const config = { configurable: { thread_id: thread } };

// start together: each agent says it is ready, then waits (bounded) until both are
await client.incr(`example:${thread}:ready`);
for (let i = 0; i < 200 && Number(await client.get(`example:${thread}:ready`)) < 2; i++) {
  await new Promise((r) => setTimeout(r, 25));
}

let conflicts = 0;
for (let round = 0; round < Number(rounds); round++) {
  const tag = `${agent}-${round}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await graph.invoke({ events: [`in:${tag}`] }, config);
      console.log(`${agent}: round ${round} done (acts in the thread: ${out.acts})`);
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
      break;
    } catch (e) {
      if (!(e instanceof SlateCheckpointConflictError) || attempt >= 50) {
        throw e;
      }
      conflicts += 1;
      console.log(`${agent}: round ${round} refused (${e.message.split(":")[0]}: another agent moved the thread), again`);
    }
  }
}
console.log(`DONE ${agent} rounds=${rounds} conflicts=${conflicts}`);
await client.quit();
