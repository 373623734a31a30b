// Interop helper: the real StegCloak 1.1.1 and lzutf8 (pinned in package-lock.json).
//   node stegcloak_interop.mjs hide MODE PASSWORD MESSAGE < cover   -> hidden text
//   node stegcloak_interop.mjs reveal PASSWORD < text               -> the message
//   node stegcloak_interop.mjs lzutf8-compress < bytes              -> hex of lzutf8's output
// MODE: plain | encrypt | integrity. Ends with process.exit: lzutf8 keeps node alive.
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const StegCloak = require("stegcloak");
const lzutf8 = require("lzutf8");

const input = await new Promise((resolve) => {
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => resolve(Buffer.concat(chunks)));
});
const [command, ...args] = process.argv.slice(2);
try {
  if (command === "hide") {
    const [mode, password, message] = args;
    const cloak = new StegCloak(mode !== "plain", mode === "integrity");
    process.stdout.write(cloak.hide(message, password, input.toString("utf8")));
  } else if (command === "reveal") {
    const cloak = new StegCloak();
    process.stdout.write(cloak.reveal(input.toString("utf8"), args[0]));
  } else if (command === "lzutf8-compress") {
    process.stdout.write(Buffer.from(lzutf8.compress(input.toString("utf8"), { outputEncoding: "Buffer" })).toString("hex"));
  } else {
    throw new Error(`unknown command ${command}`);
  }
  process.exit(0);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
