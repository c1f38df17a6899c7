// What SlateSaver adds to LangGraph's contract: two writers of one thread are fenced, forks stay possible, parallel
// pending writes are all kept, and every checkpoint is a record of the space's journal.
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { SlateCheckpointConflictError, SlateSaver } from "../src/index.js";
import { connect, uniquePrefix } from "./helpers.js";

let a;
let b;
beforeAll(async () => {
  a = await connect();
  b = await connect(3); // the second writer speaks RESP3: SLATE.GETV's reply is a map there
});
afterAll(async () => {
  await a?.quit();
  await b?.quit();
});

const meta = (step) => ({ source: "loop", step, parents: {} });
// a checkpoint whose every channel changed at version v (so newVersions = channel_versions)
const cp = (values = {}, v = "1") => ({
  ...emptyCheckpoint(),
  id: uuid6(-1),
  channel_values: values,
  channel_versions: Object.fromEntries(Object.keys(values).map((k) => [k, v])),
});

async function ids(saver, thread) {
  const out = [];
  for await (const t of saver.list({ configurable: { thread_id: thread } })) {
    out.push(t.checkpoint.id);
  }
  return out;
}

describe("SlateSaver fencing", () => {
  it("refuses the second of two writers that continued one thread from the same checkpoint", async () => {
    const prefix = uniquePrefix("f");
    const one = new SlateSaver(a, { prefix });
    const two = new SlateSaver(b, { prefix });
    const thread = { configurable: { thread_id: "t1" } };
    const c0 = await one.put(thread, cp(), meta(0), {});
    // both read the latest checkpoint, as a graph run does before its first step
    const seenByOne = await one.getTuple(thread);
    const seenByTwo = await two.getTuple(thread);
    expect(seenByOne.config.configurable.checkpoint_id).toBe(c0.configurable.checkpoint_id);
    expect(seenByTwo.config.configurable.checkpoint_id).toBe(c0.configurable.checkpoint_id);
    const c1 = await one.put(seenByOne.config, cp({ x: 1 }, String(1)), meta(1), { x: String(1) });
    const lost = cp({ x: 2 }, "2");
    const err = await two.put(seenByTwo.config, lost, meta(1), { x: "2" }).catch((e) => e);
    expect(err).toBeInstanceOf(SlateCheckpointConflictError);
    expect(err.headId).toBe(c1.configurable.checkpoint_id);
    expect(err.parentId).toBe(c0.configurable.checkpoint_id);
    // the first writer's step is the latest; the refused checkpoint is nowhere
    expect((await two.getTuple(thread)).checkpoint.channel_values).toEqual({ x: 1 });
    expect(await ids(two, "t1")).toEqual([c1.configurable.checkpoint_id, c0.configurable.checkpoint_id]);
    expect(await two.getTuple({ configurable: { thread_id: "t1", checkpoint_id: lost.id } })).toBeUndefined();
    // the refused writer re-reads the latest and continues from it
    const latest = await two.getTuple(thread);
    const c2 = await two.put(latest.config, cp({ x: 3 }, String(3)), meta(2), { x: String(3) });
    expect((await one.getTuple(thread)).config.configurable.checkpoint_id).toBe(c2.configurable.checkpoint_id);
    // and now the first writer's chain is the stale one
    await expect(one.put(c1, cp({ x: 4 }, String(4)), meta(2), { x: String(4) })).rejects.toBeInstanceOf(SlateCheckpointConflictError);
  });

  it("fences two writers starting a new thread", async () => {
    const prefix = uniquePrefix("f");
    const one = new SlateSaver(a, { prefix });
    const two = new SlateSaver(b, { prefix });
    const thread = { configurable: { thread_id: "fresh" } };
    expect(await one.getTuple(thread)).toBeUndefined();
    expect(await two.getTuple(thread)).toBeUndefined();
    await one.put(thread, cp(), meta(-1), {});
    await expect(two.put(thread, cp(), meta(-1), {})).rejects.toBeInstanceOf(SlateCheckpointConflictError);
  });

  it("lets a run fork from an older checkpoint on purpose (time travel), and the fork becomes the latest", async () => {
    const prefix = uniquePrefix("f");
    const saver = new SlateSaver(a, { prefix });
    const thread = { configurable: { thread_id: "tt" } };
    const c0 = await saver.put(thread, cp({ x: 0 }, String(0)), meta(0), { x: String(0) });
    await saver.put(c0, cp({ x: 1 }, String(1)), meta(1), { x: String(1) });
    // another saver (another process) goes back to c0 by its id: not a conflict
    const other = new SlateSaver(b, { prefix });
    const old = await other.getTuple(c0);
    expect(old.checkpoint.channel_values).toEqual({ x: 0 });
    const fork = await other.put(old.config, cp({ x: 9 }, String(9)), meta(1), { x: String(9) });
    const latest = await saver.getTuple(thread);
    expect(latest.config.configurable.checkpoint_id).toBe(fork.configurable.checkpoint_id);
    expect(latest.parentConfig.configurable.checkpoint_id).toBe(c0.configurable.checkpoint_id);
  });

  it("keeps the pending writes of parallel tasks written through two connections at once", async () => {
    const prefix = uniquePrefix("f");
    const one = new SlateSaver(a, { prefix });
    const two = new SlateSaver(b, { prefix });
    const c0 = await one.put({ configurable: { thread_id: "w" } }, cp(), meta(0), {});
    const tasks = [];
    for (let i = 0; i < 20; i++) {
      tasks.push((i % 2 ? one : two).putWrites(c0, [["ch", i]], `task-${String(i).padStart(2, "0")}`));
    }
    await Promise.all(tasks);
    const tuple = await one.getTuple(c0);
    expect(tuple.pendingWrites.map((w) => w[2])).toEqual([...Array(20).keys()]);
  });

  it("journals every checkpoint: the space's journal stream has one put record per checkpoint key", async () => {
    const prefix = uniquePrefix("j");
    const saver = new SlateSaver(a, { prefix });
    const [last] = await a.sendCommand(["XREVRANGE", "slate:journal", "+", "-", "COUNT", "1"]);
    let config = { configurable: { thread_id: "journaled" } };
    const written = [];
    for (let step = 0; step < 3; step++) {
      config = await saver.put(config, cp({ step }, String(step)), meta(step), { step: String(step) });
      written.push(config.configurable.checkpoint_id);
    }
    const records = await a.sendCommand(["XRANGE", "slate:journal", `(${last[0]}`, "+"]);
    const cpKeys = records.map(([, f]) => {
      const o = {};
      for (let i = 0; i < f.length; i += 2) {
        o[String(f[i])] = String(f[i + 1]);
      }
      return o;
    }).filter((o) => o.op === "put" && o.key.startsWith(`${prefix}:c:`));
    expect(cpKeys.map((o) => o.key.split(":").pop())).toEqual(written);
  });

  it("fails a put whose channel value is over the space's value limit, naming the limit, and leaves the thread as it was", async () => {
    const prefix = uniquePrefix("big");
    const saver = new SlateSaver(a, { prefix });
    const thread = { configurable: { thread_id: "big" } };
    const c0 = await saver.put(thread, cp({ x: "small" }, "1"), meta(0), { x: "1" });
    const limit = Number((await a.sendCommand(["CONFIG", "GET", "slate-max-value-bytes"]))[1]);
    expect(limit).toBeGreaterThan(0);
    const huge = cp({ x: "y".repeat(limit + 1) }, "2");
    await expect(saver.put(c0, huge, meta(1), { x: "2" })).rejects.toThrow(/maxValueBytes/);
    expect((await saver.getTuple(thread)).config.configurable.checkpoint_id).toBe(c0.configurable.checkpoint_id);
    expect(await ids(saver, "big")).toEqual([c0.configurable.checkpoint_id]);
  });
});
