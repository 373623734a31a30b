// The unchanged `phoenix` client, with `ws` as its transport, joins kyozo-server and tracks
// presence with two users (issue 21 item 2): over wss:// (the test CA reaching node through
// NODE_EXTRA_CA_CERTS, as an operator's private CA would) and through nginx.
// Usage: node phoenix_presence_interop.mjs SOCKET_URL ADA_TOKEN BOB_TOKEN
// Prints one "ok <check>" line per check, or "FAIL <why>".
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";

const [url, adaToken, bobToken] = process.argv.slice(2);
const topic = "execution:workspace:lab";
const fail = (why) => { console.log(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail("timed out"), 15000);

const open = (token, client) => {
  const socket = new Socket(url, { transport: WebSocket, params: { token, client }, reconnectAfterMs: () => 60000 });
  socket.onError((e) => fail(`socket error ${e && e.message ? e.message : JSON.stringify(e)}`));
  socket.connect();
  return socket;
};
const joined = (channel) => new Promise((resolve, reject) =>
  channel.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("timeout")));

const ada = open(adaToken, "ada-tls");
const adaChannel = ada.channel(topic, {});
const presence = new Presence(adaChannel);
await joined(adaChannel);
console.log("ok join");

const bob = open(bobToken, "bob-tls");
await joined(bob.channel(topic, {}));
await new Promise((resolve) => {
  const check = () => {
    const names = presence.list((id, { metas }) => metas[0].name).sort();
    if (names.join(",") === "ada,bob") resolve();
  };
  presence.onSync(check);
  check();
});
console.log("ok presence");
process.exit(0);
