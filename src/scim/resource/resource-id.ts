// Resource ids are UUIDs; anything else cannot name a stored resource (and must not reach a ::uuid cast).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isResourceId(value: string): boolean {
  return UUID.test(value);
}
