/**
 * The liveness thread's program (docs/protocols/handshake.md, "Ticks": "A busy node is not a dead
 * node"). It runs in a worker_thread of its own, so it keeps running while the node's event loop is
 * blocked by synchronous work, and stops with every other thread of the process on SIGSTOP.
 *
 * Every `interval` ms it sends each peer it was given an ALIVE datagram over UDP (to the peer's
 * host, at the port number of the peer's TCP listen port), as long as the main thread's heartbeat
 * (a timestamp the main thread stores in shared memory at every tick check) is at most `bound` ms
 * old: past that bound the node is unresponsive, not merely busy, and the thread stops vouching
 * for it. It also receives the peers' ALIVE datagrams, checks them (HMAC-SHA256 with the cookie
 * over both names and both creations, and a sequence number that must grow) and reports the good
 * ones to the main thread.
 *
 * Datagram (UTF-8 JSON): {"v":1,"from","to","creation","toCreation","seq","busy","mac"}, where
 * `busy` is how long (ms) the sender's main thread has not stored its heartbeat, and mac = hex
 * HMAC-SHA256(cookie, "sdnode-alive|" + from + "|" + to + "|" + creation + "|" + toCreation + "|"
 * + seq + "|" + busy). Binding the receiver's creation keeps a datagram of one connection from
 * being replayed to a later incarnation of the receiver.
 * Bad datagrams are counted and reported once per interval, not one message each.
 *
 * It is source text rather than a module file so that it runs the same from the TypeScript
 * sources (tests) and from the built package: started with `new Worker(source, { eval: true })`,
 * a CommonJS script.
 */
export const LIVENESS_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { createHmac, timingSafeEqual } = require('node:crypto');

const { name, creation, cookie, host, port, interval, bound, heartbeat } = workerData;
const beat = new BigInt64Array(heartbeat);
const lastSeq = new Map(); // sender name -> { creation, seq }
let peers = []; // [{ name, host, port }]
let seq = 0;
let bad = 0;
let timer;

function mac(from, to, fromCreation, toCreation, n, busy) {
  return createHmac('sha256', cookie)
    .update('sdnode-alive|' + from + '|' + to + '|' + fromCreation + '|' + toCreation + '|' + n + '|' + busy)
    .digest('hex');
}

const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
socket.on('error', (err) => parentPort.postMessage({ type: 'error', message: err.message }));
socket.on('message', (data) => {
  let m;
  try {
    m = JSON.parse(data.toString('utf8'));
  } catch {
    bad++;
    return;
  }
  if (m === null || typeof m !== 'object' || m.v !== 1 || m.to !== name || m.toCreation !== creation || typeof m.from !== 'string' || typeof m.mac !== 'string' ||
      !Number.isInteger(m.creation) || !Number.isInteger(m.seq) || !Number.isInteger(m.busy) || m.busy < 0) {
    bad++;
    return;
  }
  const expected = Buffer.from(mac(m.from, m.to, m.creation, m.toCreation, m.seq, m.busy), 'hex');
  const given = Buffer.from(m.mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    bad++;
    return;
  }
  const last = lastSeq.get(m.from);
  if (last !== undefined && last.creation === m.creation && m.seq <= last.seq) return; // a replay or reordering
  lastSeq.set(m.from, { creation: m.creation, seq: m.seq });
  parentPort.postMessage({ type: 'alive', from: m.from, creation: m.creation, busy: m.busy });
});

function vouch() {
  if (bad > 0) {
    parentPort.postMessage({ type: 'bad', count: bad });
    bad = 0;
  }
  const busy = Math.max(0, Date.now() - Number(Atomics.load(beat, 0)));
  if (busy > bound) return; // unresponsive beyond the bound
  seq++;
  for (const peer of peers) {
    const body = JSON.stringify({
      v: 1, from: name, to: peer.name, creation, toCreation: peer.creation, seq, busy,
      mac: mac(name, peer.name, creation, peer.creation, seq, busy),
    });
    socket.send(body, peer.port, peer.host, () => {});
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'peers') peers = m.peers;
  else if (m.type === 'close') {
    clearInterval(timer);
    socket.close(() => parentPort.close());
  }
});

socket.bind({ port, address: host, exclusive: true }, () => {
  timer = setInterval(vouch, interval);
  parentPort.postMessage({ type: 'bound', port: socket.address().port });
});
`;
