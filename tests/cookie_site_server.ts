/**
 * A cookie-session site on 127.0.0.1 for the catalog tests: form login
 * (a 303 carrying the session cookie), a profile that rotates it, an echo
 * of the cookies a request carried.
 *
 * @module
 */
import { type LocalServer, localServer } from "./skills_helpers.ts";

/** The account the site knows. */
export const EMAIL = "ada@cookie.test";
/** Its password. */
export const PASSWORD = "hunter2-correct";

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** The running site and what it saw. */
export interface CookieSite {
  server: LocalServer;
  /** Live session ids and their accounts (a test may add or clear them). */
  sessions: Map<string, string>;
  /** Every session id the site minted, in order. */
  minted: string[];
  /** The Cookie header of each /echo request. */
  cookiesSeen: (string | null)[];
}

/** Starts the site: form login (303 with the session cookie), a profile that rotates it. */
export function cookieSite(): CookieSite {
  const sessions = new Map<string, string>();
  const minted: string[] = [];
  const cookiesSeen: (string | null)[] = [];
  const mint = (email: string) => {
    const sid = `sid-${hex(16)}`;
    sessions.set(sid, email);
    minted.push(sid);
    return sid;
  };
  const sidOf = (request: Request) =>
    /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const server = localServer(async (request, url) => {
    if (url.pathname === "/login" && request.method === "POST") {
      const form = new URLSearchParams(await request.text());
      if (form.get("password") !== PASSWORD) {
        return new Response("no", { status: 403 });
      }
      const headers = new Headers({ location: "/welcome" });
      headers.append(
        "set-cookie",
        `sid=${mint(form.get("email")!)}; Path=/; Secure; HttpOnly`,
      );
      headers.append("set-cookie", "lang=en; Path=/");
      return new Response(null, { status: 303, headers });
    }
    if (url.pathname === "/welcome") {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", `csrf=csrf-${hex(8)}; Path=/`);
      headers.append(
        "set-cookie",
        `tracker=trk-${hex(8)}; Domain=cookie.test; Path=/`,
      );
      return new Response(JSON.stringify({ welcome: true }), { headers });
    }
    if (url.pathname === "/me") {
      const sid = sidOf(request);
      const email = sid ? sessions.get(sid) : undefined;
      if (!email) return new Response("expired", { status: 401 });
      sessions.delete(sid!); // rotated: the old cookie stops working
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", `sid=${mint(email)}; Path=/; Secure`);
      headers.append("set-cookie", "theme=dark; Path=/; Max-Age=3600");
      headers.append("set-cookie", "lang=; Path=/; Max-Age=0");
      return new Response(JSON.stringify({ email }), { headers });
    }
    if (url.pathname === "/echo") {
      cookiesSeen.push(request.headers.get("cookie"));
      return Response.json({ ok: true });
    }
    return new Response("not here", { status: 404 });
  });
  return { server, sessions, minted, cookiesSeen };
}
