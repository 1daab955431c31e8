/**
 * A key spelled literally as one of the forbidden names. JSON.stringify never escapes `_` or a-z,
 * so in our own output this is the only way such a key can appear.
 */
const FORBIDDEN_LITERAL = /"(?:__proto__|constructor|prototype)"/;

/**
 * A `\u` escape of `_` or a lower-case letter (`\u005f`, `\u0061`-`\u007a`): the only escapes that
 * can spell a forbidden key without it appearing literally.
 */
const KEY_CHAR_ESCAPE = /\\u00(?:5[fF]|6[1-9a-fA-F]|7[0-9aA])/;

/**
 * Whether the JSON `text` might contain a forbidden key or nest deeper than `maxDepth`, i.e. whether
 * the parsed value must be walked. Cheap string scans only: nesting depth can never exceed the number
 * of `{` and `[` characters, so short documents are decided without a walk. A `true` is not a
 * verdict, only "look closer".
 */
export function mayBeUnsafe(text: string, maxDepth: number): boolean {
  // Counting first: a document with many containers needs the walk anyway, and the walk checks keys
  // too, so the regex scans below are skipped for it.
  let openers = 0;
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) {
    if (++openers > maxDepth) return true;
  }
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) {
    if (++openers > maxDepth) return true;
  }
  return FORBIDDEN_LITERAL.test(text) || KEY_CHAR_ESCAPE.test(text);
}
