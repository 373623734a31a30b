// Interop: the unchanged `phoenix` JavaScript client (pinned in package-lock.json) against
// kyozo-server. Usage: node phoenix_interop.mjs SOCKET_URL ADA_TOKEN BOB_TOKEN NOTEBOOK_ID
// (the notebook holds the cell ```sh {#hello} printing "hello from a cell").
// Prints one "ok <check>" line per check; ends with process.exit because the client
// reconnects forever when a server refuses it.
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";

const [url, adaToken, bobToken, notebookId] = process.argv.slice(2);
const topic = "execution:workspace:lab";
const fail = (why) => { console.log(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail("timed out"), 15000);

const open = (token, client) => {
  const socket = new Socket(url, { transport: WebSocket, params: { token, client }, reconnectAfterMs: () => 60000 });
  socket.connect();
  return socket;
};
const joined = (channel) => new Promise((resolve, reject) =>
  channel.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout")));
const pushed = (channel, event, payload) => new Promise((resolve, reject) =>
  channel.push(event, payload).receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout")));

// 1. A refused socket: the client sees an error and never opens.
await new Promise((resolve) => {
  const refused = open("kyz_not-a-token", "refused");
  refused.onOpen(() => fail("a bad token was let in"));
  refused.onError(() => { refused.disconnect(); resolve(); });
});
console.log("ok bad token refused");

// 2. Join, push, reply.
const ada1 = open(adaToken, "window-1");
const adaChannel = ada1.channel(topic, {});
const presence = new Presence(adaChannel);
await joined(adaChannel);
await pushed(adaChannel, "cursor_move", { position: { line: 1, column: 1 } });
console.log("ok join and push with reply");

// 3. A broadcast from a second socket arrives.
const bob = open(bobToken, "bob-laptop");
const bobChannel = bob.channel(topic, {});
await joined(bobChannel);
const cursor = new Promise((resolve) => bobChannel.on("cursor", resolve));
await pushed(adaChannel, "cursor_move", { position: { line: 4, column: 2 } });
const relayed = await cursor;
if (relayed.name !== "ada" || relayed.position.line !== 4 || !relayed.color) fail(`bad cursor ${JSON.stringify(relayed)}`);
const selection = new Promise((resolve) => adaChannel.on("selection", resolve));
await pushed(bobChannel, "selection", { anchor: { line: 1, column: 1 }, head: { line: 1, column: 5 } });
if ((await selection).name !== "bob") fail("bad selection");
console.log("ok broadcasts between sockets");

// 4. Presence: two users, ada on two sockets -> two keys, ada with two metas.
const ada2 = open(adaToken, "window-2");
await joined(ada2.channel(topic, {}));
await new Promise((resolve) => {
  const check = () => {
    const users = presence.list((id, { metas }) => ({ id, names: metas.map((m) => m.name), clients: metas.map((m) => m.client) }));
    const ada = users.find((u) => u.names[0] === "ada");
    if (users.length === 2 && ada && ada.names.length === 2 && ada.clients.includes("window-2")) resolve();
  };
  presence.onSync(check);
  check();
});
console.log("ok presence of two users, one on two sockets");

// 5. An unauthorised topic is refused with the reason.
try {
  await joined(bob.channel("execution:workspace:elsewhere", {}));
  fail("joined a workspace bob is not in");
} catch (reply) {
  if (reply.reason !== "unauthorized") fail(`refused with ${JSON.stringify(reply)}`);
}
console.log("ok unauthorised topic refused");

// 6. Execution (docs/server.md "Execution"): execute a cell on the notebook's topic, then its
// execution_update events up to the final one and its cell_output.
const notebook = ada1.channel(`execution:notebook:${notebookId}`, {});
const statuses = [];
let output = "";
const ended = new Promise((resolve) => {
  notebook.on("execution_update", (u) => { statuses.push(u.status); if (u.final) resolve(u); });
});
notebook.on("cell_output", (o) => { if (o.cell_id === "hello" && o.stream === "stdout") output += o.output; });
await joined(notebook);
const { execution_id } = await pushed(notebook, "execute", { cell_id: "hello" });
if (typeof execution_id !== "string") fail("no execution_id");
const last = await ended;
if (last.execution_id !== execution_id || last.status !== "completed" || last.exit_code !== 0)
  fail(`ended ${JSON.stringify(last)}`);
if (statuses.join(",") !== "queued,running,completed") fail(`statuses ${statuses}`);
if (output !== "hello from a cell\n") fail(`output ${JSON.stringify(output)}`);
console.log("ok execute a cell with execution_update and cell_output");
// Outside a notebook topic there is nothing to run.
try {
  await pushed(adaChannel, "execute", {});
  fail("execute replied ok on a workspace topic");
} catch (reply) {
  if (reply.reason !== "unknown event") fail(`execute replied ${JSON.stringify(reply)}`);
}
console.log("ok execute refused outside a notebook");
process.exit(0);
