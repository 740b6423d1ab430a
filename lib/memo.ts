// Promise caches of the facade (static driver answers, one Device per index).

/** Caches a promise under key; a rejected promise is dropped so the next call asks again. */
export function memo<K, V>(map: Map<K, Promise<V>>, key: K, fetch: () => Promise<V>): Promise<V> {
  let p = map.get(key);
  if (!p) {
    p = fetch();
    map.set(key, p);
    p.catch(() => {
      if (map.get(key) === p) map.delete(key);
    });
  }
  return p;
}
