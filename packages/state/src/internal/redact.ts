/** `url` with its user name and password replaced by `***` (for messages; URLs are never logged whole). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username !== "") parsed.username = "***";
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** `text` without `url`, its password (raw and decoded) or any `scheme://user:pass@` part. */
export function redactText(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const { password } = new URL(url);
    for (const secret of new Set([password, decodeURIComponent(password)])) {
      if (secret.length > 0) out = out.split(secret).join("***");
    }
  } catch {
    // not a URL: nothing more to find
  }
  return out.replace(/\b([a-z][a-z0-9+.-]*):\/\/[^\s/@]*@/gi, "$1://***@");
}
