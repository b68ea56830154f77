import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { useTracker } from '../app/services.js';
import { Highlighted } from '../ui/highlighted.js';
import { isSearchable, useDebounced, useSuggestions } from './search.queries.js';

export const SUGGEST_DEBOUNCE_MS = 150;

/**
 * The header search: an ARIA 1.2 combobox with a listbox of suggestions (typo-tolerant, matched
 * text in <mark>). Up/Down move through the suggestions, Enter opens the highlighted one or
 * searches for what was typed, Escape closes the list (and clears the box when already closed).
 */
export function SearchBox() {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const tracker = useTracker();
  const id = useId();
  const listId = `${id}-listbox`;
  const onSearchPage = location.pathname === '/search';
  const [value, setValue] = useState(onSearchPage ? (params.get('q') ?? '') : '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useDebounced(value, SUGGEST_DEBOUNCE_MS);
  const suggest = useSuggestions(typed);
  const suggestions = open && isSearchable(value, 100) ? (suggest.data?.suggestions ?? []) : [];
  const expanded = suggestions.length > 0;

  // Follow the URL when it changes under us (back/forward to another search).
  const urlQuery = onSearchPage ? (params.get('q') ?? '') : null;
  useEffect(() => {
    if (urlQuery !== null) setValue(urlQuery);
  }, [urlQuery]);

  useEffect(() => setActive(-1), [suggest.data]);

  const close = () => {
    setOpen(false);
    setActive(-1);
  };

  const pick = (index: number) => {
    const s = suggestions[index];
    if (!s) return;
    tracker.record({ type: 'click', eventId: s.eventId, surface: 'suggest', position: index });
    close();
    setValue('');
    navigate(`/events/${s.eventId}`);
  };

  const submit = () => {
    const q = value.trim();
    close();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) setOpen(true);
        else if (suggestions.length > 0) setActive((a) => (a + 1) % suggestions.length);
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (suggestions.length > 0) setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
        break;
      case 'Enter':
        e.preventDefault();
        if (expanded && active >= 0) pick(active);
        else submit();
        break;
      case 'Escape':
        if (expanded) {
          e.preventDefault();
          close();
        } else if (value) {
          e.preventDefault();
          setValue('');
        }
        break;
    }
  };

  return (
    <form
      role="search"
      className="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Search events
      </label>
      <input
        id={`${id}-input`}
        type="search"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        placeholder="Search events"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${id}-option-${active}` : undefined}
        value={value}
        maxLength={200}
        onChange={(e) => {
          setValue(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={close}
        onFocus={() => value && setOpen(true)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        className="suggestions"
        hidden={!expanded}
      >
        {suggestions.map((s, i) => (
          <li
            key={s.eventId}
            id={`${id}-option-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'suggestion active' : 'suggestion'}
            // Keep focus in the input: a mousedown elsewhere would blur it and close the list.
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(i)}
          >
            <Highlighted text={s.title} ranges={s.highlights} />
          </li>
        ))}
      </ul>
      <p className="visually-hidden" role="status" aria-live="polite">
        {expanded ? `${suggestions.length} suggestions. Use up and down arrows to choose.` : ''}
      </p>
      <button type="submit" className="button search-button">
        Search
      </button>
    </form>
  );
}
