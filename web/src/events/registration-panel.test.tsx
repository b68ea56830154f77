import type { Registration } from '@platform/contracts';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { RegistrationPanel, type RegistrationPanelProps } from './registration-panel.js';

const eventId = '01a20008-0000-7000-8000-000000000001';
const future = new Date(Date.now() + 86_400_000).toISOString();
const event: RegistrationPanelProps['event'] = {
  id: eventId,
  status: 'published',
  startsAt: future,
  capacity: 2,
  confirmedCount: 0,
  waitlistCount: 0,
};
const registration = (status: Registration['status'], position: number | null): Registration => ({
  id: '01a20008-0000-7000-8000-0000000000aa',
  eventId,
  userId: '01a20008-0000-7000-8000-0000000000bb',
  status,
  position,
  createdAt: future,
  updatedAt: future,
});

function panel(props: Partial<RegistrationPanelProps>) {
  const handlers = { onRegister: vi.fn(), onCancel: vi.fn() };
  const all: RegistrationPanelProps = {
    event,
    signedIn: true,
    registration: null,
    pending: false,
    ...handlers,
    ...props,
  };
  const view = render(
    <MemoryRouter>
      <RegistrationPanel {...all} />
    </MemoryRouter>,
  );
  return {
    ...handlers,
    rerender: (next: Partial<RegistrationPanelProps>) =>
      view.rerender(
        <MemoryRouter>
          <RegistrationPanel {...all} {...next} />
        </MemoryRouter>,
      ),
  };
}

describe('RegistrationPanel', () => {
  it('offers Register while seats are free, and calls back on click', async () => {
    const { onRegister } = panel({});
    await userEvent.click(screen.getByRole('button', { name: 'Register' }));
    expect(onRegister).toHaveBeenCalledOnce();
  });

  it('offers the waitlist when the event is full or people are already waiting', () => {
    const { rerender } = panel({ event: { ...event, confirmedCount: 2 } });
    expect(screen.getByRole('button', { name: 'Join waitlist' })).toBeInTheDocument();
    rerender({ event: { ...event, confirmedCount: 1, waitlistCount: 1 } });
    expect(screen.getByRole('button', { name: 'Join waitlist' })).toBeInTheDocument();
  });

  it('shows a confirmed seat with a way to cancel it', async () => {
    const { onCancel } = panel({ registration: registration('confirmed', null) });
    expect(screen.getByText(/your seat is confirmed/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel registration' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('shows the waitlist position, and announces a promotion when it happens', () => {
    const { rerender } = panel({ registration: registration('waitlisted', 3) });
    expect(screen.getByText("You're on the waitlist, position 3.")).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Leave waitlist' })).toBeInTheDocument();
    rerender({ registration: registration('confirmed', null) });
    expect(screen.getByText(/your seat is confirmed/)).toBeInTheDocument();
    expect(screen.getByText('A seat freed up: you are now registered.')).toBeInTheDocument();
  });

  it('disables the button while a request is on its way', () => {
    panel({ pending: true });
    expect(screen.getByRole('button', { name: 'Registering…' })).toBeDisabled();
  });

  it('sends people who are signed out to log in, and back here after', () => {
    panel({ signedIn: false });
    expect(screen.getByRole('link', { name: 'Log in to register' })).toHaveAttribute(
      'href',
      `/login?next=${encodeURIComponent(`/events/${eventId}`)}`,
    );
  });

  it('says why nobody can register: cancelled, draft, started', () => {
    const { rerender } = panel({ event: { ...event, status: 'cancelled' } });
    expect(screen.getByText('This event was cancelled.')).toBeInTheDocument();
    rerender({ event: { ...event, status: 'draft' } });
    expect(screen.getByText(/Not published yet/)).toBeInTheDocument();
    rerender({ event: { ...event, startsAt: new Date(Date.now() - 1000).toISOString() } });
    expect(screen.getByText(/the event has started/)).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows what the API said when an action failed', () => {
    panel({
      error: new ApiError(409, {
        type: 'x',
        title: 'Conflict',
        status: 409,
        detail: 'Registration is closed: the event is cancelled',
      }),
    });
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Registration is closed: the event is cancelled',
    );
  });
});
