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
    // Every broker-backed emulator the integration tests need is started here when the caller
    // has not provided one (see test/setup/*). RabbitMQ is expected on 127.0.0.1:5672.
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.int.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.int.test.ts", "test/**/*.int.test.ts", "examples/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/setup/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
