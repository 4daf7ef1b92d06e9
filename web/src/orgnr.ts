// Swedish organisation numbers (organisationsnummer): NNNNNN-NNNN, the tenth digit a Luhn
// check digit over the first nine. Mirrors engine/domain/org_number.h: accepts the ten digits
// with or without the hyphen, or twelve with a century prefix (16NNNNNN-NNNN).

export type OrgCheck = { ok: true; normalized: string } | { ok: false; reason: 'empty' | 'format' | 'check' };

export function luhnOk(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(i) - 48;
    // From the left, over ten digits: positions 0, 2, 4, ... are doubled.
    if ((digits.length - i) % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function checkOrgNumber(text: string): OrgCheck {
  const t = text.trim();
  if (!t) return { ok: false, reason: 'empty' };
  let digits: string;
  if (/^\d{6}-?\d{4}$/.test(t)) digits = t.replace('-', '');
  else if (/^\d{8}-?\d{4}$/.test(t)) digits = t.replace('-', '').slice(2);
  else return { ok: false, reason: 'format' };
  if (!luhnOk(digits)) return { ok: false, reason: 'check' };
  return { ok: true, normalized: `${digits.slice(0, 6)}-${digits.slice(6)}` };
}

/** While typing: is what is there so far a possible start of a valid number? */
export function isPlausiblePrefix(text: string): boolean {
  return /^\d{0,8}-?\d{0,4}$/.test(text.trim());
}
