import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { appAuth } from "./app_auth.ts";
import type { AppToken } from "./app_token.ts";
import { type BridgeLimits, DEFAULT_LIMITS } from "./bridge_limits.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
import { capabilityRoutes } from "./capability_routes.ts";
import { credentialRoutes } from "./credential_routes.ts";
import type { EngineLink } from "./engine_link.ts";
import type { GraphReader } from "./graph_reader.ts";
import { graphRoutes } from "./graph_routes.ts";
import { hostGuard } from "./host_guard.ts";
import { errorResponse, jsonErrors } from "./http_errors.ts";
import { observerRoutes } from "./observer_routes.ts";
import { sessionRoutes } from "./session_routes.ts";
import { shapeRoutes } from "./shape_routes.ts";
import { staticRoutes } from "./static_routes.ts";
import { userRoutes } from "./user_routes.ts";

/** Options for {@linkcode createBridgeApp}. */
export interface BridgeAppOptions {
  /** The read-only graph. */
  reader: GraphReader;
  /** The engine connection. */
  engine: EngineLink;
  /** The per-install app token. */
  token: AppToken;
  /** Origins allowed to call the API from a browser (CORS), each with the token. */
  origins?: readonly string[];
  /** Overrides of {@linkcode DEFAULT_LIMITS}. */
  limits?: Partial<BridgeLimits>;
  /** Where unexpected errors are reported (default: stderr). */
  log?: (message: string, error?: unknown) => void;
}

/**
 * Paths the app token rule applies to: everything but the page, its assets,
 * the SDK and `POST /session` (where the page trades a one-time code for it).
 */
const API_PATHS = [
  "/graph",
  "/graph/*",
  "/shapes",
  "/shapes/*",
  "/user",
  "/observer/*",
  "/capability/*",
];

/**
 * Builds the bridge: a Hono app, one router per resource, with the loopback
 * `Host` guard, security headers, CORS for the configured origins only, the
 * app token rule on API routes, a body size limit and JSON errors.
 *
 * @example
 * ```ts
 * const app = createBridgeApp({ reader, engine, token });
 * const res = await app.request("/shapes", { headers: { Host: "127.0.0.1:3456" } });
 * ```
 *
 * @param options the reader, the engine link, the token and settings
 * @returns the app; serve it with `Deno.serve({ hostname: "127.0.0.1" }, app.fetch)`
 */
export function createBridgeApp(options: BridgeAppOptions): Hono<BridgeEnv> {
  const limits: BridgeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const origins = [...(options.origins ?? [])];
  const services: BridgeServices = {
    reader: options.reader,
    engine: options.engine,
    limits,
    log: options.log ?? logToStderr,
  };
  const auth = appAuth({ token: options.token, origins });
  const app = new Hono<BridgeEnv>();

  app.use(hostGuard());
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: false,
    xFrameOptions: "DENY",
  }));
  app.use(cors({
    origin: origins,
    allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
    maxAge: 600,
  }));
  app.use(bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: () => {
      throw new HTTPException(413, {
        message: `The request body is larger than ${limits.maxBodyBytes} bytes`,
      });
    },
  }));
  for (const path of API_PATHS) app.use(path, auth);

  app.route("/graph", graphRoutes(services));
  app.route("/shapes", shapeRoutes(services));
  app.route("/user", userRoutes(services));
  app.route("/observer", observerRoutes(services));
  app.route("/capability", capabilityRoutes(services));
  app.route("/session", sessionRoutes(options.token));
  app.route("/", credentialRoutes(services));
  app.route("/", staticRoutes());

  app.notFound((c) =>
    errorResponse(
      c,
      404,
      `No route ${c.req.method} ${c.req.path.slice(0, 200)}`,
    )
  );
  app.onError(jsonErrors(services.log));
  return app;
}

function logToStderr(message: string, error?: unknown): void {
  // deno-lint-ignore no-console
  console.error(`agentos bridge: ${message}`, error ?? "");
}
