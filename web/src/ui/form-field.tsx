import { useId, type ChangeEventHandler, type InputHTMLAttributes, type ReactNode } from 'react';

/** A labelled input with its hint and error wired up for assistive technology. */
export function FormField({
  label,
  error,
  hint,
  multiline,
  ...input
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  multiline?: boolean;
} & InputHTMLAttributes<HTMLInputElement> & { name: string }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {multiline ? (
        <textarea
          {...common}
          name={input.name}
          value={input.value as string}
          onChange={input.onChange as unknown as ChangeEventHandler<HTMLTextAreaElement>}
          rows={5}
        />
      ) : (
        <input {...input} {...common} />
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Moves focus to the first invalid field, or to the form's error summary. */
export function focusFirstError(form: HTMLFormElement | null): void {
  const target =
    form?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    form?.querySelector<HTMLElement>('.form-error');
  target?.focus();
}
