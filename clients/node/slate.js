'use strict';
// Slate's commands for Node agents, over an npm `redis` (node-redis, RESP2 or RESP3) or `ioredis` client connected to
// `slate serve` (see docs/gateway.md). What a connection takes or locks is held by that connection:
//
//   const { createClient } = require('redis');
//   const { Slate, ANY, LONG, DOUBLE, STRING } = require('./slate');
//   const slate = new Slate(await createClient({ url: 'redis://127.0.0.1:6379', RESP: 3 }).connect());
//   const jobs = slate.tuples('jobs');
//   const t = await jobs.takeWithAck(['alert', STRING, LONG], { block: 5000 });   // null on timeout
//   if (t) { handle(t.fields); await t.ack(); }    // without ack (an exception, a crash) the tuple goes back
//
// Templates are arrays: a value matches itself (a string, an integer Number or BigInt as a long, a non-integer Number as
// a double, a boolean, a Buffer as bytes), STRING/LONG/DOUBLE/BOOLEAN/BYTES any field of that type, ANY any field.
// Bytes fields come back as the client decodes bulk strings: node-redis and ioredis decode them as UTF-8 text unless
// configured to return Buffers, so bytes that are not UTF-8 need such a client.

const ANY = Symbol('slate.any');
const STRING = Symbol('slate.string');
const LONG = Symbol('slate.long');
const DOUBLE = Symbol('slate.double');
const BOOLEAN = Symbol('slate.boolean');
const BYTES = Symbol('slate.bytes');
const FORMALS = new Map([[ANY, '*'], [STRING, '?string'], [LONG, '?long'], [DOUBLE, '?double'], [BOOLEAN, '?boolean'], [BYTES, '?bytes']]);

/** One field as the gateway reads it (the command line's syntax). */
function word(v) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`a tuple field cannot be ${v}`);
    if (Number.isInteger(v)) return String(v);
    const s = String(v);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  if (Buffer.isBuffer(v)) return `b64:${v.toString('base64')}`;
  if (typeof v === 'string') return `"${v}"`;
  throw new TypeError(`a tuple field is a string, number, bigint, boolean or Buffer, not ${typeof v}`);
}

function templateWord(e) {
  if (FORMALS.has(e)) return FORMALS.get(e);
  return word(e);
}

/** A reply field back as a JS value, by its template entry (RESP2 sends doubles as text and booleans as 1/0). */
function convert(raw, e) {
  const asString = (x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x));
  if (e === DOUBLE || (typeof e === 'number' && !Number.isInteger(e))) return typeof raw === 'number' ? raw : Number(asString(raw));
  if (e === BOOLEAN || typeof e === 'boolean') return typeof raw === 'boolean' ? raw : Number(raw) === 1;
  if (e === LONG || typeof e === 'bigint' || (typeof e === 'number' && Number.isInteger(e))) return typeof raw === 'number' ? raw : Number(raw);
  if (e === STRING || typeof e === 'string') return asString(raw);
  if (e === BYTES || Buffer.isBuffer(e)) return Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), 'utf8');
  return raw;
}

class Slate {
  /** @param client a connected node-redis client (sendCommand) or ioredis client (call) */
  constructor(client) {
    this.client = client;
  }

  send(...args) {
    const a = args.map((x) => (typeof x === 'number' || typeof x === 'bigint' ? String(x) : x));
    if (typeof this.client.call === 'function') return this.client.call(...a);
    return this.client.sendCommand(a);
  }

  tuples(name) {
    return new TupleSpace(this, name);
  }

  /** {value, version, writer, index, time, removed} or null. */
  async getv(key) {
    return versioned(await this.send('SLATE.GETV', key));
  }

  /** The new version, or null when the key is not at `version` (0: absent). */
  async cas(key, version, value) {
    const v = Number(await this.send('SLATE.CAS', key, version, value));
    return v === -1 ? null : v;
  }

  /** The key's entry once its version is above afterVersion; block in ms (0: forever); null on timeout. */
  async wait(key, afterVersion, { block = 0 } = {}) {
    return versioned(await this.send('SLATE.WAIT', key, afterVersion, 'BLOCK', block));
  }

  /** {token, unlock()} held by this connection, waiting up to block ms (0: forever); null on timeout. */
  async lock(name, { block = 0 } = {}) {
    const token = await this.send('SLATE.LOCK', name, 'BLOCK', block);
    if (token === null || token === undefined) return null;
    return { name, token: Number(token), unlock: () => this.send('SLATE.UNLOCK', name) };
  }

  async counterAdd(name, delta = 1) {
    return Number(await this.send('SLATE.COUNTER.ADD', name, delta));
  }
}

function versioned(reply) {
  if (reply === null || reply === undefined) return null;
  let d = reply;
  if (Array.isArray(reply)) {
    d = {};
    for (let i = 0; i < reply.length; i += 2) d[String(reply[i])] = reply[i + 1];
  } else if (reply instanceof Map) {
    d = Object.fromEntries(reply);
  }
  return {
    value: d.value,
    version: Number(d.version),
    writer: String(d.writer),
    index: Number(d.index),
    time: BigInt(String(d.time)),
    removed: d.removed === true || Number(d.removed) === 1,
  };
}

class TupleSpace {
  constructor(slate, name) {
    this.slate = slate;
    this.name = name;
  }

  /** Writes a tuple; its id (the journal index of its record). */
  async out(...fields) {
    return Number(await this.slate.send('SLATE.OUT', this.name, ...fields.map(word)));
  }

  async call(command, template, block) {
    const args = [command, this.name, ...template.map(templateWord)];
    if (block !== undefined && block !== null) args.push('BLOCK', block);
    return this.slate.send(...args);
  }

  fields(raw, template) {
    return raw === null || raw === undefined ? null : raw.map((v, i) => convert(v, template[i]));
  }

  async rdp(template) {
    return this.fields(await this.call('SLATE.RDP', template), template);
  }

  /** The oldest match, waiting up to block ms (0: forever); null on timeout. */
  async rd(template, { block = 0 } = {}) {
    return this.fields(await this.call('SLATE.RD', template, block), template);
  }

  async inp(template) {
    return this.fields(await this.call('SLATE.INP', template), template);
  }

  /** Takes the oldest match for good, waiting up to block ms (0: forever); null on timeout. */
  async in(template, { block = 0 } = {}) {
    return this.fields(await this.call('SLATE.IN', template, block), template);
  }

  /** Takes the oldest match until ack() (block in ms, 0: forever; without block: no wait); null when none. */
  async takeWithAck(template, { block } = {}) {
    const raw = await this.call('SLATE.TAKE', template, block);
    if (raw === null || raw === undefined) return null;
    const id = Number(raw[0]);
    const slate = this.slate;
    return {
      id,
      fields: this.fields(raw[1], template),
      ack: async () => Number(await slate.send('SLATE.ACK', id)) === 1,
      release: () => slate.send('SLATE.RELEASE', id),
    };
  }

  async count(template) {
    return Number(await this.slate.send('SLATE.COUNT', this.name, ...template.map(templateWord)));
  }
}

module.exports = { Slate, TupleSpace, ANY, STRING, LONG, DOUBLE, BOOLEAN, BYTES };
