export type Role = 'user' | 'admin';

/** Who is calling, from a verified access token. */
export interface AuthUser {
  id: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}
