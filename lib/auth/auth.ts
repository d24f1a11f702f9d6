import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { nextCookies } from 'better-auth/next-js';
import { db } from '../db/client';
import { sharedSettings } from './mode';

/** Passwords shorter than this are refused at sign-up. */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Accounts for shared mode, through Better Auth and its Prisma adapter:
 * email and password (no outside identity provider), sessions in the
 * database behind an httpOnly, SameSite=Lax cookie (Secure when the server's
 * URL is https), its endpoints rate-limited.
 */
function createAuth() {
  const settings = sharedSettings();
  return betterAuth({
    database: prismaAdapter(db(), { provider: 'sqlite' }),
    secret: settings.secret,
    baseURL: settings.baseURL,
    // No sign-in at sign-up: Better Auth then answers a sign-up for a registered email as it answers a new one (and hashes its password
    // alike), so sign-up does not tell who has an account. The new user signs in next.
    emailAndPassword: { enabled: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: 256, disableSignUp: settings.signUp === 'closed', autoSignIn: false },
    // Keyed on X-Forwarded-For, which the gate (app/_lib/gate.ts) sets to the client's real address. Password checks are limited by
    // address and account on every path, server actions included, by lib/auth/attempts.ts; this is Better Auth's own for its endpoints.
    rateLimit: { enabled: true, window: 60, max: 100, customRules: { '/sign-in/email': { window: 60, max: 10 }, '/sign-up/email': { window: 60, max: 10 } } },
    telemetry: { enabled: false },
    // Last: it writes the cookies of sign-in and sign-out made from server actions.
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const holder = globalThis as unknown as { netloomAuth?: Auth };

/** The one Better Auth instance (created on first use, in shared mode only). */
export function auth(): Auth {
  holder.netloomAuth ??= createAuth();
  return holder.netloomAuth;
}
