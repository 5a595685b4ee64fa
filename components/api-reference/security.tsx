import type { ApiDocument, ApiOperation, ApiSecurityScheme } from "./document";
import { inlineCode, textLink } from "./text";

/** The heading id of a scheme's explanation in the introduction. */
export function schemeAnchor(name: string): string {
  return `auth-${name}`;
}

function schemeLabel(name: string, scheme: ApiSecurityScheme | undefined): string {
  if (scheme?.type === "apiKey" && scheme.name !== undefined) return "the access cookie";
  if (scheme?.type === "http") return "a Bearer token";
  if (scheme?.type === "oauth2") return "a service token";
  return name;
}

/** How to authenticate a call: each accepted scheme, linked to where the introduction explains it. */
export function SecurityRequirements({ operation, document }: { operation: ApiOperation; document: ApiDocument }) {
  const options = operation.security.flatMap((requirement) => Object.entries(requirement));
  if (options.length === 0) return <>No access token.</>;
  return (
    <>
      {options.map(([name, scopes], index) => (
        <span key={name}>
          {index === 0 ? null : index === options.length - 1 ? " or " : ", "}
          <a href={`#${schemeAnchor(name)}`} className={textLink}>
            {schemeLabel(name, document.components.securitySchemes[name])}
          </a>
          {scopes === undefined || scopes.length === 0 ? null : (
            <>
              {" with the "}
              {scopes.map((scope, at) => (
                <span key={scope}>
                  {at > 0 ? ", " : null}
                  <code className={inlineCode}>{scope}</code>
                </span>
              ))}
              {scopes.length === 1 ? " scope" : " scopes"}
            </>
          )}
        </span>
      ))}
      .
    </>
  );
}
