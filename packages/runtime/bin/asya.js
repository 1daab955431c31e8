#!/usr/bin/env node
// Committed launcher so package managers can link the `asya` bin before `dist/` is built.
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    console.error("[asya:runtime] the asya CLI is not built (dist/cli.js missing): run `pnpm build`");
    process.exit(1);
  }
  throw error;
}
