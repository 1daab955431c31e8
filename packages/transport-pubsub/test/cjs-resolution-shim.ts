import Module from "node:module";

// Workaround for the root vitest config: it starts workers with `--conditions module`, so Node's
// require() of @opentelemetry/* (a dependency of @google-cloud/pubsub) picks their "module" export,
// an ESM build with extension-less imports that Node cannot load. Until the config drops "module"
// from `ssr.resolve.conditions`, map those resolutions back to the CommonJS build. Test-only; a
// no-op once the condition is gone.
type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename };
const original = loader._resolveFilename;
const ESM_BUILD = /([\\/]@opentelemetry[\\/][^\\/]+[\\/]build[\\/])esm([\\/])/;

if (process.execArgv.some((arg, i, all) => arg === "--conditions" && all[i + 1] === "module")) {
  loader._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    return original.call(this, request, parent, isMain, options).replace(ESM_BUILD, "$1src$2");
  };
}
