// SlateStore against LangGraph's own InMemoryStore: the same operations on both, the same answers (timestamps aside).
import { InMemoryStore } from "@langchain/langgraph-checkpoint";
import { SlateStore } from "../src/index.js";
import { connect, uniquePrefix } from "./helpers.js";

let client;
beforeAll(async () => {
  client = await connect();
});
afterAll(async () => {
  await client?.quit();
});

const plain = (items) => items.map((i) => i && { namespace: i.namespace, key: i.key, value: i.value });
const byKey = (a, b) => JSON.stringify([a.namespace, a.key]).localeCompare(JSON.stringify([b.namespace, b.key]));

async function both(fn) {
  const slate = new SlateStore(client, { prefix: uniquePrefix("st") });
  const memory = new InMemoryStore();
  return [await fn(slate), await fn(memory)];
}

describe("SlateStore", () => {
  it("gets, puts, updates and deletes like InMemoryStore, keeping createdAt", async () => {
    const s = new SlateStore(client, { prefix: uniquePrefix("st") });
    expect(await s.get(["users", "u1"], "prefs")).toBeNull();
    await s.put(["users", "u1"], "prefs", { theme: "dark" });
    const first = await s.get(["users", "u1"], "prefs");
    expect(first.value).toEqual({ theme: "dark" });
    expect(first.namespace).toEqual(["users", "u1"]);
    expect(first.createdAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 5));
    await s.put(["users", "u1"], "prefs", { theme: "light" });
    const second = await s.get(["users", "u1"], "prefs");
    expect(second.value).toEqual({ theme: "light" });
    expect(second.createdAt.getTime()).toBe(first.createdAt.getTime());
    expect(second.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
    await s.delete(["users", "u1"], "prefs");
    expect(await s.get(["users", "u1"], "prefs")).toBeNull();
  });

  it("searches by namespace prefix, filter, limit and offset as InMemoryStore does", async () => {
    const fill = async (st) => {
      await st.put(["docs", "a"], "1", { kind: "note", n: 1 });
      await st.put(["docs", "a"], "2", { kind: "todo", n: 2 });
      await st.put(["docs", "a", "deep"], "3", { kind: "note", n: 3 });
      await st.put(["docs", "ab"], "4", { kind: "note", n: 4 });
      await st.put(["other"], "5", { kind: "note", n: 5 });
      await st.put(["docs", "we/ird*?[x] %2F"], "k:/*", { kind: "note", n: 6 });
      return st;
    };
    const cases = [
      [["docs"], {}],
      [["docs", "a"], {}],
      [["docs", "a"], { filter: { kind: "note" } }],
      [["docs"], { filter: { n: { $gte: 2, $lt: 5 } } }],
      [["docs"], { filter: { kind: { $in: ["todo"] } } }],
      [["docs", "we/ird*?[x] %2F"], {}],
      [[], { limit: 100 }],
      [[], { limit: 2, offset: 1 }],
    ];
    const [slate, memory] = await both(fill);
    for (const [prefix, opts] of cases) {
      const a = plain(await slate.search(prefix, opts));
      const b = plain(await memory.search(prefix, opts));
      if (opts.offset === undefined) {
        expect(a.sort(byKey), JSON.stringify([prefix, opts])).toEqual(b.sort(byKey));
      } else {
        expect(a.length).toBe(b.length); // pages: the two stores order items differently (Slate: by namespace and key)
      }
    }
  });

  it("lists namespaces with prefix and suffix conditions, maxDepth, limit and offset as InMemoryStore does", async () => {
    const fill = async (st) => {
      for (const ns of [["a", "b", "c"], ["a", "b", "d"], ["a", "x"], ["z", "b"], ["z"]]) {
        await st.put(ns, "k", { v: 1 });
      }
      return st;
    };
    const [slate, memory] = await both(fill);
    const cases = [
      {},
      { prefix: ["a"] },
      { prefix: ["a", "*"] },
      { suffix: ["b"] },
      { prefix: ["a"], maxDepth: 2 },
      { maxDepth: 1 },
      { limit: 2, offset: 1 },
    ];
    for (const c of cases) {
      expect(await slate.listNamespaces(c), JSON.stringify(c)).toEqual(await memory.listNamespaces(c));
    }
  });

  it("reads in a batch see the store before the batch's writes, and the last write of a key wins", async () => {
    const ops = [
      { namespace: ["b"], key: "k", value: { v: 1 } },
      { namespace: ["b"], key: "k" },
      { namespace: ["b"], key: "k", value: { v: 2 } },
    ];
    const [slate, memory] = await both(async (st) => [await st.batch(ops), await st.get(["b"], "k")]);
    expect(plain(slate[0])).toEqual(plain(memory[0]));
    expect(slate[1].value).toEqual({ v: 2 });
    expect(memory[1].value).toEqual({ v: 2 });
  });

  it("refuses an invalid namespace as InMemoryStore does", async () => {
    const s = new SlateStore(client, { prefix: uniquePrefix("st") });
    await expect(s.put([], "k", { v: 1 })).rejects.toThrow();
    await expect(s.put(["a", ""], "k", { v: 1 })).rejects.toThrow();
  });

  it("two agents see each other's items: two connections (RESP2 and RESP3), one space", async () => {
    const prefix = uniquePrefix("st");
    const other = await connect(3); // the other agent speaks RESP3
    try {
      await new SlateStore(client, { prefix }).put(["shared"], "fact", { text: "the sky is blue" });
      const seen = await new SlateStore(other, { prefix }).search(["shared"]);
      expect(plain(seen)).toEqual([{ namespace: ["shared"], key: "fact", value: { text: "the sky is blue" } }]);
    } finally {
      await other.quit();
    }
  });
});
