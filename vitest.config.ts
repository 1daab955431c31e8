import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Tests run against TypeScript sources through the "@asya/source" export condition, so no build
// is needed before `pnpm test`.
const conditions = ["@asya/source", "node", "import", "default"];

export default defineConfig({
  // One vitest instance for every package: `@asya/transport/testing` registers its suites on the
  // runner that loaded the test file, whichever peer-variant of vitest pnpm linked next to it.
  resolve: { conditions, dedupe: ["vitest"] },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // Vitest's default (cores - 1) runs one file at a time on 2 cores; the integration files mostly
    // wait on brokers, so two at a time halves the suite (~10 -> ~5.5 min) without starving the
    // reliability scenarios' CPU checks.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Every run gets a private TMPDIR (test/setup/temp-dir.ts). The integration project starts a
    // private RabbitMQ node, moto and the Pub/Sub emulator unless the caller provides them
    // (test/setup/global-setup.ts); nothing on the machine's own brokers is touched.
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.int.test.ts"],
          globalSetup: ["test/setup/temp-dir.ts"],
          // Property tests run thousands of cases: seconds of CPU alone, several times that beside
          // the integration files on 2 cores (vitest's 5 s default timed out in CI).
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.int.test.ts", "test/**/*.int.test.ts", "examples/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/setup/temp-dir.ts", "test/setup/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
