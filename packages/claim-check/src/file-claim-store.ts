import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ClaimCheckError } from "./claim-check-error.js";
import type { ClaimStore } from "./claim-store.js";
import { keyAfter, normalizePrefix } from "./internal/keys.js";

/** Options of {@link createFileClaimStore}. */
export interface FileClaimStoreOptions {
  /** The directory (shared by every actor that reads the claims: a volume). */
  readonly dir: string;
  /** A sub-directory for the objects. @default "asya-claims" */
  readonly prefix?: string;
  /**
   * A put of a file that is there already and older than this touches it, so an age-based cleanup
   * (`find -mtime`) does not remove a payload a new envelope points at. @default 86400000 (one day)
   */
  readonly refreshAfterMs?: number;
}

/** Sorts a file-system error: missing is `NOT_FOUND`, refused access `INVALID_CONFIG`, else `UNAVAILABLE`. */
function classify(error: unknown, path: string): ClaimCheckError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return new ClaimCheckError(`${path} does not exist`, { code: "NOT_FOUND", cause: error });
  if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOTDIR") {
    return new ClaimCheckError(`${path}: ${code}`, { code: "INVALID_CONFIG", field: "dir", cause: error });
  }
  return new ClaimCheckError(`${path}: ${code ?? String(error)}`, { code: "UNAVAILABLE", cause: error });
}

/**
 * Claims as files `<dir>/<prefix>/<sha256>`, URIs `file://<dir>/<prefix>/<sha256>`. Writes go to a
 * temporary file renamed into place, so a reader never sees half an object.
 */
export function createFileClaimStore(options: FileClaimStoreOptions): ClaimStore {
  if (typeof options.dir !== "string" || options.dir.length === 0) {
    throw new ClaimCheckError("the file store needs a directory (ASYA_CLAIM_CHECK_DIR)", {
      code: "INVALID_CONFIG",
      field: "dir",
    });
  }
  const prefix = normalizePrefix(options.prefix ?? "asya-claims");
  const base = join(resolve(options.dir), prefix);
  const baseUri = `${pathToFileURL(base).href.replace(/\/$/, "")}/`;
  const pathOf = (key: string) => join(base, key);
  const refreshAfterMs = options.refreshAfterMs ?? 86_400_000;
  return {
    kind: "file",
    uriOf: (key) => `${baseUri}${key}`,
    keyOf: (uri) => keyAfter(uri, baseUri),
    async put(key, body) {
      const path = pathOf(key);
      try {
        const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return undefined;
          throw error;
        });
        if (existing?.size === body.byteLength) {
          if (Date.now() - existing.mtimeMs >= refreshAfterMs) {
            const now = new Date();
            await utimes(path, now, now);
          }
          return;
        }
        await mkdir(base, { recursive: true });
        const temporary = join(base, `.${key}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
        try {
          await writeFile(temporary, body);
          await rename(temporary, path);
        } catch (error) {
          await rm(temporary, { force: true });
          throw error;
        }
      } catch (error) {
        throw classify(error, path);
      }
    },
    async get(key, maxBytes) {
      const path = pathOf(key);
      try {
        const file = await open(path, "r");
        try {
          const { size } = await file.stat();
          if (size > maxBytes) {
            throw new ClaimCheckError(`${path} has ${size} bytes, the claim says ${maxBytes}`, {
              code: "CORRUPT",
              field: "bytes",
            });
          }
          const body = Buffer.allocUnsafe(size);
          let offset = 0;
          while (offset < size) {
            const { bytesRead } = await file.read(body, offset, size - offset, offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
          }
          return offset === size ? body : body.subarray(0, offset);
        } finally {
          await file.close();
        }
      } catch (error) {
        if (error instanceof ClaimCheckError) throw error;
        throw classify(error, path);
      }
    },
  };
}
