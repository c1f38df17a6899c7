// The cost of a checkpoint put and a getTuple of the latest checkpoint:
//   slate:  SlateSaver through `slate serve` (fenced put, journaled)
//   redis:  the official @langchain/langgraph-checkpoint-redis 1.0.11 saver's command sequence on redis-server, with
//           its JSON.SET/JSON.GET replaced by SET/GET of the same JSON text. Debian's redis-server has no RedisJSON or
//           RediSearch, so the official saver itself cannot run there; this is its command pattern (round trips,
//           KEYS walks), not its RedisJSON parsing cost, so it is a lower bound for it.
// Each step of the workload: put a checkpoint whose two channels changed (a ~1 KiB message log and a counter), put one
// pending write on it, then getTuple of the thread's latest. Timed: put, and getTuple (latest), per operation.
// Usage: node bench/bench.js --slate PORT --redis PORT [--steps N] [--warmup N]
import { createClient } from "redis";
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { SlateSaver } from "../src/index.js";

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const steps = Number(args.steps ?? 2000);
const warmup = Number(args.warmup ?? 300);

/** Counts the commands a client sends. */
function counted(client) {
  const send = client.sendCommand.bind(client);
  const c = { n: 0 };
  client.sendCommand = (argv, ...rest) => {
    c.n += 1;
    return send(argv, ...rest);
  };
  return c;
}

/** The official Redis saver's put/putWrites/getTuple(latest) command sequence, on plain Redis strings. */
class OfficialPattern {
  constructor(client) {
    this.client = client;
  }

  async put(config, checkpoint, metadata, newVersions) {
    const t = config.configurable.thread_id;
    const ns = config.configurable.checkpoint_ns ?? "";
    const id = checkpoint.id;
    const key = `checkpoint:${t}:${ns}:${id}`;
    const stored = { ...checkpoint, channel_values: {} };
    for (const ch of Object.keys(newVersions)) {
      stored.channel_values[ch] = checkpoint.channel_values[ch];
    }
    const writesExist = Number(await this.client.sendCommand(["EXISTS", `checkpoint_write_keys_zset:${t}:${ns}:${id}`]));
    const doc = { thread_id: t, checkpoint_ns: ns === "" ? "__empty__" : ns, checkpoint_id: id,
      parent_checkpoint_id: config.configurable.checkpoint_id ?? null, checkpoint: stored, metadata,
      checkpoint_ts: Date.now(), has_writes: writesExist ? "true" : "false", source: metadata.source, step: metadata.step };
    await Promise.all(Object.entries(newVersions).map(([ch, v]) => this.client.sendCommand(["SET", `checkpoint_blob:${t}:${ns}:${ch}:${v}`,
      JSON.stringify({ thread_id: t, checkpoint_ns: doc.checkpoint_ns, checkpoint_id: id, channel: ch, version: String(v), type: "json",
        value: checkpoint.channel_values[ch] })])));
    await this.client.sendCommand(["SET", key, JSON.stringify(doc)]);
    return { configurable: { thread_id: t, checkpoint_ns: ns, checkpoint_id: id } };
  }

  async putWrites(config, writes, taskId) {
    const { thread_id: t, checkpoint_ns: ns = "", checkpoint_id: id } = config.configurable;
    const ts = performance.now() * 1e3;
    const keys = [];
    for (let idx = 0; idx < writes.length; idx++) {
      const [channel, value] = writes[idx];
      const wk = `checkpoint_write:${t}:${ns}:${id}:${taskId}:${idx}`;
      keys.push(wk);
      await this.client.sendCommand(["SET", wk, JSON.stringify({ thread_id: t, checkpoint_ns: ns, checkpoint_id: id, task_id: taskId, idx,
        channel, type: "json", value, timestamp: ts, global_idx: ts + idx }), "NX"]);
    }
    await this.client.sendCommand(["ZADD", `checkpoint_write_keys_zset:${t}:${ns}:${id}`, ...keys.flatMap((k, i) => [String(ts + i), k])]);
    const ck = `checkpoint:${t}:${ns}:${id}`;
    if (Number(await this.client.sendCommand(["EXISTS", ck]))) {
      const doc = JSON.parse(await this.client.sendCommand(["GET", ck]));
      doc.has_writes = "true";
      await this.client.sendCommand(["SET", ck, JSON.stringify(doc)]);
    }
  }

  async getTuple(config) {
    const t = config.configurable.thread_id;
    const ns = config.configurable.checkpoint_ns ?? "";
    const keys = (await this.client.sendCommand(["KEYS", `checkpoint:${t}:${ns}:*`])).map(String).sort();
    if (keys.length === 0) {
      return undefined;
    }
    const doc = JSON.parse(await this.client.sendCommand(["GET", keys[keys.length - 1]]));
    const values = { ...doc.checkpoint.channel_values };
    const missing = Object.entries(doc.checkpoint.channel_versions).filter(([ch]) => !(ch in values));
    const blobs = await Promise.all(missing.map(([ch, v]) => this.client.sendCommand(["GET", `checkpoint_blob:${t}:${ns}:${ch}:${v}`])));
    missing.forEach(([ch], i) => {
      if (blobs[i] != null) {
        values[ch] = JSON.parse(blobs[i]).value;
      }
    });
    const pendingWrites = [];
    if (doc.has_writes === "true") {
      const wkeys = (await this.client.sendCommand(["KEYS", `checkpoint_write:${t}:${ns}:${doc.checkpoint_id}:*`])).map(String);
      for (const wk of wkeys) {
        const w = JSON.parse(await this.client.sendCommand(["GET", wk]));
        pendingWrites.push([w.task_id, w.channel, w.value]);
      }
    }
    return { checkpoint: { ...doc.checkpoint, channel_values: values }, metadata: doc.metadata, pendingWrites };
  }
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { p50: q(0.5), p99: q(0.99), mean, opsPerSec: 1e6 / mean };
}

async function run(label, saver, counter) {
  const thread = `bench-${label}-${process.pid}`;
  let config = { configurable: { thread_id: thread, checkpoint_ns: "" } };
  let messages = [];
  const putUs = [];
  const getUs = [];
  let putCmds = 0;
  let getCmds = 0;
  await saver.getTuple(config); // as a graph run starts: read the latest (none yet)
  for (let i = 0; i < warmup + steps; i++) {
    messages = messages.concat([`step ${i}: ${"x".repeat(40)}`]).slice(-20); // ~1 KiB of messages
    const version = `${String(i + 1).padStart(16, "0")}.00000000`;
    const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { messages, count: i },
      channel_versions: { messages: version, count: version } };
    const c0 = counter.n;
    let t0 = process.hrtime.bigint();
    config = await saver.put(config, checkpoint, { source: "loop", step: i, parents: {} }, { messages: version, count: version });
    const putT = Number(process.hrtime.bigint() - t0) / 1e3;
    const c1 = counter.n;
    await saver.putWrites(config, [["count", i + 1]], `task-${i}`);
    const c2 = counter.n;
    t0 = process.hrtime.bigint();
    const tuple = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: "" } });
    const getT = Number(process.hrtime.bigint() - t0) / 1e3;
    const c3 = counter.n;
    if (tuple.checkpoint.channel_values.count !== i || tuple.pendingWrites.length !== 1) {
      throw new Error(`${label}: step ${i} read back wrong: ${JSON.stringify(tuple.checkpoint.channel_values.count)}`);
    }
    config = { configurable: { thread_id: thread, checkpoint_ns: "", checkpoint_id: tuple.checkpoint.id } };
    if (i >= warmup) {
      putUs.push(putT);
      getUs.push(getT);
      putCmds += c1 - c0;
      getCmds += c3 - c2;
    }
  }
  return { label, put: stats(putUs), get: stats(getUs), putCmds: putCmds / steps, getCmds: getCmds / steps };
}

const fmt = (x) => x.toFixed(1).padStart(8);
const rows = [];
if (args.slate) {
  const client = createClient({ url: `redis://127.0.0.1:${args.slate}` });
  await client.connect();
  rows.push(await run("slate", new SlateSaver(client, { prefix: `bench${process.pid}` }), counted(client)));
  await client.quit();
}
if (args.redis) {
  const client = createClient({ url: `redis://127.0.0.1:${args.redis}` });
  await client.connect();
  rows.push(await run("redis", new OfficialPattern(client), counted(client)));
  await client.quit();
}
console.log(`steps ${steps} (after ${warmup} warm-up), one thread, 2 changed channels + 1 pending write per step; microseconds per operation`);
console.log(`${"saver".padEnd(46)}op        cmds/op     p50      p99     mean    ops/s`);
for (const r of rows) {
  const name = r.label === "slate" ? "SlateSaver via slate serve" : "official Redis saver's pattern, redis-server";
  for (const [op, s, c] of [["put", r.put, r.putCmds], ["getTuple", r.get, r.getCmds]]) {
    console.log(`${name.padEnd(46)}${op.padEnd(10)}${c.toFixed(1).padStart(7)}${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.mean)} ${s.opsPerSec.toFixed(0).padStart(8)}`);
  }
}
