// `import "@asya/flow/register"` (or `node --import @asya/flow/register`): Node runs .ts modules
// (types stripped with TypeScript 5.9, `./x.js` finding `./x.ts`), and "@asya/flow" resolves to this
// package for flow files outside any project. The `asya` CLI does this for `flow` and `.ts` handlers.
import { register } from "node:module";

register("./loader/ts-hooks.js", import.meta.url);
