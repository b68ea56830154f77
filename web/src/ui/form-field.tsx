import {
  useCallback,
  useEffect,
  useId,
  useState,
  type RefObject,
  type ChangeEventHandler,
  type InputHTMLAttributes,
  type ReactNode,
} from 'react';

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
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
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

/**
 * After a refused submit, once the messages are rendered, focus moves to the first invalid field
 * (or to the form's error message). Call the returned function when the API refused the form.
 */
export function useFocusOnRefusal(form: RefObject<HTMLFormElement | null>): () => void {
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals === 0) return;
    const target =
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current?.querySelector<HTMLElement>('.form-error');
    target?.focus();
  }, [refusals, form]);
  return useCallback(() => setRefusals((n) => n + 1), []);
}
