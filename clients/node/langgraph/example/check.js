// Checks the shared thread after the agents ran. Prints LINEAR true|false (every checkpoint's parent is the next older
// one: no hidden fork), ACTS n (the state's count), one EVENT line per event of the state's log, and one
// HISTORY id parent line per checkpoint, newest first.
// Usage: node example/check.js PORT THREAD
import { createClient } from "redis";
import { SlateSaver } from "../src/index.js";
import { buildGraph } from "./graph.js";

const [port, thread] = process.argv.slice(2);
const client = createClient({ url: `redis://127.0.0.1:${port}` });
await client.connect();
const saver = new SlateSaver(client);
const history = [];
for await (const t of saver.list({ configurable: { thread_id: thread, checkpoint_ns: "" } })) {
  history.push({ id: t.checkpoint.id, parent: t.parentConfig?.configurable?.checkpoint_id ?? null });
}
let linear = history.length > 0;
for (let i = 0; i + 1 < history.length; i++) {
  linear &&= history[i].parent === history[i + 1].id;
}
const state = await buildGraph(saver).getState({ configurable: { thread_id: thread } });
console.log(`LINEAR ${linear}`);
console.log(`ACTS ${state.values.acts}`);
for (const e of state.values.events) {
  console.log(`EVENT ${e}`);
}
for (const h of history) {
  console.log(`HISTORY ${h.id} ${h.parent ?? "-"}`);
}
await client.quit();
