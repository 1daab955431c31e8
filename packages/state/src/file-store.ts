import { access, constants, mkdir, rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { createClosedGate } from "./internal/closed-gate.js";
import { entryJson, isLive } from "./internal/entry-json.js";
import { entryPath, listEntryFiles, readEntry, writeTemp } from "./internal/file-entries.js";
import { acquireFileLock, tryFileLock } from "./internal/file-lock.js";
import { encodeValue, sortedKeys } from "./internal/json-value.js";
import { checkUtf8Key } from "./internal/key-codec.js";
import { parseOptions } from "./internal/parse-options.js";
import { checkLimit, checkTtl, StateStoreError } from "./state-error.js";
import type { JsonValue, PutOptions, StateStore } from "./state-store.js";

/** zod schema of {@link FileStateStoreOptions} (validated once in the factory). */
export const fileStateStoreOptionsSchema = z.strictObject({
  /** Directory of the entry files (one per key); created when missing. Relative to the working directory. */
  dir: z.string().min(1, "is required"),
  /** Prepended to every key, so stores can share a directory without seeing each other. @default "" */
  prefix: z.string().default(""),
  /** Flush each write to disk before it resolves (entries survive a power loss). @default true */
  fsync: z.boolean().default(true),
});

/** Options of {@link createFileStateStore}. */
export type FileStateStoreOptions = z.input<typeof fileStateStoreOptionsSchema>;

/**
 * A store in a local directory: one JSON file per key (`{ key, expires_at, value }`, the key encoded
 * into a safe file name), written to a temp file and renamed into place. `putIfAbsent` and `put`
 * take a per-key lock file (created with O_EXCL), so they are atomic between the processes of one
 * machine that share the directory, not between machines (NFS and other network file systems are
 * not supported). Expired files are removed when a read meets them.
 *
 * @throws StateStoreError `INVALID_CONFIG` for bad options.
 * @example
 * ```ts
 * const store = createFileStateStore({ dir: "/var/lib/asya/state" });
 * if (await store.putIfAbsent("merge/task-1", { by: "worker-a" }, { ttlMs: 60_000 })) {
 *   // this process merges task-1
 * }
 * ```
 */
export function createFileStateStore(options: FileStateStoreOptions): StateStore {
  const {
    dir: relativeDir,
    prefix,
    fsync,
  } = parseOptions(fileStateStoreOptionsSchema, options, "file store");
  const dir = resolve(relativeDir);
  const gate = createClosedGate("file");
  const pathOf = (key: string) => {
    gate.check();
    checkUtf8Key(key);
    return entryPath(dir, prefix + key);
  };
  // Removes an entry that expired, under its lock, so a concurrent re-creation is never deleted.
  const reap = async (path: string) => {
    const lock = await tryFileLock(`${path}.lock`).catch(() => undefined);
    if (lock === undefined) return;
    try {
      const entry = await readEntry(path);
      if (entry !== undefined && !isLive(entry)) await rm(path, { force: true });
    } finally {
      await lock.release();
    }
  };
  const content = (key: string, value: JsonValue, opts: PutOptions | undefined) => {
    checkTtl(opts?.ttlMs);
    return entryJson(key, encodeValue(value), opts?.ttlMs);
  };

  return {
    kind: "file",
    get: (key) =>
      withFsErrors(async () => {
        const path = pathOf(key);
        const entry = await readEntry(path);
        if (isLive(entry)) return entry.value;
        if (entry !== undefined) await reap(path);
        return undefined;
      }),
    putIfAbsent: (key, value, opts) =>
      withFsErrors(async () => {
        const path = pathOf(key);
        const json = content(key, value, opts);
        if (isLive(await readEntry(path))) return false;
        const temp = await writeTemp(path, json, fsync);
        let renamed = false;
        try {
          // Waiting for the lock ends early once the entry is live: someone else won.
          const lock = await acquireFileLock(`${path}.lock`, async () => isLive(await readEntry(path)));
          if (lock === undefined) return false;
          try {
            if (isLive(await readEntry(path))) return false;
            await rename(temp, path);
            renamed = true;
            return true;
          } finally {
            await lock.release();
          }
        } finally {
          if (!renamed) await rm(temp, { force: true });
        }
      }),
    put: (key, value, opts) =>
      withFsErrors(async () => {
        const path = pathOf(key);
        const temp = await writeTemp(path, content(key, value, opts), fsync);
        try {
          // Under the lock too: a putIfAbsent that decided "absent" must not rename over this write.
          const lock = await acquireFileLock(`${path}.lock`);
          try {
            await rename(temp, path);
          } finally {
            await lock?.release();
          }
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
      }),
    delete: (key) =>
      withFsErrors(async () => {
        await rm(pathOf(key), { force: true });
      }),
    listByPrefix: (keyPrefix, opts) =>
      withFsErrors(async () => {
        gate.check();
        checkLimit(opts?.limit);
        const files = await listEntryFiles(dir, prefix + keyPrefix);
        const live = await mapLimited(files, 32, async ({ storedKey, path }) => {
          const entry = await readEntry(path);
          if (isLive(entry)) return storedKey.slice(prefix.length);
          if (entry !== undefined) await reap(path);
          return undefined;
        });
        return sortedKeys(
          live.filter((key) => key !== undefined),
          opts?.limit,
        );
      }),
    async ready() {
      if (gate.closed) return false;
      try {
        await mkdir(dir, { recursive: true });
        await access(dir, constants.R_OK | constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      gate.close();
    },
  };
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** File-system errors as StateStoreErrors: a full disk is retryable, a denied or too long path is not. */
async function withFsErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof StateStoreError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const message = `file store: ${(error as Error).message}`;
    if (code === "ENAMETOOLONG")
      throw new StateStoreError(message, { code: "INVALID_ARGUMENT", field: "key", cause: error });
    if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOTDIR") {
      throw new StateStoreError(message, { code: "INVALID_CONFIG", field: "dir", cause: error });
    }
    const transient = ["ENOSPC", "EMFILE", "ENFILE", "EBUSY", "EAGAIN", "EIO"].includes(code);
    throw new StateStoreError(message, { code: transient ? "UNAVAILABLE" : "BACKEND_ERROR", cause: error });
  }
}
