/** Keys a store wrote lately, oldest first, at most `maxKeys`. */
export interface RecentKeys {
  /** Whether `key` was remembered less than `freshMs` ago. */
  fresh(key: string): boolean;
  remember(key: string): void;
}

export function recentKeys(freshMs: number, maxKeys = 10_000): RecentKeys {
  const at = new Map<string, number>();
  return {
    fresh(key) {
      const when = at.get(key);
      return when !== undefined && Date.now() - when < freshMs;
    },
    remember(key) {
      at.delete(key);
      at.set(key, Date.now());
      if (at.size > maxKeys) at.delete(at.keys().next().value as string);
    },
  };
}
