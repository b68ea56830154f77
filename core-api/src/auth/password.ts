import argon2 from 'argon2';

/**
 * argon2id with OWASP's baseline cost (19 MiB, 2 passes, 1 lane): about 20-30 ms here, run on
 * libuv's thread pool so the event loop keeps serving.
 */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, options);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A real hash of a random password, verified against when the account does not exist so
 * that a login for an unknown email costs the same time as a wrong password. */
export const dummyHash: Promise<string> = hashPassword(crypto.randomUUID());
