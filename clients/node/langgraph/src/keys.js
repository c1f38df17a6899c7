// Slate key layout shared by the saver and the store, and the few gateway commands both use.
//
// Every caller-supplied part of a key (thread id, namespace, checkpoint id, channel, version, store label) is
// escaped: bytes other than [A-Za-z0-9_.~-] become %XX of their UTF-8 bytes. So ':' and '/' separate parts
// unambiguously, and no part contains a glob character (* ? [ ] \), so SCAN MATCH on a prefix matches exactly it.

const SAFE = /^[A-Za-z0-9_.~-]$/;

/** Escapes one part of a key (see the file comment). */
export function esc(part) {
  const s = String(part);
  let out = "";
  for (const ch of s) {
    if (SAFE.test(ch)) {
      out += ch;
    } else {
      for (const b of Buffer.from(ch, "utf8")) {
        out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
      }
    }
  }
  return out;
}

/** The inverse of {@link esc}. */
export function unesc(part) {
  return decodeURIComponent(part);
}

/** A prefix chosen by the caller: it must not contain glob characters or the separators. */
export function checkPrefix(prefix) {
  if (typeof prefix !== "string" || !/^[A-Za-z0-9_.~-]+$/.test(prefix)) {
    throw new Error(`Slate: key prefix '${prefix}' must be 1 or more of [A-Za-z0-9_.~-]`);
  }
  return prefix;
}

/** SLATE.GETV's reply (RESP2 flat array, RESP3 map or object) as {value, version}, or null when absent. */
export function parseGetv(reply) {
  if (reply == null) {
    return null;
  }
  let o = reply;
  if (Array.isArray(reply)) {
    o = {};
    for (let i = 0; i + 1 < reply.length; i += 2) {
      o[String(reply[i])] = reply[i + 1];
    }
  } else if (reply instanceof Map) {
    o = Object.fromEntries(reply);
  }
  if (o.removed === true || o.removed === 1 || o.removed === "1") {
    return null;
  }
  return { value: o.value == null ? null : String(o.value), version: Number(o.version) };
}

/** SLATE.GETV key. */
export async function getv(client, key) {
  return parseGetv(await client.sendCommand(["SLATE.GETV", key]));
}

/** SLATE.CAS key version value: the new version, or -1 when the key is not at `version` (0: must not exist). */
export async function cas(client, key, version, value) {
  return Number(await client.sendCommand(["SLATE.CAS", key, String(version), value]));
}

/**
 * Every key matching `pattern`, by SCAN MATCH. The gateway walks the whole space once per SCAN call (Chronicle Map is
 * a hash map: there is no ordered index to seek a prefix in), so a large COUNT keeps it to one walk per `count` keys.
 */
export async function scanKeys(client, pattern, count = 10000) {
  const keys = [];
  let cursor = "0";
  do {
    const reply = await client.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", String(count)]);
    cursor = String(reply[0]);
    for (const k of reply[1]) {
      keys.push(String(k));
    }
  } while (cursor !== "0");
  return keys;
}

/** DEL of many keys, in batches. */
export async function delKeys(client, keys, batch = 500) {
  for (let i = 0; i < keys.length; i += batch) {
    await client.sendCommand(["DEL", ...keys.slice(i, i + batch)]);
  }
}

/** MGET of many keys, in batches; values as strings or null. */
export async function mget(client, keys, batch = 500) {
  const out = [];
  for (let i = 0; i < keys.length; i += batch) {
    const part = await client.sendCommand(["MGET", ...keys.slice(i, i + batch)]);
    for (const v of part) {
      out.push(v == null ? null : String(v));
    }
  }
  return out;
}
