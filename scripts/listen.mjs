// Where `npm start` listens. Dev sign-in lets anyone pick any user without a password, so while it
// is on the server answers on this machine's loopback interface only (127.0.0.1 and ::1) unless
// HOST says otherwise. Plain JavaScript, read before the app is built: the rule for "dev sign-in
// is on" mirrors isDevLoginEnabled() in lib/config/env.ts (an unreadable value counts as on here,
// the server then refuses it with a message).
import { createConnection, createServer } from "node:net";

const OFF = ["false", "0", "no", "off"];
const set = (v) => typeof v === "string" && v !== "";

/** @param {Record<string, string | undefined>} env */
export function devLoginOn(env) {
  if (set(env.ENCLAVE_DEV_LOGIN)) return !OFF.includes(env.ENCLAVE_DEV_LOGIN);
  const oidc = set(env.OIDC_ISSUER) && set(env.OIDC_CLIENT_ID) && set(env.OIDC_CLIENT_SECRET);
  return !oidc && !set(env.DATABASE_URL);
}

/**
 * `host` goes to `next start -H`; null keeps Next's default (every interface). `loopback`: also
 * forward [::1]:port to 127.0.0.1 (`next start` binds one address, and "localhost" may be either).
 * @param {Record<string, string | undefined>} env
 * @param {string} port
 * @returns {{ host: string | null, loopback: boolean, line: string | null }}
 */
export function listenPlan(env, port) {
  const dev = devLoginOn(env);
  if (set(env.HOST)) {
    return {
      host: env.HOST,
      loopback: false,
      line: dev ? `Dev sign-in is on and HOST=${env.HOST}: listening on ${env.HOST}:${port}, so anyone who can reach it can sign in as any user.` : null,
    };
  }
  if (dev) {
    return {
      host: "127.0.0.1",
      loopback: true,
      line: `Dev sign-in is on: listening on localhost only (127.0.0.1 and ::1, port ${port}). Set HOST to listen on other interfaces.`,
    };
  }
  return { host: null, loopback: false, line: null };
}

/** Serves [::1]:port by piping each connection to 127.0.0.1:port. No IPv6 loopback: nothing. */
export function forwardIpv6Loopback(port) {
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: Number(port) });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
  server.on("error", () => server.close());
  server.listen({ host: "::1", port: Number(port), ipv6Only: true });
  return server;
}
