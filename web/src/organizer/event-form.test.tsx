import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { EventForm, emptyEventForm, formToBody } from './event-form.js';

describe('EventForm', () => {
  it('sends typed values: tags split, local times as instants, numbers as numbers', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    render(<EventForm initial={emptyEventForm} submitLabel="Create draft" onSubmit={onSubmit} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Title'), 'Rooftop Jazz');
    await user.type(screen.getByLabelText('Category'), 'music');
    await user.type(screen.getByLabelText(/^Tags/), 'jazz, live ,');
    await user.type(screen.getByLabelText('Starts'), '2030-06-01T19:00');
    await user.type(screen.getByLabelText('Ends'), '2030-06-01T22:00');
    await user.type(screen.getByLabelText('Venue'), 'The Roof');
    await user.type(screen.getByLabelText('City'), 'Lyon');
    await user.type(screen.getByLabelText('Latitude'), '45.76');
    await user.type(screen.getByLabelText('Longitude'), '4.83');
    await user.clear(screen.getByLabelText('Capacity'));
    await user.type(screen.getByLabelText('Capacity'), '2');
    await user.click(screen.getByRole('button', { name: 'Create draft' }));
    expect(onSubmit).toHaveBeenCalledWith({
      title: 'Rooftop Jazz',
      description: '',
      category: 'music',
      tags: ['jazz', 'live'],
      startsAt: new Date('2030-06-01T19:00').toISOString(),
      endsAt: new Date('2030-06-01T22:00').toISOString(),
      venue: { name: 'The Roof', city: 'Lyon', lat: 45.76, lon: 4.83 },
      capacity: 2,
    });
  });

  it('shows the API validation messages next to their fields and focuses the first one', async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError(400, {
        type: 'x',
        title: 'Invalid request',
        status: 400,
        code: 'validation',
        errors: [
          { path: 'body.title', message: 'Too small: expected string to have >=3 characters' },
          { path: 'body.venue.city', message: 'Too small: expected string to have >=1 characters' },
          { path: 'body.endsAt', message: 'must be after startsAt' },
        ],
      }),
    );
    render(<EventForm initial={emptyEventForm} submitLabel="Create draft" onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Create draft' }));
    const title = screen.getByLabelText('Title');
    expect(title).toHaveAttribute('aria-invalid', 'true');
    expect(title).toHaveAccessibleDescription(/expected string to have >=3 characters/);
    expect(screen.getByLabelText('City')).toHaveAccessibleDescription(/>=1 characters/);
    expect(screen.getByLabelText('Ends')).toHaveAccessibleDescription('must be after startsAt');
    expect(screen.getByLabelText('Venue')).not.toHaveAttribute('aria-invalid');
    await vi.waitFor(() => expect(title).toHaveFocus());
  });

  it('shows a failure that is not about a field as a form-level alert', async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError(503, {
        type: 'x',
        title: 'Unavailable',
        status: 503,
        detail: 'Try again shortly',
      }),
    );
    render(<EventForm initial={emptyEventForm} submitLabel="Save" onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Try again shortly');
  });

  it('leaves an empty number for the API to refuse rather than guessing a value', () => {
    const body = formToBody({ ...emptyEventForm, lat: '', capacity: 'x' });
    expect(body.venue.lat).toBeNaN();
    expect(body.capacity).toBeNaN();
  });
});
