/**
 * A key spelled literally as one of the forbidden names. JSON.stringify never escapes `_` or a-z,
 * so in our own output this is the only way such a key can appear.
 */
const FORBIDDEN_LITERAL = /"(?:__proto__|constructor|prototype)"/;

/**
 * {@link FORBIDDEN_LITERAL} without its opening quote: it matches whenever that one does, and V8 scans
 * for it about four times faster (a leading `"` is the most common character of JSON text, so every
 * one of them starts a match attempt), so the exact pattern only runs when this one has a hit.
 */
const FORBIDDEN_NAME_THEN_QUOTE = /(?:__proto__|constructor|prototype)"/;

/**
 * A `\u` escape of `_` or a lower-case letter (`\u005f`, `\u0061`-`\u007a`): the only escapes that
 * can spell a forbidden key without it appearing literally.
 */
const KEY_CHAR_ESCAPE = /\\u00(?:5[fF]|6[1-9a-fA-F]|7[0-9aA])/;

/** The prefix every {@link KEY_CHAR_ESCAPE} match starts with; `includes` finds it cheaply. */
const ESCAPE_PREFIX = "\\u00";

/**
 * Whether {@link FORBIDDEN_LITERAL} or {@link KEY_CHAR_ESCAPE} matches `text`. Each exact pattern only
 * runs after a cheaper scan that any of its matches must also pass, so the verdict is the same.
 */
function mayHaveForbiddenKey(text: string): boolean {
  return (
    (FORBIDDEN_NAME_THEN_QUOTE.test(text) && FORBIDDEN_LITERAL.test(text)) ||
    (text.includes(ESCAPE_PREFIX) && KEY_CHAR_ESCAPE.test(text))
  );
}

/**
 * Whether the JSON `text` might contain a forbidden key or nest deeper than `maxDepth`, i.e. whether
 * the value it was serialized from must be walked. Cheap string scans only: nesting depth can never
 * exceed the number of `{` and `[` characters, so short documents are decided without a walk. A
 * `true` is not a verdict, only "look closer". Used on our own output, where the value walked may
 * hold what JSON.stringify leaves out (`toJSON`, `undefined` members), so the rule stays this one.
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
  return mayHaveForbiddenKey(text);
}

/**
 * Whether valid JSON `text` may nest deeper than `maxDepth`. Of a chain of nested containers, those
 * opened before position `p` are at most the `{`/`[` characters there (`counted`), and each one
 * opened at or after `p` needs two characters (opener and closer) of the remaining `length - p`. So
 * once `counted + (length - p) / 2 <= maxDepth` the rest of the text cannot matter: a 1 KiB envelope
 * is decided after its first dozen brackets instead of all of them.
 */
function mayNestDeeperThan(text: string, maxDepth: number): boolean {
  const length = text.length;
  let counted = 0;
  let position = 0;
  let brace = text.indexOf("{");
  let bracket = text.indexOf("[");
  while (counted + ((length - position) >> 1) > maxDepth) {
    if (brace === -1 && bracket === -1) return counted > maxDepth;
    if (bracket === -1 || (brace !== -1 && brace < bracket)) {
      position = brace + 1;
      brace = text.indexOf("{", position);
    } else {
      position = bracket + 1;
      bracket = text.indexOf("[", position);
    }
    if (++counted > maxDepth) return true;
  }
  return false;
}

/**
 * {@link mayBeUnsafe} for text that `JSON.parse` has just turned into the value to walk: the text is
 * then the whole truth about that value, so a tighter depth bound decides the same as counting every
 * bracket (the walk would find nothing either way). Same answer for forbidden keys.
 */
export function mayBeUnsafeJson(text: string, maxDepth: number): boolean {
  return mayNestDeeperThan(text, maxDepth) || mayHaveForbiddenKey(text);
}
