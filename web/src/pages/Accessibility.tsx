// Tillgänglighetsredogörelse: the accessibility statement the Swedish act (2018:1937) on
// accessibility to digital public services (DOS-lagen) requires, with the report link.
// Reachable without signing in.
import { useT, a11yText, fmt } from '../i18n';
import { useAppState } from '../store';

export function AccessibilityPage() {
  const { lang } = useT();
  const st = useAppState();
  const t = a11yText(lang);
  const mail = `mailto:${st.a11yEmail}?subject=${encodeURIComponent(t.reportSubject)}`;
  return (
    <div class="page prose">
      <h1>{t.title}</h1>
      {t.intro.map((p, i) => <p key={i}>{p}</p>)}
      <h2>{t.howTitle}</h2>
      {t.how.map((p, i) => <p key={i}>{p}</p>)}
      <h2>{t.cannotTitle}</h2>
      <p>{fmt(t.cannot, { email: st.a11yEmail })}</p>
      <h2>{t.reportTitle}</h2>
      <p>{t.report}</p>
      <p><a class="button primary" href={mail} data-testid="report-a11y">{t.reportLink}</a></p>
      <h2>{t.supervisionTitle}</h2>
      <p>{t.supervision}</p>
      <p><a href="https://www.digg.se/tdosanmalan" rel="noopener noreferrer">{t.supervisionLink}</a></p>
      <h2>{t.technicalTitle}</h2>
      <p>{t.technical}</p>
      <h3>{t.issuesTitle}</h3>
      <ul>{t.issues.map((p, i) => <li key={i}>{p}</li>)}</ul>
      <h2>{t.testedTitle}</h2>
      <p>{t.tested}</p>
      <p class="muted">{t.updated}</p>
    </div>
  );
}
