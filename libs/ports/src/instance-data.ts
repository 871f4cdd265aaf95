/** The application's data name for instance 0: its PostgreSQL database and (with `:`) its Redis key prefix. */
export const APP_DATA_NAME = 'hypernode';

/**
 * The PostgreSQL database of an instance: `hypernode` for instance 0 (a single checkout keeps
 * today's data), `hypernode_<n>` otherwise, so side-by-side checkouts never share rows.
 */
export function instanceDatabaseName(instance: number): string {
  return instance === 0 ? APP_DATA_NAME : `${APP_DATA_NAME}_${instance}`;
}

/**
 * The Redis key prefix of an instance (every key, stream and BullMQ queue of its apps lives
 * under it): `hypernode:` for instance 0, `hypernode_<n>:` otherwise — the database's name, so
 * no instance's prefix is the start of another's and `<prefix>*` matches one instance's keys only.
 */
export function instanceRedisPrefix(instance: number): string {
  return `${instanceDatabaseName(instance)}:`;
}
