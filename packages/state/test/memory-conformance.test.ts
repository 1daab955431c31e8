import { createMemoryStateStore } from "@asya/state";
import { describeStateStoreConformance } from "@asya/state/testing";

describeStateStoreConformance("memory", { create: async () => createMemoryStateStore(), shared: false });
