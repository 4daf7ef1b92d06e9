// "Nytt ärende": a coordinator logs a company's case at their node (POST /v1/cases).
// Validates as you type (org number with its Luhn check digit) and again before sending;
// the API's field errors (details[].field, e.g. "company.orgNumber") are shown next to the
// named field. The form is a draft in sessionStorage until the server accepts it.
import { useRef, useState } from 'preact/hooks';
import { post, ApiError } from '../api';
import { useT, fmt } from '../i18n';
import { useAppState, announce } from '../store';
import { useDraft } from '../drafts';
import { navigate } from '../router';
import { checkOrgNumber } from '../orgnr';
import type { Case } from '../types';
import { COMPANY_SIZES, caseId, namedOptions } from '../types';

/** POST /v1/cases answers 201 with the created case, its `relatedCases` filled (cases.proto). */
type CreateCaseResponse = Case;
import { TextField, TextArea, Select, CheckboxGroup, Alert } from '../components/Field';
import { StateBadge } from '../components/Badges';

interface Form {
  title: string;
  description: string;
  companyName: string;
  orgNumber: string;
  municipality: string;
  size: string;
  industry: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  needs: string[];
  areas: string[];
}

const EMPTY: Form = {
  title: '', description: '', companyName: '', orgNumber: '', municipality: '', size: '', industry: '',
  contactName: '', contactEmail: '', contactPhone: '', needs: [], areas: [],
};

// API field name → form control id.
const FIELD_IDS: Record<string, string> = {
  title: 'nc-title',
  description: 'nc-description',
  'company.name': 'nc-company-name',
  'company.orgNumber': 'nc-orgnr',
  'company.municipality': 'nc-municipality',
  'company.size': 'nc-size',
  'company.industry': 'nc-industry',
  'contact.name': 'nc-contact-name',
  'contact.email': 'nc-contact-email',
  'contact.phone': 'nc-contact-phone',
  needs: 'nc-needs',
  areas: 'nc-areas',
};

export const SORMLAND_MUNICIPALITIES = ['Eskilstuna', 'Flen', 'Gnesta', 'Katrineholm', 'Nyköping', 'Oxelösund', 'Strängnäs', 'Trosa', 'Vingåker'];

export function emailOk(s: string): boolean {
  const t = s.trim();
  if (!t) return true;
  const parts = t.split('@');
  return parts.length === 2 && parts[0].length > 0 && parts[1].length > 0;
}

export function NewCasePage() {
  const { m, e } = useT();
  const st = useAppState();
  const u = st.user!;
  const [form, setForm, restored, clearDraft] = useDraft<Form>(`newcase:${u.username}`, EMPTY);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [apiErrors, setApiErrors] = useState<Record<string, string>>({});
  const [topError, setTopError] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CreateCaseResponse | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const set = <K extends keyof Form>(k: K, v: Form[K], apiField?: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (apiField && apiErrors[apiField]) setApiErrors((a) => { const x = { ...a }; delete x[apiField]; return x; });
  };

  const org = checkOrgNumber(form.orgNumber);
  const digits = form.orgNumber.replace(/\D/g, '').length;
  // Checked as you type: format problems once ten digits could be there, or on leaving the field.
  const orgErrorLive = (() => {
    if (org.ok) return undefined;
    if (org.reason === 'empty') return submitted || touched.org ? m.requiredField : undefined;
    if (org.reason === 'check') return m.orgNumberCheck;
    return digits >= 10 || touched.org || submitted || /[^\d\s-]/.test(form.orgNumber) ? m.orgNumberFormat : undefined;
  })();

  const clientErrors = (): Record<string, string> => {
    const errs: Record<string, string> = {};
    if (!form.title.trim()) errs.title = m.requiredField;
    else if (form.title.trim().length > 200) errs.title = m.titleTooLong;
    if (!form.companyName.trim()) errs['company.name'] = m.requiredField;
    if (!org.ok) errs['company.orgNumber'] = org.reason === 'empty' ? m.requiredField : org.reason === 'check' ? m.orgNumberCheck : m.orgNumberFormat;
    if (!emailOk(form.contactEmail)) errs['contact.email'] = m.emailInvalid;
    return errs;
  };
  const cErr = submitted ? clientErrors() : {};
  const err = (apiField: string): string | undefined => apiErrors[apiField] ?? cErr[apiField];
  const labelFor: Record<string, string> = {
    title: m.fTitle, description: m.fDescription, 'company.name': m.fCompanyName, 'company.orgNumber': m.fOrgNumber,
    'company.municipality': m.fMunicipality, 'company.size': m.fSize, 'company.industry': m.fIndustry,
    'contact.name': m.fContactName, 'contact.email': m.fContactEmail, 'contact.phone': m.fContactPhone,
    needs: m.fNeeds, areas: m.fAreas,
  };
  const allErrors: [string, string][] = Object.entries({ ...cErr, ...apiErrors });

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setSubmitted(true);
    setTopError('');
    const errs = clientErrors();
    if (Object.keys(errs).length) {
      setApiErrors({});
      window.setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      const body = {
        title: form.title.trim(),
        description: form.description.trim(),
        company: {
          name: form.companyName.trim(),
          orgNumber: org.ok ? org.normalized : form.orgNumber.trim(),
          municipality: form.municipality.trim(),
          size: form.size,
          industry: form.industry.trim(),
        },
        contact: { name: form.contactName.trim(), email: form.contactEmail.trim(), phone: form.contactPhone.trim() },
        needs: form.needs,
        areas: form.areas,
      };
      const res = await post<CreateCaseResponse>('/v1/cases', body);
      clearDraft();
      setForm(EMPTY);
      setSubmitted(false);
      setTouched({});
      setApiErrors({});
      announce(m.created);
      if (res.relatedCases?.length) {
        setResult(res);
      } else {
        navigate(`/cases/${encodeURIComponent(caseId(res))}`);
      }
    } catch (x) {
      const a = x as ApiError;
      if (a.isUnauthenticated) return; // the banner asks to sign in again; the draft is kept
      const byField: Record<string, string> = {};
      (a.details ?? []).forEach((d) => { if (d.field) byField[d.field] = d.description || a.message; });
      setApiErrors(byField);
      setTopError(a.isNetwork ? m.offline : Object.keys(byField).length ? '' : a.message);
      window.setTimeout(() => summaryRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  if (result) return <Created res={result} onAnother={() => setResult(null)} />;

  const needs = namedOptions(st.config?.needs);
  const areas = namedOptions(st.config?.areas);

  return (
    <div class="page">
      <h1>{m.newCaseTitle}</h1>
      <p class="lead">{m.newCaseIntro}</p>
      {restored && <Alert kind="info">{m.draftRestored}</Alert>}
      <div ref={summaryRef} tabIndex={-1} class="summary-anchor">
        {(allErrors.length > 0 || topError) && (
          <Alert kind="error">
            {topError && <p>{topError}</p>}
            {allErrors.length > 0 && (
              <>
                <p>{fmt(m.formHasErrors, { n: allErrors.length })}</p>
                <ul>
                  {allErrors.map(([f, d]) => (
                    <li key={f}><a href={`#${FIELD_IDS[f] ?? 'nc-title'}`} onClick={(ev) => { ev.preventDefault(); document.getElementById(FIELD_IDS[f] ?? 'nc-title')?.focus(); }}>{labelFor[f] ?? f}: {d}</a></li>
                  ))}
                </ul>
              </>
            )}
          </Alert>
        )}
      </div>
      <form class="form" onSubmit={submit} noValidate>
        <section class="form-section" aria-labelledby="sec-case">
          <h2 id="sec-case">{m.sectionCase}</h2>
          <TextField id="nc-title" label={m.fTitle} value={form.title} onInput={(v) => set('title', v, 'title')} required maxLength={200} error={err('title')} />
          <TextArea id="nc-description" label={m.fDescription} value={form.description} onInput={(v) => set('description', v, 'description')} rows={5} error={err('description')} />
        </section>
        <section class="form-section" aria-labelledby="sec-company">
          <h2 id="sec-company">{m.sectionCompany}</h2>
          <div class="grid2">
            <TextField id="nc-company-name" label={m.fCompanyName} value={form.companyName} onInput={(v) => set('companyName', v, 'company.name')} required autocomplete="organization" error={err('company.name')} />
            <TextField id="nc-orgnr" label={m.fOrgNumber} hint={m.fOrgNumberHint} value={form.orgNumber} inputMode="numeric" maxLength={13}
              onInput={(v) => set('orgNumber', v, 'company.orgNumber')} onBlur={() => setTouched((t) => ({ ...t, org: true }))}
              required error={apiErrors['company.orgNumber'] ?? orgErrorLive} ok={org.ok ? m.orgNumberOk : undefined} />
            <MunicipalityField value={form.municipality} onInput={(v) => set('municipality', v, 'company.municipality')} error={err('company.municipality')} />
            <Select id="nc-size" label={m.fSize} value={form.size} onChange={(v) => set('size', v, 'company.size')} empty={m.fSizeNone}
              options={COMPANY_SIZES.map((s) => ({ value: s, label: e.size[s] ?? s }))} error={err('company.size')} />
            <TextField id="nc-industry" label={m.fIndustry} value={form.industry} onInput={(v) => set('industry', v, 'company.industry')} error={err('company.industry')} />
          </div>
        </section>
        <section class="form-section" aria-labelledby="sec-contact">
          <h2 id="sec-contact">{m.sectionContact}</h2>
          <div class="grid2">
            <TextField id="nc-contact-name" label={m.fContactName} value={form.contactName} onInput={(v) => set('contactName', v, 'contact.name')} autocomplete="name" error={err('contact.name')} />
            <TextField id="nc-contact-email" label={m.fContactEmail} type="email" inputMode="email" value={form.contactEmail} onInput={(v) => set('contactEmail', v, 'contact.email')} autocomplete="email" error={err('contact.email')} />
            <TextField id="nc-contact-phone" label={m.fContactPhone} type="tel" inputMode="tel" value={form.contactPhone} onInput={(v) => set('contactPhone', v, 'contact.phone')} autocomplete="tel" error={err('contact.phone')} />
          </div>
        </section>
        <section class="form-section" aria-labelledby="sec-class">
          <h2 id="sec-class">{m.sectionClassification}</h2>
          <p class="hint">{m.classificationHint}</p>
          <CheckboxGroup id="nc-needs" label={m.fNeeds} values={form.needs} onChange={(v) => set('needs', v, 'needs')} options={needs} error={err('needs')} />
          <CheckboxGroup id="nc-areas" label={m.fAreas} values={form.areas} onChange={(v) => set('areas', v, 'areas')} options={areas} error={err('areas')} />
        </section>
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy} aria-busy={busy ? 'true' : undefined}>{m.createButton}</button>
        </div>
      </form>
    </div>
  );
}

function MunicipalityField({ value, onInput, error }: { value: string; onInput: (v: string) => void; error?: string }) {
  const { m } = useT();
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for="nc-municipality">{m.fMunicipality}</label>
      <input id="nc-municipality" name="nc-municipality" list="nc-municipalities" value={value} autocomplete="address-level2"
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'nc-municipality-error' : undefined}
        onInput={(ev) => onInput((ev.currentTarget as HTMLInputElement).value)} />
      <datalist id="nc-municipalities">
        {SORMLAND_MUNICIPALITIES.map((x) => <option key={x} value={x} />)}
      </datalist>
      <p class="field-error" id="nc-municipality-error" aria-live="polite">{error && <><span class="icon" aria-hidden="true">⚠</span> {error}</>}</p>
    </div>
  );
}

function Created({ res, onAnother }: { res: CreateCaseResponse; onAnother: () => void }) {
  const { m, n } = useT();
  const c: Case = res;
  return (
    <div class="page">
      <h1>{m.created}</h1>
      <p><a class="button primary" href={`/cases/${encodeURIComponent(caseId(c))}`} data-testid="open-created">{m.openCase}: {c.title}</a></p>
      {res.relatedCases && res.relatedCases.length > 0 && (
        <section class="card warn-card" aria-labelledby="related-h">
          <h2 id="related-h"><span aria-hidden="true">⚠ </span>{m.relatedCasesTitle}</h2>
          <ul class="plain related">
            {res.relatedCases.map((r: Case) => (
              <li key={caseId(r)}>
                <a href={`/cases/${encodeURIComponent(caseId(r))}`}>{r.title || caseId(r)}</a>{' '}
                <span class="muted">{n.node(r.node)}</span> <StateBadge state={r.state} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <p><button type="button" class="secondary" onClick={onAnother}>{m.navNewCase}</button></p>
    </div>
  );
}
