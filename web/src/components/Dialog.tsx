// A modal dialog on the native <dialog> element (showModal makes the rest of the page inert,
// so focus stays inside; Esc closes). Focus moves to the first field on open and back to the
// element that opened it on close.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useT } from '../i18n';

export function Dialog({ title, onClose, children, id }: { title: string; onClose: () => void; children: ComponentChildren; id?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const { m } = useT();
  useEffect(() => {
    opener.current = document.activeElement;
    const d = ref.current!;
    if (!d.open) d.showModal();
    const first = d.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea, button.primary, button:not(.dialog-x)');
    first?.focus();
    const onCancel = (e: Event) => { e.preventDefault(); onClose(); };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      const o = opener.current as HTMLElement | null;
      if (o && document.contains(o)) o.focus();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const hid = `${id ?? 'dlg'}-title`;
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={hid} id={id}>
      <div class="dialog-head">
        <h2 id={hid}>{title}</h2>
        <button type="button" class="dialog-x ghost" onClick={onClose} aria-label={m.close}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {children}
    </dialog>
  );
}
