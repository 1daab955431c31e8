/** Where claimed payloads live: an S3 bucket, a directory, a GCS bucket, under one prefix. */
export interface ClaimStore {
  /** `s3`, `file`, `gcs`, or a custom store's name (logs and errors). */
  readonly kind: string;
  /** The URI of the object `key` (a SHA-256 in hex). */
  uriOf(key: string): string;
  /**
   * The key of `uri` when it names an object of this store (its bucket or directory and prefix),
   * else `undefined`: a claim elsewhere is refused, never fetched.
   */
  keyOf(uri: string): string | undefined;
  /**
   * Stores `body` under `key` unless an object of the same size is there already (keys are
   * content-addressed: the same key is the same content). Idempotent.
   * @throws ClaimCheckError `UNAVAILABLE`, `INVALID_CONFIG` or `BACKEND_ERROR`.
   */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /**
   * The object's bytes, read into one buffer; more than `maxBytes` is refused as `CORRUPT`
   * without reading the rest.
   * @throws ClaimCheckError `NOT_FOUND`, `CORRUPT`, `UNAVAILABLE`, `INVALID_CONFIG` or `BACKEND_ERROR`.
   */
  get(key: string, maxBytes: number): Promise<Uint8Array>;
  /** Releases connections. */
  close?(): Promise<void>;
}
