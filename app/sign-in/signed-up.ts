/** What sign-up answers, made or not: it must not tell whether the email already had an account. (Not in actions.ts: a 'use server' module exports only actions.) */
export const SIGNED_UP = 'Done: sign in with your email and password. (If this email already had an account, it is unchanged: use its password.)';
