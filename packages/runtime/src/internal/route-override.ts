import { HEADER_ROUTE_OVERRIDE } from "@asya/envelope";

/**
 * The `x-asya-route-override` map (actor -> actor), accepted as an object or a JSON string.
 * Invalid values are ignored (an empty map).
 */
export function routeOverrides(
  headers: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  let raw = headers?.[HEADER_ROUTE_OVERRIDE];
  if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return {};
  const map: Record<string, string> = {};
  for (const [from, to] of Object.entries(raw)) if (typeof to === "string" && to !== "") map[from] = to;
  return map;
}

/** The actor that really receives envelopes addressed to `actor`. */
export function resolveActor(actor: string, headers: Readonly<Record<string, unknown>> | undefined): string {
  return routeOverrides(headers)[actor] ?? actor;
}
