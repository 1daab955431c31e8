/** The undecodable body of a rejected message, kept whole in the terminal envelope's payload. */
export interface RawBodyPayload {
  /** `"utf8"` when `body` is the text itself, `"base64"` when the bytes were not valid UTF-8. */
  readonly encoding: "utf8" | "base64";
  readonly body: string;
  /** Size of the original body in bytes. */
  readonly bytes: number;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Keeps the original bytes: as text when valid UTF-8, else as base64. */
export function rawBodyPayload(body: Uint8Array): RawBodyPayload {
  try {
    return { encoding: "utf8", body: strictDecoder.decode(body), bytes: body.byteLength };
  } catch {
    return { encoding: "base64", body: Buffer.from(body).toString("base64"), bytes: body.byteLength };
  }
}

/** Decodes a {@link RawBodyPayload} back to the original bytes. */
export function rawBodyBytes(payload: RawBodyPayload): Uint8Array {
  return payload.encoding === "base64"
    ? new Uint8Array(Buffer.from(payload.body, "base64"))
    : new TextEncoder().encode(payload.body);
}

/** Best-effort id of an unparseable body: its `"id"` field when it is JSON with one. */
export function salvageId(body: Uint8Array): string | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(body));
    if (value !== null && typeof value === "object" && "id" in value) {
      const id = (value as { id: unknown }).id;
      if (typeof id === "string" && id !== "" && id.length <= 256) return id;
    }
  } catch {
    // not JSON: no id to keep
  }
  return undefined;
}
