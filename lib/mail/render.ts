/**
 * Mail bodies from plain templates: a text part, and an HTML part in which every interpolated
 * value is escaped. A name or an address a user typed reaches a mail client as text, never as
 * markup: `html` below escapes each `${value}`, and only `raw()` (our own constant markup) is not.
 */

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Markup this module wrote itself; the one thing `html` does not escape. */
export interface TrustedHtml {
  readonly trustedHtml: string;
}

export function raw(markup: string): TrustedHtml {
  return { trustedHtml: markup };
}

function isTrusted(value: unknown): value is TrustedHtml {
  return typeof value === "object" && value !== null && typeof (value as TrustedHtml).trustedHtml === "string";
}

/** A tagged template: `html\`<p>Hello ${name}</p>\`` escapes `name`; nested `html` results pass through. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): TrustedHtml {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += isTrusted(value) ? value.trustedHtml : escapeHtml(String(value));
    out += strings[index + 1] ?? "";
  });
  return raw(out);
}

/** The frame of every message: inline styles only, since mail clients drop style sheets. */
export function htmlDocument(title: string, body: TrustedHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${title}</title>
      </head>
      <body style="margin:0;padding:24px;background:#f8fafc;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#0f172a">
        <div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e2e8f0;border-radius:12px;padding:24px;line-height:1.5">
          ${body}
          <p style="margin-top:24px;font-size:12px;color:#64748b">Palisade sent this message because of activity on your account.</p>
        </div>
      </body>
    </html> `.trustedHtml;
}
