// Labelled form controls. Every control has a visible <label> (or <legend> for groups),
// hints and errors are tied to it with aria-describedby, and an error sets aria-invalid.
// Errors are text with an icon, never colour alone.
import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';

interface Common {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  ok?: string; // a positive confirmation (e.g. a valid org number), announced politely
}

function Describe({ id, hint, error, ok }: { id: string; hint?: string; error?: string; ok?: string }) {
  return (
    <>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      <p class="field-error" id={`${id}-error`} aria-live="polite">
        {error && <><span class="icon" aria-hidden="true">⚠</span> {error}</>}
      </p>
      {ok && !error && <p class="field-ok" id={`${id}-ok`}><span class="icon" aria-hidden="true">✓</span> {ok}</p>}
    </>
  );
}

const describedBy = (id: string, hint?: string, error?: string, ok?: string) =>
  [hint && `${id}-hint`, error && `${id}-error`, ok && !error && `${id}-ok`].filter(Boolean).join(' ') || undefined;

function Label({ id, label, required }: { id: string; label: string; required?: boolean }) {
  const { m } = useT();
  return (
    <label for={id}>
      {label}
      {required && <span class="req"> *<span class="sr-only"> ({m.required})</span></span>}
    </label>
  );
}

export function TextField(props: Common & {
  value: string;
  onInput: (v: string) => void;
  onBlur?: () => void;
  type?: string;
  autocomplete?: string;
  inputMode?: 'text' | 'numeric' | 'email' | 'tel' | 'url';
  maxLength?: number;
  placeholder?: string;
}) {
  const { id, label, hint, error, required, ok } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <Label id={id} label={label} required={required} />
      <input
        id={id}
        name={id}
        type={props.type ?? 'text'}
        value={props.value}
        required={required}
        aria-required={required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error, ok)}
        autocomplete={props.autocomplete ?? 'off'}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        onBlur={props.onBlur}
      />
      <Describe id={id} hint={hint} error={error} ok={ok} />
    </div>
  );
}

export function TextArea(props: Common & { value: string; onInput: (v: string) => void; rows?: number }) {
  const { id, label, hint, error, required } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <Label id={id} label={label} required={required} />
      <textarea
        id={id}
        name={id}
        rows={props.rows ?? 4}
        value={props.value}
        required={required}
        aria-required={required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <Describe id={id} hint={hint} error={error} />
    </div>
  );
}

export interface Option { value: string; label: string }

export function Select(props: Common & { value: string; onChange: (v: string) => void; options: Option[]; empty?: string }) {
  const { id, label, hint, error, required } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <Label id={id} label={label} required={required} />
      <select
        id={id}
        name={id}
        value={props.value}
        required={required}
        aria-required={required ? 'true' : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {props.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <Describe id={id} hint={hint} error={error} />
    </div>
  );
}

export function CheckboxGroup(props: Common & { values: string[]; onChange: (v: string[]) => void; options: Option[]; columns?: boolean }) {
  const { id, label, hint, error, required } = props;
  const { m } = useT();
  const toggle = (v: string, on: boolean) =>
    props.onChange(on ? [...props.values.filter((x) => x !== v), v] : props.values.filter((x) => x !== v));
  return (
    <fieldset class={`field group${error ? ' has-error' : ''}`} id={id} aria-describedby={describedBy(id, hint, error)} aria-invalid={error ? 'true' : undefined}>
      <legend>
        {label}
        {required && <span class="req"> *<span class="sr-only"> ({m.required})</span></span>}
      </legend>
      <div class={props.columns === false ? 'checks' : 'checks cols'}>
        {props.options.map((o) => {
          const cid = `${id}-${o.value}`;
          return (
            <div class="check" key={o.value}>
              <input type="checkbox" id={cid} name={id} value={o.value} checked={props.values.includes(o.value)}
                onChange={(e) => toggle(o.value, (e.currentTarget as HTMLInputElement).checked)} />
              <label for={cid}>{o.label}</label>
            </div>
          );
        })}
      </div>
      <Describe id={id} hint={hint} error={error} />
    </fieldset>
  );
}

export function Alert({ kind, children, id }: { kind: 'error' | 'info' | 'success' | 'warning'; children: ComponentChildren; id?: string }) {
  const icon = { error: '⚠', warning: '⚠', info: 'ℹ', success: '✓' }[kind];
  return (
    <div class={`alert alert-${kind}`} id={id} role={kind === 'error' ? 'alert' : 'status'} tabIndex={-1}>
      <span class="icon" aria-hidden="true">{icon}</span>
      <div>{children}</div>
    </div>
  );
}
