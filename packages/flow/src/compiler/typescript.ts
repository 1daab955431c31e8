import { createRequire } from "node:module";
import type TS from "typescript5";

// TypeScript 5.9 (its compiler API; the repo's TypeScript 7 has none), loaded with require: an ESM
// import of its 9 MB CommonJS file makes Node scan it for named exports first (~0.3 s per process).
export const ts = createRequire(import.meta.url)("typescript5") as typeof TS;
