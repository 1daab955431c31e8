import { defineConfig } from "vitest/config";
// TEMPORARY (issue 6 engineer): root config minus the "module" condition; delete before handing back.
const conditions = ["@asya/source", "node", "import", "default"];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["packages/transport-sqs/test/**/*.test.ts"], exclude: ["**/node_modules/**", "**/*.int.test.ts"] } },
      { extends: true, test: { name: "integration", include: ["packages/transport-sqs/test/**/*.int.test.ts"], globalSetup: ["test/setup/global-setup.ts"], testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
