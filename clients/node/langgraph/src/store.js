// A LangGraph.js store (long-term memory across threads) over a Slate space, through `slate serve`.
import { BaseStore, InvalidNamespaceError, validateNamespace } from "@langchain/langgraph-checkpoint";
import { cas, checkPrefix, esc, getv, mget, scanKeys, unesc } from "./keys.js";

const CAS_RETRIES = 100;

function isOperators(o) {
  return typeof o === "object" && o !== null && !Array.isArray(o) && Object.keys(o).length > 0
    && Object.keys(o).every((k) => ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"].includes(k));
}

/** A search filter on one field, with the operators LangGraph's stores accept. */
function matches(itemValue, filterValue) {
  if (!isOperators(filterValue)) {
    return itemValue === filterValue;
  }
  return Object.entries(filterValue).every(([op, v]) => {
    switch (op) {
      case "$eq": return itemValue === v;
      case "$ne": return itemValue !== v;
      case "$gt": return Number(itemValue) > Number(v);
      case "$gte": return Number(itemValue) >= Number(v);
      case "$lt": return Number(itemValue) < Number(v);
      case "$lte": return Number(itemValue) <= Number(v);
      case "$in": return Array.isArray(v) ? v.includes(itemValue) : false;
      case "$nin": return Array.isArray(v) ? !v.includes(itemValue) : true;
      default: return false;
    }
  });
}

/**
 * Key layout: P:s:{label1}/{label2}/.../:{key} (every label and the key escaped, see keys.js), the value JSON
 * {value, createdAt, updatedAt}. So the items of a namespace and of every namespace under it share the key prefix
 * P:s:{label1}/.../ and a search by namespace prefix is one SCAN MATCH on that prefix, never a read of other items.
 *
 * Puts are compare-and-set on the item's version (createdAt is kept across updates, and two agents putting one item
 * at once both land, one after the other, each a version in the journal). Search results are sorted by namespace and
 * key. `query` (semantic search) needs embeddings, which this store does not keep: like LangGraph's InMemoryStore
 * without an index, it is ignored and the filter alone decides.
 */
export class SlateStore extends BaseStore {
  /** @param client a connected npm `redis` client talking to `slate serve`; @param options.prefix (default "lg") */
  constructor(client, options = {}) {
    super();
    this.client = client;
    this.prefix = checkPrefix(options.prefix ?? "lg");
  }

  static checkNamespace(namespace) {
    validateNamespace(namespace);
  }

  nsPrefix(labels) {
    return `${this.prefix}:s:${labels.map((l) => esc(l) + "/").join("")}`;
  }

  itemKey(namespace, key) {
    return `${this.nsPrefix(namespace)}:${esc(key)}`;
  }

  parseKey(k) {
    const rest = k.slice(this.prefix.length + 3);
    const colon = rest.lastIndexOf(":");
    const labels = rest.slice(0, colon).split("/");
    labels.pop();
    return { namespace: labels.map(unesc), key: unesc(rest.slice(colon + 1)) };
  }

  static item(namespace, key, json) {
    const o = JSON.parse(json);
    return { value: o.value, key, namespace, createdAt: new Date(o.createdAt), updatedAt: new Date(o.updatedAt) };
  }

  async batch(operations) {
    const results = new Array(operations.length).fill(null);
    const puts = new Map();
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i];
      if ("namespacePrefix" in op) {
        results[i] = await this.searchOp(op);
      } else if ("matchConditions" in op) {
        results[i] = await this.listNamespacesOp(op);
      } else if ("value" in op) {
        SlateStore.checkNamespace(op.namespace);
        puts.set(this.itemKey(op.namespace, op.key), op);
      } else if ("key" in op && "namespace" in op) {
        SlateStore.checkNamespace(op.namespace);
        const json = await this.client.sendCommand(["GET", this.itemKey(op.namespace, op.key)]);
        results[i] = json == null ? null : SlateStore.item(op.namespace, op.key, String(json));
      } else {
        throw new Error(`Slate store: unknown operation ${JSON.stringify(op)}`);
      }
    }
    // as LangGraph's InMemoryStore: the batch's reads see the store before its writes; the last write of a key wins
    for (const [key, op] of puts) {
      if (op.value === null) {
        await this.client.sendCommand(["DEL", key]);
      } else {
        await this.putItem(key, op.value);
      }
    }
    return results;
  }

  async putItem(key, value) {
    for (let i = 0; i < CAS_RETRIES; i++) {
      const cur = await getv(this.client, key);
      const now = new Date().toISOString();
      const createdAt = cur === null ? now : JSON.parse(cur.value).createdAt;
      const json = JSON.stringify({ value, createdAt, updatedAt: now });
      if (await cas(this.client, key, cur === null ? 0 : cur.version, json) >= 0) {
        return;
      }
    }
    throw new Error(`Slate store: item '${key}' kept changing for ${CAS_RETRIES} attempts`);
  }

  async searchOp(op) {
    if (op.namespacePrefix.length > 0) {
      SlateStore.checkNamespace(op.namespacePrefix);
    }
    const keys = (await scanKeys(this.client, `${this.nsPrefix(op.namespacePrefix)}*`)).sort();
    const values = await mget(this.client, keys);
    const items = [];
    for (let i = 0; i < keys.length; i++) {
      if (values[i] == null) {
        continue;
      }
      const { namespace, key } = this.parseKey(keys[i]);
      const item = SlateStore.item(namespace, key, values[i]);
      if (op.filter && !Object.entries(op.filter).every(([f, v]) => matches(item.value?.[f], v))) {
        continue;
      }
      items.push({ ...item, score: undefined });
    }
    const offset = op.offset ?? 0;
    return items.slice(offset, offset + (op.limit ?? 10));
  }

  async listNamespacesOp(op) {
    const seen = new Map();
    for (const k of await scanKeys(this.client, `${this.prefix}:s:*`)) {
      const { namespace } = this.parseKey(k);
      seen.set(JSON.stringify(namespace), namespace);
    }
    let namespaces = [...seen.values()];
    const doesMatch = (cond, ns) => {
      if (cond.path.length > ns.length) {
        return false;
      }
      const base = cond.matchType === "prefix" ? 0 : cond.matchType === "suffix" ? ns.length - cond.path.length : -1;
      if (base < 0) {
        throw new InvalidNamespaceError(`Unsupported match type: ${cond.matchType}`);
      }
      return cond.path.every((p, i) => p === "*" || ns[base + i] === p);
    };
    if (op.matchConditions?.length) {
      namespaces = namespaces.filter((ns) => op.matchConditions.every((c) => doesMatch(c, ns)));
    }
    if (op.maxDepth !== undefined) {
      const cut = new Map();
      for (const ns of namespaces) {
        const s = ns.slice(0, op.maxDepth);
        cut.set(JSON.stringify(s), s);
      }
      namespaces = [...cut.values()];
    }
    namespaces.sort((a, b) => a.join(":").localeCompare(b.join(":")));
    const offset = op.offset ?? 0;
    return namespaces.slice(offset, offset + (op.limit ?? namespaces.length));
  }
}
