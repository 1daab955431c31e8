/**
 * Credential redaction for AMQP URLs and free text. Every message and log line the adapter
 * produces goes through these functions, so a password in `url` never leaves the process.
 */

const URL_CREDENTIALS = /\b(amqps?|https?):\/\/[^\s@]*@/gi;

/**
 * Returns `url` with its user name and password replaced by `***`.
 *
 * @example
 * redactUrl("amqp://app:s3cret@rabbit:5672/prod"); // "amqp://***:***@rabbit:5672/prod"
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    parsed.username = "***";
    if (parsed.password !== "") parsed.password = "***";
  }
  return parsed.toString();
}

/**
 * Removes credentials from free text: the userinfo part of any `amqp(s)://` / `http(s)://` URL, and
 * every literal occurrence of the given secrets (raw and URL-encoded).
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_CREDENTIALS, (_match, scheme: string) => `${scheme}://***@`);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join("***");
    }
  }
  return out;
}

/** The password (decoded) of an AMQP URL, or `undefined` when it has none or does not parse. */
export function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === "" ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
