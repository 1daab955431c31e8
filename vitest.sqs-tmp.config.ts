import { defineConfig } from "vitest/config";
const conditions = ["@asya/source", "node", "import", "default"];
export default defineConfig({
  
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: [
      { extends: true, test: { name: "integration", include: ["packages/transport-sqs/test/**/*.int.test.ts", "packages/transport/test/**/*.int.test.ts"], globalSetup: ["test/setup/global-setup.ts"], testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
