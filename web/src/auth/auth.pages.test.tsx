import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeFetch, renderWithApp } from '../test/render.js';
import { SignUpPage, safeNext } from './auth.pages.js';

const user = {
  id: 'u1',
  email: 'a@example.com',
  name: 'Ada',
  role: 'user',
  createdAt: '2030-01-01T00:00:00Z',
};

describe('SignUpPage', () => {
  it('shows what the API refused next to each field', async () => {
    const api = fakeFetch({
      'POST /v1/auth/register': () => ({
        status: 400,
        body: {
          type: 'x',
          title: 'Invalid request',
          status: 400,
          errors: [
            {
              path: 'body.password',
              message: 'Too small: expected string to have >=10 characters',
            },
          ],
        },
      }),
    });
    renderWithApp(<SignUpPage />, { fetch: api.fetch });
    const u = userEvent.setup();
    await u.type(screen.getByLabelText('Name'), 'Ada');
    await u.type(screen.getByLabelText('Email'), 'a@example.com');
    await u.type(screen.getByLabelText(/^Password/), 'short');
    await u.click(screen.getByRole('button', { name: 'Sign up' }));
    const password = await screen.findByLabelText(/^Password/);
    await vi.waitFor(() => expect(password).toHaveFocus());
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription(/At least 10 characters.*>=10 characters/);
  });

  it('signs in and goes where the person was headed', async () => {
    const api = fakeFetch({
      'POST /v1/auth/register': () => ({ status: 201, body: { user, accessToken: 'token-1' } }),
    });
    const app = renderWithApp(<SignUpPage />, {
      fetch: api.fetch,
      path: '/?next=%2Fevents%2Fabc',
    });
    const u = userEvent.setup();
    await u.type(screen.getByLabelText('Name'), 'Ada');
    await u.type(screen.getByLabelText('Email'), 'a@example.com');
    await u.type(screen.getByLabelText(/^Password/), 'long enough password');
    await u.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByText('other page')).toBeInTheDocument();
    expect(app.router.state.location.pathname).toBe('/events/abc');
    expect(app.services.api.token).toBe('token-1');
    expect(app.services.session.current).toMatchObject({ status: 'signed-in', user });
  });
});

describe('safeNext', () => {
  it('only follows paths on this site', () => {
    expect(safeNext('/events/1')).toBe('/events/1');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
