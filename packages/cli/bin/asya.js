#!/usr/bin/env node
// Committed launcher so package managers can link the `asya` bin before `dist/` is built.
try {
  await import("../dist/main.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND") {
    const message = String(error.message);
    if (message.includes("dist/main.js")) {
      console.error("[asya:runtime] the asya CLI is not built (dist/main.js missing): run `pnpm build`");
      process.exit(1);
    }
    // A dependency the runtime itself imports is missing (e.g. the @opentelemetry/api peer after
    // `npm install --legacy-peer-deps`): name the package instead of a stack trace.
    const missing = /Cannot find package '([^']+)'/.exec(message)?.[1];
    if (missing !== undefined) {
      console.error(
        `[asya:runtime] cannot start: ${missing} is not installed (a dependency of @asya/cli or @asya/runtime; npm installs peers unless --legacy-peer-deps): \`npm install ${missing}\``,
      );
      process.exit(1);
    }
  }
  throw error;
}
