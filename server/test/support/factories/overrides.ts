/**
 * What every factory takes: any of the row's own fields (relations as entities), each replacing the
 * factory's default. A parent left out is built by the parent's own factory. `id?: never` makes passing
 * an entity where overrides belong (`createCadre(em, unit)`) a type error instead of a silent default.
 */
export type Overrides<T> = Partial<Omit<T, 'id'>> & { id?: never };

let lastSerial = 0;

/** A number no other row of this test process got: keeps codes, names and usernames unique by default. */
export function serial(): number {
  lastSerial += 1;
  return lastSerial;
}
