// Invariants crash loudly (TigerBeetle style): a broken invariant means keel's picture of the
// account is wrong, and acting on a wrong picture is how the incidents in shared/incidents happened.
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** For exhaustive switches: the compiler proves this is unreachable; at runtime it crashes. */
export function unreachable(value: never, what: string): never {
  throw new InvariantError(`unreachable ${what}: ${JSON.stringify(value)}`);
}
