import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { SiteFooter, SiteHeader } from "@/components/layout/site-header";
import { EmptyState } from "@/components/ui/empty-state";
import { LocalTime } from "@/components/ui/local-time";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { currentUser } from "@/lib/auth/page-guards";
import { getDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { linkPieces, listOutbox, OUTBOX_PAGE_SIZE } from "@/lib/mail/outbox";
import { outboxAvailable } from "@/lib/mail/transport";

export const metadata: Metadata = { title: "Development outbox", robots: { index: false } };

/**
 * The mail the app would have sent, kept because no relay is configured (lib/mail/). It exists
 * only where the outbox is the transport, and never in a deployment: there it is a 404, like any
 * page that does not exist.
 */
export default async function OutboxPage() {
  await connection();
  if (!outboxAvailable()) notFound();
  const [messages, signedIn] = await Promise.all([listOutbox(await getDb()), currentUser().then((user) => user !== null)]);
  return (
    <div className="flex min-h-screen flex-col">
      <SiteHeader signedIn={signedIn} />
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-3xl flex-1 space-y-6 px-4 pt-10 pb-16 outline-none sm:px-6">
        <PageHeader
          title="Development outbox"
          lead={`No mail relay is configured, so messages are kept here instead of being sent: the newest ${OUTBOX_PAGE_SIZE}, for every address. Set SMTP_URL to send them.`}
        />
        {messages.length === 0 ? (
          <EmptyState title="No messages yet">Messages appear here when the app sends one, for example after a password change.</EmptyState>
        ) : (
          <ol className="space-y-4">
            {messages.map((message) => (
              <li key={message.id}>
                <article aria-labelledby={`mail-${message.id}`} className={`${card} space-y-3 p-5`}>
                  <header className="space-y-1">
                    <h2 id={`mail-${message.id}`} className="font-semibold">
                      {message.subject}
                    </h2>
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      To <span className="font-medium text-slate-800 dark:text-slate-200">{message.to}</span> · <LocalTime iso={message.createdAt} />
                    </p>
                  </header>
                  <pre className="font-sans text-sm whitespace-pre-wrap text-slate-800 dark:text-slate-200">
                    {linkPieces(message.text, env.APP_URL).map((piece, index) =>
                      piece.kind === "text" ? (
                        piece.text
                      ) : (
                        <a key={index} href={piece.href} className="break-all text-indigo-700 underline dark:text-indigo-300">
                          {piece.href}
                        </a>
                      ),
                    )}
                  </pre>
                </article>
              </li>
            ))}
          </ol>
        )}
      </main>
      <SiteFooter />
    </div>
  );
}
