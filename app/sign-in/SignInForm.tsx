'use client';

import { useActionState, useEffect, useState } from 'react';
import { signInAction, type SignInState } from './actions';

/** Email and password; "Create account" adds a name. Works before hydration (a plain form post). */
export function SignInForm({ signUpOpen, minPasswordLength }: { signUpOpen: boolean; minPasswordLength: number }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  const [signUp, setSignUp] = useState(false);
  // Signed up: sign in next.
  useEffect(() => {
    if (state.notice) setSignUp(false);
  }, [state]);
  return (
    <form action={action} className="sign-in">
      <input type="hidden" name="intent" value={signUp ? 'sign-up' : 'sign-in'} />
      {signUp && (
        <label>
          Name
          <input name="name" autoComplete="name" required maxLength={100} defaultValue={state.name} />
        </label>
      )}
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required maxLength={254} defaultValue={state.email} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete={signUp ? 'new-password' : 'current-password'}
          required
          minLength={signUp ? minPasswordLength : undefined}
          maxLength={256}
        />
      </label>
      {state.notice && (
        <p role="status">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p role="alert" className="error">
          {state.error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {signUp ? 'Create account' : 'Sign in'}
      </button>
      {signUpOpen && (
        <button type="button" className="link" onClick={() => setSignUp(!signUp)}>
          {signUp ? 'I have an account: sign in' : 'New here? Create an account'}
        </button>
      )}
    </form>
  );
}
