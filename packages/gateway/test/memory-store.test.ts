import { createMemoryTaskStore } from "../src/store/memory-store.js";
import { describeTaskStore } from "./store-cases.js";

describeTaskStore("memory", { create: async () => createMemoryTaskStore() });
