import { useRef, useState, type FormEvent } from 'react';
import type { ReactNode } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/api-error.js';
import { useServices, useSession } from '../app/services.js';
import { FormField, useFocusOnRefusal } from '../ui/form-field.js';
import { Page } from '../ui/page.js';

/** Only same-site paths, so `?next=` cannot send anyone elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function useAuthForm<T extends Record<string, string>>(
  initial: T,
  action: (values: T) => Promise<unknown>,
) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const refused = useFocusOnRefusal(form);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setErrors({});
    setFormError(undefined);
    try {
      await action(values);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error));
      setPending(false);
      refused();
    }
  };
  const bind = (name: keyof T & string) => ({
    name,
    value: values[name],
    error: errors[name],
    onChange: (e: { target: { value: string } }) =>
      setValues({ ...values, [name]: e.target.value }),
  });
  return { form, onSubmit, bind, formError, pending };
}

function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert" tabIndex={-1}>
      {message}
    </p>
  );
}

export function LoginPage() {
  const { session } = useServices();
  const state = useSession();
  const [params] = useSearchParams();
  const { form, onSubmit, bind, formError, pending } = useAuthForm(
    { email: '', password: '' },
    (v) => session.logIn(v),
  );
  if (state.status === 'signed-in' && !pending)
    return <Navigate to={safeNext(params.get('next'))} replace />;
  return (
    <Page title="Log in" className="narrow">
      <form ref={form} onSubmit={onSubmit} noValidate className="form">
        <FormError message={formError} />
        <FormField label="Email" type="email" autoComplete="email" {...bind('email')} />
        <FormField
          label="Password"
          type="password"
          autoComplete="current-password"
          {...bind('password')}
        />
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here?{' '}
        <Link to={`/signup${params.size ? `?${params.toString()}` : ''}`}>Create an account</Link>
      </p>
    </Page>
  );
}

export function SignUpPage() {
  const { session } = useServices();
  const state = useSession();
  const [params] = useSearchParams();
  const { form, onSubmit, bind, formError, pending } = useAuthForm(
    { name: '', email: '', password: '' },
    (v) => session.signUp(v),
  );
  if (state.status === 'signed-in' && !pending)
    return <Navigate to={safeNext(params.get('next'))} replace />;
  return (
    <Page title="Sign up" heading="Create your account" className="narrow">
      <form ref={form} onSubmit={onSubmit} noValidate className="form">
        <FormError message={formError} />
        <FormField label="Name" autoComplete="name" {...bind('name')} />
        <FormField label="Email" type="email" autoComplete="email" {...bind('email')} />
        <FormField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          {...bind('password')}
        />
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Creating your account…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <Link to={`/login${params.size ? `?${params.toString()}` : ''}`}>Log in</Link>
      </p>
    </Page>
  );
}

/** Routes for signed-in people: others go to the login page and come back after. */
export function RequireAuth({ children, role }: { children: ReactNode; role?: 'admin' }) {
  const state = useSession();
  const next =
    typeof window === 'undefined' ? '/' : window.location.pathname + window.location.search;
  if (state.status === 'restoring') return <p role="status">Checking your session…</p>;
  if (state.status === 'signed-out')
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  if (role && state.user.role !== role) {
    return (
      <Page title="Not allowed">
        <p>
          This page is for admins. <Link to="/">Back to Discover</Link>.
        </p>
      </Page>
    );
  }
  return <>{children}</>;
}
