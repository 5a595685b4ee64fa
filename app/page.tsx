const LAYERS = [
  { name: "Edge middleware", text: "Request IDs, a CSP with a per-request nonce, strict CORS, a CSRF origin check, rate limits and an access-token gate." },
  { name: "Route handlers", text: "Short-lived RS256 access tokens and rotating refresh tokens in httpOnly cookies, with reuse detection." },
  { name: "Data layer", text: "Every query is scoped to its owner; every response goes through a serializer, so no hash or internal field leaks." },
  { name: "Validation", text: "zod at every boundary. Unexpected fields are rejected, bodies are size-limited, errors are RFC 9457 problems." },
];

export default function HomePage() {
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-4xl font-bold tracking-tight">Palisade</h1>
      <p className="mt-4 text-lg text-slate-600 dark:text-slate-300">
        A secure-by-default Next.js starter: an auth service and a single-page app, where every layer assumes the
        layer below it has failed.
      </p>
      <ul className="mt-10 grid gap-4 sm:grid-cols-2">
        {LAYERS.map((layer) => (
          <li key={layer.name} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
            <h2 className="font-semibold">{layer.name}</h2>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{layer.text}</p>
          </li>
        ))}
      </ul>
    </main>
  );
}
