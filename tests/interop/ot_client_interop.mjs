// Interop: three co-editing clients made of the unchanged `phoenix` client and ot.js 0.0.15's
// own `Client` class as the state machine (both pinned in package-lock.json), editing one
// notebook of kyozo-server at once.
//   node ot_client_interop.mjs SOCKET_URL TOKEN NOTEBOOK_ID EDITS_PER_CLIENT SEED
// Prints one JSON line {"texts": [...], "revisions": [...]} once every client is
// synchronized and quiet; "FAIL why" and exit 1 otherwise.
import { createRequire } from "module";
import { Socket } from "phoenix";
import WebSocket from "ws";
const require = createRequire(import.meta.url);
const { TextOperation, Client } = require("ot");

const [url, token, notebook, editsArg, seedArg] = process.argv.slice(2);
const edits = Number(editsArg);
const fail = (why) => { console.log(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail("timed out"), 60000);

// A small seeded generator (mulberry32), so a failing run can be repeated.
let seed = Number(seedArg) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const below = (n) => Math.floor(random() * n);
// BMP only: ot.js and these positions count code units, and a split surrogate pair is refused.
const pieces = ["a", "b", " ", "\u00e9", "\u6771", "\r\n", "\n", "#"];
const randomText = () => Array.from({ length: 1 + below(4) }, () => pieces[below(pieces.length)]).join("");

class PhoenixOtClient extends Client {
  constructor(name, channel, revision, content) {
    super(revision);
    this.name = name;
    this.channel = channel;
    this.doc = content;
    this.received = 0;
  }
  sendOperation(revision, operation) {
    this.channel.push("op", { revision, ops: operation.toJSON() })
      .receive("ok", () => this.serverAck())
      .receive("error", (e) => fail(`${this.name}: op refused ${JSON.stringify(e)}`))
      .receive("timeout", () => fail(`${this.name}: op timed out`));
  }
  applyOperation(operation) {
    this.doc = operation.apply(this.doc);
  }
  edit() {
    // A random edit at a random place: delete up to 3 code units and/or insert.
    const at = below(this.doc.length + 1);
    const del = Math.min(this.doc.length - at, below(4));
    const op = new TextOperation().retain(at);
    if (del === 0 || random() < 0.6) op.insert(randomText());
    op.delete(del).retain(this.doc.length - at - del);
    this.doc = op.apply(this.doc);
    this.applyClient(op);
  }
}

const join = (name) => new Promise((resolve) => {
  const socket = new Socket(url, { transport: WebSocket, params: { token, client: name }, reconnectAfterMs: () => 60000 });
  socket.connect();
  const channel = socket.channel(`execution:notebook:${notebook}`, {});
  let client;
  channel.on("op", ({ revision, ops }) => {
    if (revision !== client.revision + 1) fail(`${name}: revision ${revision} after ${client.revision}`);
    ++client.received;
    client.applyServer(TextOperation.fromJSON(ops));
  });
  channel.join()
    .receive("ok", ({ revision, content }) => { client = new PhoenixOtClient(name, channel, revision, content); resolve(client); })
    .receive("error", (e) => fail(`${name}: join refused ${JSON.stringify(e)}`));
});

const clients = await Promise.all(["ot-a", "ot-b", "ot-c"].map(join));
let made = 0;
await new Promise((resolve) => {
  const tick = () => {
    if (made >= edits * clients.length) return resolve();
    clients[below(clients.length)].edit();
    ++made;
    setTimeout(tick, below(3));
  };
  tick();
});
// Quiet: every client synchronized and nothing arrived for a while.
await new Promise((resolve) => {
  let last = -1, still = 0;
  const check = () => {
    const received = clients.reduce((n, c) => n + c.received, 0);
    const synced = clients.every((c) => c.state instanceof Client.Synchronized);
    still = synced && received === last ? still + 1 : 0;
    last = received;
    if (still >= 10) return resolve();
    setTimeout(check, 50);
  };
  check();
});
console.log(JSON.stringify({ texts: clients.map((c) => c.doc), revisions: clients.map((c) => c.revision) }));
process.exit(0);
