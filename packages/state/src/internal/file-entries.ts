import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { StateStoreError } from "../state-error.js";
import { parseEntry, type StoredEntry } from "./entry-json.js";
import { decodeKey, encodeKey } from "./key-codec.js";

/**
 * Where an entry lives: its encoded key (see key-codec.ts) in segments of 200 characters, all but
 * the last one directories, plus `.json`. Most keys are one file in the top directory; a long key
 * (up to 512 characters of up to 9 encoded characters each) nests, because a file name has at most
 * 255 bytes. Encoded names never contain `.`, so `.json`, `.lock` and `.tmp-*` cannot collide.
 */
export function entryPath(dir: string, storedKey: string): string {
  const name = encodeKey(storedKey);
  const segments: string[] = [];
  for (let at = 0; at < name.length; at += SEGMENT) segments.push(name.slice(at, at + SEGMENT));
  return `${join(dir, ...segments)}.json`;
}

const SEGMENT = 200;
const DIRECTORY_NAME = /^[a-z0-9_%A-F-]{200}$/;

/** The entry at `path`, or `undefined` when there is no file (whether it is live is the caller's call). */
export async function readEntry(path: string): Promise<StoredEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return parseEntry(text);
  } catch (error) {
    throw new StateStoreError(`entry file ${path} is not a state entry (written by something else?)`, {
      code: "BACKEND_ERROR",
      cause: error,
    });
  }
}

/**
 * Writes `content` to a new temp file next to `path` (flushed to disk when `fsync`), ready to be
 * renamed over it: a rename within one directory is atomic, so readers see the old file or the new
 * one, never a part.
 */
export async function writeTemp(path: string, content: string, fsync: boolean): Promise<string> {
  const temp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(temp), { recursive: true });
    handle = await open(temp, "wx");
  }
  try {
    await handle.writeFile(content, "utf8");
    if (fsync) await handle.datasync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Paths and keys of the entry files whose stored key starts with `storedPrefix`. */
export async function listEntryFiles(
  dir: string,
  storedPrefix: string,
): Promise<{ readonly storedKey: string; readonly path: string }[]> {
  const wanted = encodeKey(storedPrefix);
  const found: { storedKey: string; path: string }[] = [];
  const walk = async (path: string, above: string): Promise<void> => {
    let names: Dirent[];
    try {
      names = await readdir(path, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const nested: Promise<void>[] = [];
    for (const entry of names) {
      if (entry.isFile() && entry.name.endsWith(".json")) {
        const name = above + entry.name.slice(0, -".json".length);
        const storedKey = name.startsWith(wanted) ? decodeKey(name) : undefined;
        if (storedKey !== undefined) found.push({ storedKey, path: join(path, entry.name) });
      } else if (entry.isDirectory() && DIRECTORY_NAME.test(entry.name)) {
        const name = above + entry.name;
        if (name.startsWith(wanted) || wanted.startsWith(name))
          nested.push(walk(join(path, entry.name), name));
      }
    }
    await Promise.all(nested);
  };
  await walk(dir, "");
  return found;
}
