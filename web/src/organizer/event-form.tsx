import type { CreateEventBody, Event } from '@platform/contracts';
import { useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/api-error.js';
import { FormField, useFocusOnRefusal } from '../ui/form-field.js';
import { fromLocalInput, toLocalInput } from '../ui/format.js';

export interface EventFormValues {
  title: string;
  description: string;
  category: string;
  tags: string;
  startsAt: string;
  endsAt: string;
  venueName: string;
  city: string;
  lat: string;
  lon: string;
  capacity: string;
}

export const emptyEventForm: EventFormValues = {
  title: '',
  description: '',
  category: '',
  tags: '',
  startsAt: '',
  endsAt: '',
  venueName: '',
  city: '',
  lat: '',
  lon: '',
  capacity: '50',
};

export function eventToForm(e: Event): EventFormValues {
  return {
    title: e.title,
    description: e.description,
    category: e.category,
    tags: e.tags.join(', '),
    startsAt: toLocalInput(e.startsAt),
    endsAt: toLocalInput(e.endsAt),
    venueName: e.venue.name,
    city: e.venue.city,
    lat: String(e.venue.lat),
    lon: String(e.venue.lon),
    capacity: String(e.capacity),
  };
}

/** Number of a numeric field; NaN (which the API refuses with a message) when it is not one. */
const num = (v: string): number => (v.trim() === '' ? Number.NaN : Number(v));

/**
 * The request body. Validation is the API's: whatever it refuses comes back as field messages,
 * so the rules live in one place (contracts) and the form only converts types.
 */
export function formToBody(v: EventFormValues): CreateEventBody {
  return {
    title: v.title,
    description: v.description,
    category: v.category,
    tags: v.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    startsAt: fromLocalInput(v.startsAt) ?? '',
    endsAt: fromLocalInput(v.endsAt) ?? '',
    venue: { name: v.venueName, city: v.city, lat: num(v.lat), lon: num(v.lon) },
    capacity: num(v.capacity),
  };
}

/** API error paths (after `body.`) -> form field. */
const fieldOf: Record<string, keyof EventFormValues> = {
  title: 'title',
  description: 'description',
  category: 'category',
  tags: 'tags',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  'venue.name': 'venueName',
  'venue.city': 'city',
  'venue.lat': 'lat',
  'venue.lon': 'lon',
  venue: 'venueName',
  capacity: 'capacity',
};

export function formErrors(error: unknown): {
  fields: Partial<Record<keyof EventFormValues, string>>;
  other?: string;
} {
  if (!(error instanceof ApiError)) return { fields: {}, other: errorMessage(error) };
  const fields: Partial<Record<keyof EventFormValues, string>> = {};
  const rest: string[] = [];
  for (const [path, message] of Object.entries(error.fieldErrors())) {
    const field = fieldOf[path] ?? fieldOf[path.replace(/\.\d+$/, '')];
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
    else rest.push(`${path}: ${message}`);
  }
  const other =
    rest.length > 0
      ? rest.join('; ')
      : Object.keys(fields).length === 0
        ? errorMessage(error)
        : undefined;
  return { fields, other };
}

export function EventForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial: EventFormValues;
  submitLabel: string;
  onSubmit: (body: CreateEventBody) => Promise<unknown>;
}) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<ReturnType<typeof formErrors>>({ fields: {} });
  const [pending, setPending] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const refused = useFocusOnRefusal(form);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setErrors({ fields: {} });
    try {
      await onSubmit(formToBody(values));
    } catch (error) {
      setErrors(formErrors(error));
      refused();
    } finally {
      setPending(false);
    }
  };

  const bind = (name: keyof EventFormValues) => ({
    name,
    value: values[name],
    error: errors.fields[name],
    onChange: (e: { target: { value: string } }) =>
      setValues((v) => ({ ...v, [name]: e.target.value })),
  });

  return (
    <form ref={form} onSubmit={submit} noValidate className="form event-form">
      {errors.other && (
        <p className="form-error" role="alert" tabIndex={-1}>
          {errors.other}
        </p>
      )}
      <FormField label="Title" {...bind('title')} />
      <FormField label="Description" multiline {...bind('description')} />
      <div className="field-row">
        <FormField label="Category" hint="For example music, food, tech." {...bind('category')} />
        <FormField label="Tags" hint="Separated by commas." {...bind('tags')} />
      </div>
      <div className="field-row">
        <FormField label="Starts" type="datetime-local" {...bind('startsAt')} />
        <FormField label="Ends" type="datetime-local" {...bind('endsAt')} />
      </div>
      <div className="field-row">
        <FormField label="Venue" {...bind('venueName')} />
        <FormField label="City" {...bind('city')} />
      </div>
      <div className="field-row">
        <FormField label="Latitude" inputMode="decimal" {...bind('lat')} />
        <FormField label="Longitude" inputMode="decimal" {...bind('lon')} />
        <FormField label="Capacity" type="number" min={1} {...bind('capacity')} />
      </div>
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
