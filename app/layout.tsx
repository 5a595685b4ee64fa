import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { SkipLink } from "@/components/layout/skip-link";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Palisade", template: "%s · Palisade" },
  description: "A secure-by-default Next.js reference application, defended in depth.",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request. The CSP allows only scripts that carry this response's
  // nonce, and Next.js can stamp the nonce on its scripts only while rendering a request; a page
  // prerendered at build time would ship scripts without it, and the browser would refuse them.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <SkipLink />
        {children}
      </body>
    </html>
  );
}
