"use client";

import { useId, useMemo } from "react";
import { encode } from "uqr";

/** Light modules around the code: the QR specification asks for four. */
const QUIET_ZONE = 4;

/**
 * The dark modules as one SVG path, a rectangle per horizontal run: a few hundred commands for
 * an enrolment URI instead of a thousand elements.
 */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
  const commands: string[] = [];
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      commands.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`);
    }
  });
  return commands.join("");
}

/**
 * A QR code drawn in the browser from React elements: the secret in `value` never leaves the
 * page for an image service, needs no `data:` URL or injected markup (the CSP stays as it is),
 * and is not written to any cache. Black on white in both colour schemes, with the quiet zone,
 * because that is what authenticator apps' cameras read best; `label` is its text alternative.
 */
export function QrCode({ value, label, className }: { value: string; label: string; className?: string }) {
  const titleId = useId();
  // Error correction M (15%) copes with glare on a screen; a key URI still fits a small version.
  const { size, path } = useMemo(() => {
    const qr = encode(value, { ecc: "M", border: 0 });
    return { size: qr.size + QUIET_ZONE * 2, path: qrPath(qr.data) };
  }, [value]);

  return (
    <svg viewBox={`0 0 ${size} ${size}`} role="img" aria-labelledby={titleId} shapeRendering="crispEdges" className={className} data-testid="totp-qr-code">
      <title id={titleId}>{label}</title>
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
