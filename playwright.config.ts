import { defineConfig, devices } from "@playwright/test";
import { COMPAT_DEPLOYMENTS, E2E_DATA_ROOT, OIDC_CLIENT, PORTS, SSO_GROUP_USER, URLS } from "./e2e/fixtures/servers";
import { E2E_MASTER_KEY } from "./e2e/fixtures/master-key";

// The suite's own processes migrate and seed databases its apps open: they hold the same key.
process.env.ENCLAVE_MASTER_KEY = E2E_MASTER_KEY;

/**
 * End-to-end suite: real headless Chromium (Debian's /usr/bin/chromium) against the production
 * build. It does not build: run `next build` first (the test script does).
 *
 * Three app servers, each on a fresh embedded database, plus two fixtures:
 *   offline  :3100  no AI provider (built-in offline model), dev sign-in on
 *   compat   :3101  OpenAI-compatible provider = the mock model server, dev sign-in on
 *   sso      :3102  OIDC sign-in against the local OpenID provider, dev sign-in off
 *   oidc     :3198  e2e/fixtures/oidc (client enclave/enclave-secret)
 *   mock     :3199  e2e/fixtures/mock-openai
 */

// The Node that runs Playwright (npm puts the project's Node 24 first on the PATH) runs every server.
const NODE = process.execPath;
const NEXT = `${NODE} node_modules/next/dist/bin/next`;
const TSX = `${NODE} node_modules/tsx/dist/cli.mjs`;
const STARTUP_TIMEOUT = 120_000;

/**
 * Variables an app server only gets when its configuration says so. They are removed (`env -u`)
 * so that nothing from the caller's shell (a developer's OPENAI_API_KEY, a DATABASE_URL) leaks
 * into a test server.
 */
const OPTIONAL_VARS = [
  "DATABASE_URL",
  "REDIS_URL",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "MODEL_SMALL",
  "MODEL_LARGE",
  "MODEL_MAX_RETRIES",
  "MODEL_DEPLOYMENTS",
  "MODEL_BREAKER_FAILURES",
  "MODEL_BREAKER_COOLDOWN_MS",
  "MODEL_TIMEOUT_MS",
  "OIDC_ISSUER",
  "OIDC_CLIENT_ID",
  "OIDC_CLIENT_SECRET",
  "OIDC_NAME",
  "OIDC_SCOPES",
  "OIDC_GROUPS_CLAIM",
  "ENCLAVE_DEV_LOGIN",
  "OFFLINE_MODEL_DELAY_MS",
  "MAX_MESSAGE_BYTES",
  "HISTORY_MESSAGE_LIMIT",
  "SESSION_MAX_AGE_HOURS",
] as const;

type AppName = "offline" | "compat" | "sso";
type OptionalVar = (typeof OPTIONAL_VARS)[number];

/**
 * `next start` on a data directory wiped first (every run starts from the seed), with the common
 * environment plus `config`; every other optional variable is unset.
 */
function appServer(name: AppName, config: Partial<Record<OptionalVar, string>>) {
  const port = PORTS[name];
  const dataDir = `${E2E_DATA_ROOT}/${name}`;
  const unset = OPTIONAL_VARS.filter((v) => !(v in config))
    .map((v) => `-u ${v}`)
    .join(" ");
  return {
    command: `bash -c 'rm -rf ${dataDir} && exec env ${unset} ${NEXT} start -p ${port}'`,
    url: `http://localhost:${port}/api/health`,
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_SECRET: `enclave-e2e-${name}-secret-0123456789abcdef`,
      AUTH_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      ENCLAVE_DATA_DIR: dataDir,
      ENCLAVE_MASTER_KEY: E2E_MASTER_KEY,
      ...config,
    },
    reuseExistingServer: false,
    timeout: STARTUP_TIMEOUT,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
  };
}

export default defineConfig({
  testDir: "./e2e",
  // e2e/fixtures also holds Vitest tests (*.test.ts); Playwright only runs specs.
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  forbidOnly: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results",
  use: {
    ...devices["Desktop Chrome"],
    // Headless Chromium from Debian; Playwright's own browser downloads are not used.
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: "offline",
      testMatch: [
        "chat/**/*.spec.ts",
        "isolation/**/*.spec.ts",
        "admin/**/*.spec.ts",
        "team/**/*.spec.ts",
        "api-keys/**/*.spec.ts",
        "openai-api/**/*.spec.ts",
        "unauthorized/**/*.spec.ts",
        "audit/**/*.spec.ts",
        "runtime/**/*.spec.ts",
        "a11y/**/*.spec.ts",
        "memory/**/*.spec.ts",
        "data/**/*.spec.ts",
        "admin-agents/**/*.spec.ts",
        // Starts its own two app processes on PostgreSQL + Redis; needs none of the shared servers.
        "limits/**/*.spec.ts",
        // Start their own app on PostgreSQL (usage seeded into its tables).
        "usage/**/*.spec.ts",
      ],
      use: { baseURL: URLS.offline },
    },
    // security/: the mock model's reply= directive makes replies with the markup under test.
    { name: "compat", testMatch: ["compat/**/*.spec.ts", "security/**/*.spec.ts", "recovery/**/*.spec.ts"], use: { baseURL: URLS.compat } },
    { name: "sso", testMatch: ["sso/**/*.spec.ts"], use: { baseURL: URLS.sso } },
  ],
  webServer: [
    {
      command: `${TSX} e2e/fixtures/mock-openai/cli.ts --port ${PORTS.mock} --host 127.0.0.1`,
      url: `${URLS.mock}/__mock/health`,
      reuseExistingServer: false,
      timeout: STARTUP_TIMEOUT,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      command:
        `${TSX} e2e/fixtures/oidc/cli.ts --port ${PORTS.oidc} --client-id ${OIDC_CLIENT.id} ` +
        `--client-secret ${OIDC_CLIENT.secret} --redirect-uri ${OIDC_CLIENT.redirectUri} ` +
        `--user '${SSO_GROUP_USER.email}:${SSO_GROUP_USER.name}:${SSO_GROUP_USER.groups.join(",")}'`,
      url: `${URLS.oidc}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: STARTUP_TIMEOUT,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    appServer("offline", {
      // Slow enough that streaming is observable in the browser.
      OFFLINE_MODEL_DELAY_MS: "15",
    }),
    appServer("compat", {
      // Two deployments on the one mock: mock-a answers the large tier, mock-b stands in for it
      // (and serves the small tier). A fault with model=mock-large fails mock-a only.
      MODEL_DEPLOYMENTS: JSON.stringify([
        {
          id: COMPAT_DEPLOYMENTS.primary.id,
          provider: "openai-compatible",
          baseURL: `${URLS.mock}/v1`,
          model: COMPAT_DEPLOYMENTS.primary.model,
          tiers: ["large"],
          priority: 0,
        },
        {
          id: COMPAT_DEPLOYMENTS.fallback.id,
          provider: "openai-compatible",
          baseURL: `${URLS.mock}/v1`,
          model: COMPAT_DEPLOYMENTS.fallback.model,
          tiers: ["small", "large"],
          priority: 1,
        },
      ]),
      MODEL_MAX_RETRIES: "0",
      // e2e/compat/openai-compatible.spec.ts fails mock-a at most 4 times in a row before a
      // success, so 5 never opens its breaker by accident; the spec that needs it open uses a 429
      // (open at once for its Retry-After). An accidental open would be over within 2 s.
      MODEL_BREAKER_FAILURES: "5",
      MODEL_BREAKER_COOLDOWN_MS: "2000",
      ENCLAVE_DEV_LOGIN: "true",
    }),
    appServer("sso", {
      OIDC_ISSUER: URLS.oidc,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_NAME: OIDC_CLIENT.name,
      OIDC_SCOPES: "openid email profile groups",
    }),
  ],
});
