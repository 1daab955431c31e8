import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileStateStore } from "@asya/state";
import { describeStateStoreConformance } from "@asya/state/testing";
import { afterAll } from "vitest";

// Two instances on one directory stand for two processes: every file operation is a real system call.
const dir = mkdtempSync(join(tmpdir(), "asya-state-conformance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStateStoreConformance("file", { create: async () => createFileStateStore({ dir }) });
