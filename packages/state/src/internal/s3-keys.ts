import { createHash } from "node:crypto";
import { decodeKey, encodeKey } from "./key-codec.js";

/** S3's limit on an object key, in UTF-8 bytes. */
const MAX_OBJECT_KEY_BYTES = 1024;
/** `.` (never in an encoded key) plus a SHA-256 in hex: the tail of a hashed name. */
const HASH_TAIL = 1 + 64;

/**
 * Object names of keys: `prefix` + the key encoded (key-codec.ts: no `.`, `/` or characters S3
 * handles badly). A name over S3's 1024 bytes keeps its first part (so prefix listings still find
 * it) and ends in `.` + the SHA-256 of the key; the key itself is then read from the object.
 */
export interface S3KeyNames {
  objectKey(key: string): string;
  /** The listing prefix of keys starting with `keyPrefix` (cut to what hashed names keep). */
  listPrefix(keyPrefix: string): string;
  /** The key of a listed object, `"hashed"` when only the object knows it, `undefined` when not ours. */
  keyOf(objectKey: string): string | "hashed" | undefined;
}

/** @param prefix at most 512 bytes (the factory checks it), which leaves room for the names. */
export function s3KeyNames(prefix: string): S3KeyNames {
  const room = MAX_OBJECT_KEY_BYTES - Buffer.byteLength(prefix, "utf8") - HASH_TAIL;
  return {
    objectKey(key) {
      const encoded = encodeKey(key);
      if (encoded.length <= room + HASH_TAIL) return prefix + encoded;
      return `${prefix}${encoded.slice(0, room)}.${createHash("sha256").update(key, "utf8").digest("hex")}`;
    },
    listPrefix(keyPrefix) {
      return prefix + encodeKey(keyPrefix).slice(0, room);
    },
    keyOf(objectKey) {
      if (!objectKey.startsWith(prefix)) return undefined;
      const name = objectKey.slice(prefix.length);
      if (/^[^.]*\.[0-9a-f]{64}$/.test(name)) return "hashed";
      return decodeKey(name);
    },
  };
}
