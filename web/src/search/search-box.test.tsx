import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useParams, useSearchParams } from 'react-router';
import { describe, expect, it } from 'vitest';
import { fakeFetch, renderWithApp } from '../test/render.js';
import { SearchBox } from './search-box.js';

const jazz = [
  {
    eventId: '01a20008-0000-7000-8000-000000000001',
    title: 'Jazz Night in Lyon',
    highlights: [{ start: 0, end: 4 }],
  },
  {
    eventId: '01a20008-0000-7000-8000-000000000002',
    title: 'Late Jazz Jam',
    highlights: [{ start: 5, end: 9 }],
  },
];

function EventStub() {
  return <p>event {useParams().id}</p>;
}
function SearchStub() {
  return <p>search for {useSearchParams()[0].get('q')}</p>;
}

function setup() {
  const api = fakeFetch({ 'GET /v1/search/suggest': () => ({ body: { suggestions: jazz } }) });
  const app = renderWithApp(<SearchBox />, {
    fetch: api.fetch,
    routes: [
      { path: '/events/:id', element: <EventStub /> },
      { path: '/search', element: <SearchStub /> },
    ],
  });
  return { ...app, calls: api.calls, user: userEvent.setup() };
}

describe('SearchBox', () => {
  it('is a labelled combobox that suggests, debounced, with the matched text highlighted', async () => {
    const { user, calls } = setup();
    const box = screen.getByRole('combobox', { name: 'Search events' });
    expect(box).toHaveAttribute('type', 'search');
    expect(box).toHaveAttribute('aria-expanded', 'false');
    await user.type(box, 'jaz');
    const options = await screen.findAllByRole('option');
    expect(options).toHaveLength(2);
    expect(box).toHaveAttribute('aria-expanded', 'true');
    // One request for what was typed once typing paused, not one per keystroke.
    const suggestCalls = calls.filter((c) => c.url.pathname === '/v1/search/suggest');
    expect(suggestCalls.map((c) => c.url.searchParams.get('q'))).toEqual(['jaz']);
    expect(options[0]!.querySelector('mark')).toHaveTextContent('Jazz');
    expect(options[1]!.querySelector('mark')).toHaveTextContent('Jazz');
    expect(screen.getByRole('status')).toHaveTextContent('2 suggestions');
  });

  it('moves through suggestions with the arrow keys and opens the chosen one with Enter', async () => {
    const { user, recorded } = setup();
    const box = screen.getByRole('combobox');
    await user.type(box, 'jaz');
    await screen.findAllByRole('option');
    await user.keyboard('{ArrowDown}');
    expect(screen.getAllByRole('option')[0]).toHaveAttribute('aria-selected', 'true');
    expect(box.getAttribute('aria-activedescendant')).toBe(screen.getAllByRole('option')[0]!.id);
    await user.keyboard('{ArrowDown}');
    expect(screen.getAllByRole('option')[1]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowDown}');
    expect(screen.getAllByRole('option')[0]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowUp}');
    expect(screen.getAllByRole('option')[1]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');
    expect(await screen.findByText(`event ${jazz[1]!.eventId}`)).toBeInTheDocument();
    expect(recorded).toContainEqual({
      type: 'click',
      eventId: jazz[1]!.eventId,
      surface: 'suggest',
      position: 1,
    });
  });

  it('closes the list with Escape, then clears the box with a second Escape', async () => {
    const { user } = setup();
    const box = screen.getByRole('combobox');
    await user.type(box, 'jaz');
    await screen.findAllByRole('option');
    await user.keyboard('{Escape}');
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(box).toHaveAttribute('aria-expanded', 'false');
    expect(box).toHaveValue('jaz');
    await user.keyboard('{Escape}');
    expect(box).toHaveValue('');
  });

  it('searches for what was typed when Enter is pressed with no suggestion chosen', async () => {
    const { user } = setup();
    await user.type(screen.getByRole('combobox'), 'jazz night{Enter}');
    expect(await screen.findByText('search for jazz night')).toBeInTheDocument();
  });

  it('opens a suggestion with the mouse', async () => {
    const { user } = setup();
    await user.type(screen.getByRole('combobox'), 'jaz');
    await user.click((await screen.findAllByRole('option'))[0]!);
    await waitFor(() => expect(screen.getByText(`event ${jazz[0]!.eventId}`)).toBeInTheDocument());
  });
});
