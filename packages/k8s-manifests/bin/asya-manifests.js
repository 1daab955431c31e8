#!/usr/bin/env node
// Committed launcher so package managers can link the bin before `dist/` is built.
try {
  await import("../dist/bin.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bin.js")) {
    console.error("[asya:k8s-manifests] asya-manifests is not built (dist/bin.js missing): run `pnpm build`");
    process.exit(1);
  }
  throw error;
}
