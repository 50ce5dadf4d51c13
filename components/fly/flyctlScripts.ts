/**
 * The shell scripts FlyApp runs with flyctl on the operator's machine (`command:local:Command`).
 * They are constants: every value (app, region, file contents, the API token) arrives in the
 * command's environment, and secret values on stdin, so nothing dynamic is ever spliced into a
 * shell line and a script can be shellchecked and run against a fake flyctl exactly as shipped.
 * Each is idempotent: it looks before it creates, so running it again changes nothing.
 */

/** First line of every script: names the step, so plans, artifact extraction and policies can tell them apart. */
const MARKER = "# harness:flyctl ";

export type FlyctlStep = "app" | "volume" | "private-ip" | "secrets" | "deploy";

/** The step a command's script performs, or undefined for any other command. */
export function flyctlStepOf(script: string | undefined): FlyctlStep | undefined {
  if (!script?.startsWith(MARKER)) return undefined;
  return script.slice(MARKER.length, script.indexOf("\n")) as FlyctlStep;
}

/**
 * The build context `flyctl deploy` receives: each file travels in one environment variable of the
 * deploy command (a leaf input policies can read) and is written to a fresh temporary directory.
 */
export const FLY_BUILD_FILES = [
  { file: "fly.toml", env: "FLY_BUILD_FLY_TOML" },
  { file: "Dockerfile", env: "FLY_BUILD_DOCKERFILE" },
  { file: "start.sh", env: "FLY_BUILD_START_SH" },
  { file: "config.json", env: "FLY_BUILD_CONFIG_JSON" },
  { file: "claude-managed-settings.json", env: "FLY_BUILD_CLAUDE_MANAGED_SETTINGS_JSON" },
] as const;

export type FlyBuildFileName = (typeof FLY_BUILD_FILES)[number]["file"];

/** The line the deploy prints after a deployment; the next run compares it to skip an unchanged build. */
export const DEPLOYED_MARKER = "deployed build";

const PRELUDE = [
  "set -eu",
  'fail() { echo "flyctl $STEP: $*" >&2; exit 1; }',
  'need() { for name in "$@"; do [ -n "$(printenv "$name" || true)" ] || fail "$name is not set"; done; }',
  "need FLY_API_TOKEN FLY_APP",
  // flyctl's JSON keys differ between commands and releases (Name/name, SizeGb/size_gb): a field
  // may list its spellings.
  "# json_rows FILTER FIELD...: a line per element of the JSON array on stdin that FILTER",
  '# (FIELD=VALUE, or "" for all) selects, with the FIELDs tab-separated; a FIELD may list spellings (a|b).',
  "json_rows() {",
  "  node -e '",
  "    const [filter, ...fields] = process.argv.slice(1);",
  "    const pick = (item, spec) => {",
  '      for (const key of spec.split("|")) if (item[key] !== undefined && item[key] !== null) return String(item[key]);',
  '      return "";',
  "    };",
  '    const split = filter.indexOf("=");',
  '    let text = "";',
  '    process.stdin.on("data", (chunk) => { text += chunk; }).on("end", () => {',
  "      let items;",
  '      try { items = JSON.parse(text.trim() === "" ? "[]" : text) ?? []; } catch {',
  '        console.error("flyctl printed something that is not JSON"); process.exit(1);',
  "      }",
  "      for (const item of items) {",
  "        if (split >= 0 && pick(item, filter.slice(0, split)) !== filter.slice(split + 1)) continue;",
  '        console.log(fields.map((field) => pick(item, field)).join("\\t"));',
  "      }",
  '    });\' "$@"',
  "}",
];

function script(step: FlyctlStep, body: readonly string[]): string {
  return [`${MARKER}${step}`, `STEP=${step}`, ...PRELUDE, ...body, ""].join("\n");
}

/** Creates the app in its organization unless it exists. Never deletes it (it owns the volume). */
export const APP_SCRIPT = script("app", [
  "need FLY_ORG",
  'apps="$(flyctl apps list --json)"',
  'if [ -n "$(printf \'%s\' "$apps" | json_rows "Name|name=$FLY_APP" "Name|name")" ]; then',
  '  echo "app $FLY_APP exists"',
  "else",
  '  flyctl apps create "$FLY_APP" --org "$FLY_ORG"',
  "fi",
]);

/**
 * Creates the volume unless it exists; fails when the one that exists is not the declared one
 * (another region or size, or several of that name), rather than deploying onto a surprise.
 */
export const VOLUME_SCRIPT = script("volume", [
  "need FLY_VOLUME FLY_REGION FLY_VOLUME_SIZE_GB",
  'listed="$(flyctl volumes list --app "$FLY_APP" --json)"',
  'volumes="$(printf \'%s\' "$listed" | json_rows "name|Name=$FLY_VOLUME" "id|ID" "size_gb|SizeGb" "region|Region")"',
  'if [ -z "$volumes" ]; then',
  '  flyctl volumes create "$FLY_VOLUME" --app "$FLY_APP" --region "$FLY_REGION" --size "$FLY_VOLUME_SIZE_GB" --yes',
  "  exit 0",
  "fi",
  'if [ "$(printf \'%s\\n\' "$volumes" | wc -l)" -gt 1 ]; then',
  '  fail "the app has several volumes named $FLY_VOLUME; the machine must always mount the same one: destroy the extra ones (flyctl volumes list)"',
  "fi",
  'id="$(printf \'%s\' "$volumes" | cut -f1)"',
  'size="$(printf \'%s\' "$volumes" | cut -f2)"',
  'region="$(printf \'%s\' "$volumes" | cut -f3)"',
  'if [ -n "$region" ] && [ "$region" != "$FLY_REGION" ]; then',
  '  fail "volume $id is in $region, but the stack\'s region (flyRegion) is $FLY_REGION"',
  "fi",
  'if [ -n "$size" ] && [ "$size" != "$FLY_VOLUME_SIZE_GB" ]; then',
  '  fail "volume $id has $size GB, but flyVolumeSizeGb is $FLY_VOLUME_SIZE_GB: extend it (flyctl volumes extend $id --size $FLY_VOLUME_SIZE_GB) or set flyVolumeSizeGb to $size (volumes never shrink)"',
  "fi",
  'echo "volume $FLY_VOLUME exists ($id)"',
]);

/**
 * Private networking only: allocates the app's Flycast (private IPv6) address unless it has one,
 * and fails when any public address is allocated (this stack is reached over Tailscale only).
 */
export const PRIVATE_IP_SCRIPT = script("private-ip", [
  'listed="$(flyctl ips list --app "$FLY_APP" --json)"',
  'addresses="$(printf \'%s\' "$listed" | json_rows "" "Type|type" "Address|address")"',
  "public=\"$(printf '%s\\n' \"$addresses\" | grep -v -e '^private_v6' -e '^$' | cut -f2 | paste -sd ' ' - || true)\"",
  'if [ -n "$public" ]; then',
  '  fail "the app has public addresses ($public): this stack is private (Tailscale only); release them with flyctl ips release <address> --app $FLY_APP"',
  "fi",
  "if printf '%s\\n' \"$addresses\" | grep -q '^private_v6'; then",
  '  echo "the app has its private (Flycast) address"',
  "else",
  '  flyctl ips allocate-v6 --private --app "$FLY_APP"',
  "fi",
]);

/**
 * Stages the app's secrets from stdin (`NAME=VALUE` lines; never an argument), then unstages any
 * secret the stack no longer declares, so a removed credential leaves the machine on the next
 * deploy. FLY_SECRET_NAMES (space-separated) is the declared list: the names, never the values.
 */
export const SECRETS_SCRIPT = script("secrets", [
  "need FLY_SECRET_NAMES",
  'flyctl secrets import --stage --app "$FLY_APP"',
  'listed="$(flyctl secrets list --app "$FLY_APP" --json)"',
  "stale=''",
  'for name in $(printf \'%s\' "$listed" | json_rows "" "Name|name"); do',
  '  case " $FLY_SECRET_NAMES " in',
  '  *" $name "*) ;;',
  '  *) stale="$stale $name" ;;',
  "  esac",
  "done",
  'if [ -n "$stale" ]; then',
  '  echo "unsetting secrets the stack no longer declares:$stale"',
  "  # shellcheck disable=SC2086 # secret names: letters, digits and _ only",
  '  flyctl secrets unset --stage --app "$FLY_APP" $stale',
  "fi",
]);

/**
 * Writes the build context from the environment into a fresh temporary directory and deploys it:
 * one machine (--ha=false: the volume can attach to one machine only), no public IPs, built by
 * Fly's remote builder. FLY_DEPLOY_HASH digests the build files and the staged secrets; when the
 * previous run (PULUMI_COMMAND_STDOUT) deployed that same digest, nothing is redeployed, so
 * rotating the Fly API token does not restart Paperclip.
 */
export const DEPLOY_SCRIPT = script("deploy", [
  `need FLY_DEPLOY_HASH ${FLY_BUILD_FILES.map((f) => f.env).join(" ")}`,
  `deployed="${DEPLOYED_MARKER} $FLY_DEPLOY_HASH"`,
  'if printf \'%s\\n\' "${PULUMI_COMMAND_STDOUT:-}" | grep -qxF "$deployed"; then',
  '  echo "the build and its secrets are unchanged since the last deployment: not redeploying"',
  '  echo "$deployed"',
  "  exit 0",
  "fi",
  'context="$(mktemp -d)"',
  "trap 'rm -rf \"$context\"' EXIT",
  ...FLY_BUILD_FILES.map((f) => `printf '%s' "$${f.env}" >"$context/${f.file}"`),
  'flyctl deploy "$context" --config "$context/fly.toml" --app "$FLY_APP" --remote-only --ha=false --no-public-ips',
  'echo "$deployed"',
]);
