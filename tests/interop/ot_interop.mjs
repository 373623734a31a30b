// Interop helper: ot.js 0.0.15's TextOperation (the npm package `ot`, pinned in
// package-lock.json) as the oracle for core/collab.
//   node ot_interop.mjs textoperation < cases.json   -> results.json
// cases: [{text, a, b, c}] with a and b operations (JSON) on `text` and c on a's result.
// results: [{applyA, applyB, compose, transform: [a', b'], invert}] computed by ot.js alone,
// or {error} for a case ot.js refused.
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const TextOperation = require("ot").TextOperation;

const input = await new Promise((resolve) => {
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
});
const [command] = process.argv.slice(2);
try {
  if (command !== "textoperation") throw new Error(`unknown command ${command}`);
  const results = JSON.parse(input).map(({ text, a, b, c }) => {
    try {
      const opA = TextOperation.fromJSON(a);
      const opB = TextOperation.fromJSON(b);
      const opC = TextOperation.fromJSON(c);
      const [aPrime, bPrime] = TextOperation.transform(opA, opB);
      return {
        applyA: opA.apply(text),
        applyB: opB.apply(text),
        compose: opA.compose(opC).toJSON(),
        transform: [aPrime.toJSON(), bPrime.toJSON()],
        invert: opA.invert(text).toJSON(),
      };
    } catch (e) {
      return { error: e.message };
    }
  });
  // Exit only once the pipe has taken everything (writes to a pipe are asynchronous).
  process.stdout.write(JSON.stringify(results), () => process.exit(0));
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
