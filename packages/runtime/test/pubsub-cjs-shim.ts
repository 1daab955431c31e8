import Module from "node:module";

// Test-only copy of packages/transport-pubsub/test/cjs-resolution-shim.ts: the root vitest config
// runs workers with `--conditions module`, so require() of @opentelemetry/* inside the Pub/Sub SDK
// picks an ESM build Node cannot load; map those resolutions back to the CommonJS build.
type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename };
const original = loader._resolveFilename;
const ESM_BUILD = /([\\/]@opentelemetry[\\/][^\\/]+[\\/]build[\\/])esm([\\/])/;

if (process.execArgv.some((arg, i, all) => arg === "--conditions" && all[i + 1] === "module")) {
  loader._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    return original.call(this, request, parent, isMain, options).replace(ESM_BUILD, "$1src$2");
  };
}
