import { HEADER_ROUTE_OVERRIDE, HEADER_ROUTE_RESOLVED } from "@asya/envelope";

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

/** One entry of the `x-asya-route-resolved` audit trail. */
export interface RouteResolution {
  readonly target: string;
  readonly by: string;
}

/**
 * Headers with the audit entry `{ [actor]: { target, by } }` added to `x-asya-route-resolved`,
 * keeping earlier hops' entries (an unreadable trail starts afresh, as Asya's sidecar does).
 */
export function withRouteResolved(
  headers: Readonly<Record<string, unknown>>,
  actor: string,
  resolution: RouteResolution,
): Record<string, unknown> {
  let trail = headers[HEADER_ROUTE_RESOLVED];
  if (typeof trail === "string") {
    try {
      trail = JSON.parse(trail);
    } catch {
      trail = undefined;
    }
  }
  const earlier = trail !== null && typeof trail === "object" && !Array.isArray(trail) ? trail : {};
  return { ...headers, [HEADER_ROUTE_RESOLVED]: { ...earlier, [actor]: { ...resolution } } };
}
