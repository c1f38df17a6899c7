// A LangGraph.js checkpoint saver over a Slate space, through `slate serve` (the Redis-protocol gateway).
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import { cas, checkPrefix, delKeys, esc, getv, mget, scanKeys, unesc } from "./keys.js";

const CAS_RETRIES = 100;
const SEEN_LIMIT = 10000;

/**
 * Thrown by `put` when another writer (another process, or another saver) advanced the same thread and namespace
 * after this saver read or wrote the checkpoint the new one follows. Nothing of the new checkpoint stays visible:
 * the thread's head still names the other writer's checkpoint, and the refused checkpoint's key is removed.
 * Re-run the graph from the thread's latest checkpoint (or fork from an older one on purpose, by passing its id).
 */
export class SlateCheckpointConflictError extends Error {
  constructor(threadId, checkpointNs, parentId, headId) {
    super(`Slate: thread '${threadId}' (namespace '${checkpointNs}') moved on: this run continued from checkpoint `
      + `${parentId ?? "(none: a new thread)"} but another writer made ${headId ?? "(a removal)"} the latest first; `
      + "the new checkpoint was not saved");
    this.name = "SlateCheckpointConflictError";
    this.threadId = threadId;
    this.checkpointNs = checkpointNs;
    this.parentId = parentId;
    this.headId = headId;
  }
}

function requireThread(config, what) {
  const threadId = config?.configurable?.thread_id;
  if (threadId === undefined || threadId === null || threadId === "") {
    throw new Error(`Failed to ${what}. The passed RunnableConfig is missing a required "thread_id" field in its "configurable" property.`);
  }
  return String(threadId);
}

/**
 * Key layout (every part escaped, see keys.js; P is the prefix, default "lg"):
 *   P:h:{thread}:{ns}                     the thread's head: the id of its latest checkpoint (versioned; fencing)
 *   P:c:{thread}:{ns}:{checkpointId}      checkpoint (without channel values), metadata, parent id
 *   P:b:{thread}:{ns}:{channel}:{version} one channel value at one version, written once (channels are deltas)
 *   P:w:{thread}:{ns}:{checkpointId}      all pending writes of one checkpoint, one key updated by SLATE.CAS
 * so a thread's keys are the prefix P:?:{thread}: and a thread's checkpoints the prefix P:c:{thread}:.
 *
 * Fencing: `put` advances the head with SLATE.CAS on the version at which this saver saw the parent as the head (it
 * read it as the latest in `getTuple`, or wrote it itself). A second writer that continued from the same checkpoint
 * gets a {@link SlateCheckpointConflictError} instead of silently replacing the first one's step. A `put` from a
 * checkpoint this saver never saw as the head (time travel: a run started from an older checkpoint id) forks on
 * purpose, as in LangGraph, and becomes the latest when its id is the newest.
 */
export class SlateSaver extends BaseCheckpointSaver {
  /**
   * @param client a connected npm `redis` client (createClient({url: "redis://127.0.0.1:PORT"})) talking to `slate serve`
   * @param options.prefix key prefix (default "lg"); @param options.serde a LangGraph serializer
   */
  constructor(client, options = {}) {
    super(options.serde);
    this.client = client;
    this.prefix = checkPrefix(options.prefix ?? "lg");
    // (thread, ns, checkpoint id) -> version of the head key at which that checkpoint was the head, as this saver saw it
    this.seen = new Map();
  }

  headKey(t, ns) {
    return `${this.prefix}:h:${esc(t)}:${esc(ns)}`;
  }

  cpKey(t, ns, id) {
    return `${this.prefix}:c:${esc(t)}:${esc(ns)}:${esc(id)}`;
  }

  writesKey(t, ns, id) {
    return `${this.prefix}:w:${esc(t)}:${esc(ns)}:${esc(id)}`;
  }

  blobKey(t, ns, channel, version) {
    return `${this.prefix}:b:${esc(t)}:${esc(ns)}:${esc(channel)}:${esc(version)}`;
  }

  remember(t, ns, id, version) {
    const k = JSON.stringify([t, ns, id ?? ""]);
    this.seen.delete(k);
    this.seen.set(k, version);
    if (this.seen.size > SEEN_LIMIT) {
      this.seen.delete(this.seen.keys().next().value);
    }
  }

  takeSeen(t, ns, id) {
    const k = JSON.stringify([t, ns, id ?? ""]);
    const v = this.seen.get(k);
    this.seen.delete(k);
    return v;
  }

  async dumps(value) {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return { t: type, d: Buffer.from(bytes).toString("base64") };
  }

  async loads(enc) {
    return this.serde.loadsTyped(enc.t, new Uint8Array(Buffer.from(enc.d, "base64")));
  }

  /**
   * Channel versions are strings that sort in order (16-digit counter, then a random part), so two branches of one
   * thread (a fork) never give the same channel the same version: a channel value is stored once per version.
   */
  getNextVersion(current) {
    let n = 0;
    if (typeof current === "number") {
      n = current;
    } else if (typeof current === "string") {
      n = parseInt(current.split(".")[0], 10) || 0;
    }
    return `${String(n + 1).padStart(16, "0")}.${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}`;
  }

  /** Pending writes stored for one checkpoint, in writesSortKey order: [[taskId, channel, enc]]. */
  static orderedWrites(writesJson) {
    if (writesJson == null) {
      return [];
    }
    const entries = JSON.parse(writesJson).entries;
    const keyed = Object.entries(entries).map(([inner, rec]) => {
      const comma = inner.lastIndexOf(",");
      return { key: writesSortKey(rec[4] ?? "", inner.slice(0, comma), Number(inner.slice(comma + 1))), rec };
    });
    keyed.sort((a, b) => compareWritesSortKeys(a.key, b.key));
    return keyed.map(({ rec }) => rec);
  }

  /** Builds the tuple of one stored checkpoint (its envelope already read). */
  async tuple(t, ns, id, cpJson, writesJson) {
    const env = JSON.parse(cpJson);
    const checkpoint = await this.loads(env.cp);
    const versions = checkpoint.channel_versions ?? {};
    const channels = Object.keys(versions);
    const blobs = channels.length === 0 ? [] : await mget(this.client, channels.map((ch) => this.blobKey(t, ns, ch, versions[ch])));
    const values = {};
    for (let i = 0; i < channels.length; i++) {
      if (blobs[i] != null) {
        const b = JSON.parse(blobs[i]);
        if (b.t !== "empty") {
          values[channels[i]] = await this.loads(b);
        }
      }
    }
    checkpoint.channel_values = values;
    const parent = env.parent ?? undefined;
    if (checkpoint.v < 4 && parent !== undefined) {
      await this.migratePendingSends(checkpoint, t, ns, parent);
    }
    const pendingWrites = [];
    for (const [taskId, channel, enc] of SlateSaver.orderedWrites(writesJson)) {
      pendingWrites.push([taskId, channel, await this.loads(enc)]);
    }
    const result = {
      config: { configurable: { thread_id: t, checkpoint_ns: ns, checkpoint_id: id } },
      checkpoint,
      metadata: await this.loads(env.md),
      pendingWrites,
    };
    if (parent !== undefined) {
      result.parentConfig = { configurable: { thread_id: t, checkpoint_ns: ns, checkpoint_id: parent } };
    }
    return result;
  }

  /** Checkpoints older than format 4 carried pending sends in their parent's writes. */
  async migratePendingSends(checkpoint, t, ns, parentId) {
    const writesJson = await this.client.sendCommand(["GET", this.writesKey(t, ns, parentId)]);
    const sends = [];
    for (const [, channel, enc] of SlateSaver.orderedWrites(writesJson == null ? null : String(writesJson))) {
      if (channel === TASKS) {
        sends.push(await this.loads(enc));
      }
    }
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = sends;
    checkpoint.channel_versions ??= {};
    const vs = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = vs.length > 0 ? maxChannelVersion(...vs) : this.getNextVersion(undefined);
  }

  async getTuple(config) {
    const threadId = config?.configurable?.thread_id;
    if (threadId === undefined || threadId === null || threadId === "") {
      return undefined;
    }
    const t = String(threadId);
    const ns = config.configurable?.checkpoint_ns ?? "";
    let id = getCheckpointId(config);
    if (!id) {
      const head = await getv(this.client, this.headKey(t, ns));
      if (head === null) {
        this.remember(t, ns, "", 0);
        return undefined;
      }
      id = head.value;
      this.remember(t, ns, id, head.version);
    }
    const [cpJson, writesJson] = await mget(this.client, [this.cpKey(t, ns, id), this.writesKey(t, ns, id)]);
    if (cpJson == null) {
      return undefined;
    }
    return this.tuple(t, ns, id, cpJson, writesJson);
  }

  async *list(config, options) {
    let { before, limit, filter } = options ?? {};
    const t = config?.configurable?.thread_id;
    const ns = config?.configurable?.checkpoint_ns;
    const onlyId = config?.configurable?.checkpoint_id;
    const beforeId = before?.configurable?.checkpoint_id;
    let pattern = `${this.prefix}:c:*`;
    if (t !== undefined && t !== null && t !== "") {
      pattern = ns === undefined ? `${this.prefix}:c:${esc(t)}:*` : `${this.prefix}:c:${esc(t)}:${esc(ns)}:*`;
    }
    const found = [];
    for (const key of await scanKeys(this.client, pattern)) {
      const parts = key.slice(this.prefix.length + 3).split(":");
      if (parts.length !== 3) {
        continue;
      }
      const [kt, kns, kid] = parts.map(unesc);
      if (ns !== undefined && kns !== ns) {
        continue;
      }
      if (onlyId && kid !== onlyId) {
        continue;
      }
      if (beforeId && kid >= beforeId) {
        continue;
      }
      found.push({ key, t: kt, ns: kns, id: kid });
    }
    // per thread and namespace, newest checkpoint first
    found.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const batch = 50;
    for (let i = 0; i < found.length; i += batch) {
      const part = found.slice(i, i + batch);
      const cps = await mget(this.client, part.map((f) => f.key));
      for (let j = 0; j < part.length; j++) {
        if (cps[j] == null) {
          continue;
        }
        const f = part[j];
        if (filter) {
          const md = await this.loads(JSON.parse(cps[j]).md);
          if (!Object.entries(filter).every(([k, v]) => md[k] === v)) {
            continue;
          }
        }
        if (limit !== undefined) {
          if (limit <= 0) {
            return;
          }
          limit -= 1;
        }
        const writesJson = await this.client.sendCommand(["GET", this.writesKey(f.t, f.ns, f.id)]);
        yield await this.tuple(f.t, f.ns, f.id, cps[j], writesJson == null ? null : String(writesJson));
      }
    }
  }

  async put(config, checkpoint, metadata, newVersions) {
    if (config?.configurable === undefined) {
      throw new Error("Failed to put checkpoint. The passed RunnableConfig is missing its \"configurable\" property.");
    }
    const t = requireThread(config, "put checkpoint");
    const ns = config.configurable.checkpoint_ns ?? "";
    const parent = config.configurable.checkpoint_id || undefined;
    const id = checkpoint.id;
    const prepared = copyCheckpoint(checkpoint);
    const values = prepared.channel_values;
    delete prepared.channel_values;
    // channel values that changed, once per (channel, version): SET NX never replaces what another writer stored;
    // they and the checkpoint go out together (one round trip: the client pipelines them), the head moves after
    const sets = [];
    for (const [channel, version] of Object.entries(newVersions ?? {})) {
      const enc = values[channel] === undefined ? { t: "empty", d: "" } : await this.dumps(values[channel]);
      sets.push(["SET", this.blobKey(t, ns, channel, version), JSON.stringify(enc), "NX"]);
    }
    const env = { cp: await this.dumps(prepared), md: await this.dumps(metadata), parent: parent ?? null };
    const cpKey = this.cpKey(t, ns, id);
    sets.push(["SET", cpKey, JSON.stringify(env)]);
    const stored = await Promise.allSettled(sets.map((c) => this.client.sendCommand(c)));
    const failed = stored.find((r) => r.status === "rejected");
    if (failed) {
      // e.g. a value over the space's maxValueBytes: the head does not move, and the checkpoint is not left listed
      await this.client.sendCommand(["DEL", cpKey]);
      throw failed.reason;
    }
    await this.advanceHead(t, ns, parent, id, cpKey);
    return { configurable: { thread_id: t, checkpoint_ns: ns, checkpoint_id: id } };
  }

  /** Makes `id` the thread's head: fenced when this saver saw `parent` as the head, else only when `id` is newer. */
  async advanceHead(t, ns, parent, id, cpKey) {
    const headKey = this.headKey(t, ns);
    const fence = this.takeSeen(t, ns, parent);
    if (fence !== undefined) {
      const v = await cas(this.client, headKey, fence, id);
      if (v < 0) {
        const now = await getv(this.client, headKey);
        await this.client.sendCommand(["DEL", cpKey]);
        throw new SlateCheckpointConflictError(t, ns, parent, now?.value);
      }
      this.remember(t, ns, id, v);
      return;
    }
    for (let i = 0; i < CAS_RETRIES; i++) {
      const head = await getv(this.client, headKey);
      if (head !== null && head.value >= id) {
        return;
      }
      const v = await cas(this.client, headKey, head === null ? 0 : head.version, id);
      if (v >= 0) {
        this.remember(t, ns, id, v);
        return;
      }
    }
    throw new Error(`Slate: the head of thread '${t}' (namespace '${ns}') kept changing for ${CAS_RETRIES} attempts`);
  }

  async putWrites(config, writes, taskId, taskPath) {
    const t = requireThread(config, "put writes");
    const ns = config.configurable?.checkpoint_ns ?? "";
    const id = config.configurable?.checkpoint_id;
    if (id === undefined || id === null || id === "") {
      throw new Error("Failed to put writes. The passed RunnableConfig is missing a required \"checkpoint_id\" field in its \"configurable\" property.");
    }
    const encoded = [];
    for (let idx = 0; idx < writes.length; idx++) {
      const [channel, value] = writes[idx];
      encoded.push([`${taskId},${WRITES_IDX_MAP[channel] || idx}`, [taskId, channel, await this.dumps(value), taskPath ?? ""]]);
    }
    const key = this.writesKey(t, ns, id);
    // one key per checkpoint, merged with SLATE.CAS: writes of parallel tasks (in any process) are all kept; a task's
    // regular write that is already stored is kept as it is (first wins), special writes (errors, interrupts) replace
    for (let i = 0; i < CAS_RETRIES; i++) {
      const cur = await getv(this.client, key);
      const entries = cur === null ? {} : JSON.parse(cur.value).entries;
      let changed = false;
      for (const [inner, rec] of encoded) {
        const idx = Number(inner.slice(inner.lastIndexOf(",") + 1));
        if (idx >= 0 && inner in entries) {
          continue;
        }
        entries[inner] = rec;
        changed = true;
      }
      if (!changed) {
        return;
      }
      if (await cas(this.client, key, cur === null ? 0 : cur.version, JSON.stringify({ entries })) >= 0) {
        return;
      }
    }
    throw new Error(`Slate: pending writes of checkpoint ${id} (thread '${t}') kept changing for ${CAS_RETRIES} attempts`);
  }

  async deleteThread(threadId) {
    const t = String(threadId);
    await delKeys(this.client, await scanKeys(this.client, `${this.prefix}:?:${esc(t)}:*`));
    for (const k of [...this.seen.keys()]) {
      if (JSON.parse(k)[0] === t) {
        this.seen.delete(k);
      }
    }
  }
}
