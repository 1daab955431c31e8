/**
 * A body as stored by the memory broker. Small bodies are kept as one-byte (latin1) strings: V8
 * stores those inline on the heap at 1 byte per byte, about a third of the footprint of a small
 * ArrayBuffer with its off-heap backing store, which matters with a million queued messages.
 * Large bodies stay ArrayBuffers (V8 caps string length, and copying them is cheap anyway).
 */
export type PackedBody = string | ArrayBuffer;

const STRING_LIMIT_BYTES = 64 * 1024;

/** Copy `body` into its stored form. */
export function packBody(body: Uint8Array): PackedBody {
  if (body.byteLength <= STRING_LIMIT_BYTES) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  }
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}

/** A fresh `Uint8Array` copy of a stored body. */
export function unpackBody(packed: PackedBody): Uint8Array {
  if (typeof packed !== "string") return new Uint8Array(packed.slice(0));
  const buffer = Buffer.from(packed, "latin1");
  // A plain Uint8Array (not a Buffer) so consumers see the same type from every transport.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
