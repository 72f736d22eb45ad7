// Translation of the `ballast.*` VS Code settings into the object the language server reads
// from `initializationOptions` and `workspace/didChangeConfiguration`. This module does not
// import `vscode`, so node's test runner can load it.

/** The severities `ballast lint --severity CODE=LEVEL` accepts. */
export const LEVELS = ["error", "warning", "info", "style", "off"] as const;
export type Level = (typeof LEVELS)[number];

/** The settings the server reads, under the key `ballast`. */
export interface ServerSettings {
  select: string[];
  ignore: string[];
  severity: Record<string, Level>;
  shellcheck: boolean;
  shellcheckPath?: string;
  sizeHints: boolean;
}

/** A translation result: the settings, and one message for each value that was skipped. */
export interface Translated {
  settings: ServerSettings;
  problems: string[];
}

/** Reads one setting below `ballast.`, or `undefined` when it is not set. */
export type SettingReader = (key: string) => unknown;

/**
 * Builds the server settings from the `ballast.*` settings. Invalid values are skipped and
 * described, so one typo does not discard the other settings.
 */
export function serverSettings(read: SettingReader): Translated {
  const problems: string[] = [];
  const settings: ServerSettings = {
    select: ruleList(read("select"), "ballast.select", problems),
    ignore: ruleList(read("ignore"), "ballast.ignore", problems),
    severity: severityOverrides(read("severity"), problems),
    shellcheck: flag(read("shellcheck"), true, "ballast.shellcheck", problems),
    sizeHints: flag(read("sizeHints"), true, "ballast.sizeHints", problems),
  };

  const shellcheckPath = read("shellcheckPath");
  if (typeof shellcheckPath === "string" && shellcheckPath.trim() !== "") {
    settings.shellcheckPath = shellcheckPath.trim();
  } else if (shellcheckPath !== undefined && shellcheckPath !== null && typeof shellcheckPath !== "string") {
    problems.push(`ballast.shellcheckPath: expected a path, got ${JSON.stringify(shellcheckPath)}`);
  }
  return { settings, problems };
}

function ruleList(value: unknown, name: string, problems: string[]): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(`${name}: expected a list of rule codes, got ${JSON.stringify(value)}`);
    return [];
  }

  const codes: string[] = [];
  for (const item of value) {
    if (typeof item !== "string") {
      problems.push(`${name}: expected a rule code, got ${JSON.stringify(item)}`);
      continue;
    }
    const code = item.trim();
    if (code !== "") {
      codes.push(code);
    }
  }
  return codes;
}

function severityOverrides(value: unknown, problems: string[]): Record<string, Level> {
  const overrides: Record<string, Level> = {};
  if (value === undefined || value === null) {
    return overrides;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`ballast.severity: expected an object from rule code to level, got ${JSON.stringify(value)}`);
    return overrides;
  }

  for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
    const normalized = typeof level === "string" ? level.trim().toLowerCase() : level;
    if (typeof normalized === "string" && (LEVELS as readonly string[]).includes(normalized)) {
      overrides[code.trim()] = normalized as Level;
    } else {
      problems.push(`ballast.severity.${code}: expected one of ${LEVELS.join(", ")}, got ${JSON.stringify(level)}`);
    }
  }
  return overrides;
}

function flag(value: unknown, fallback: boolean, name: string, problems: string[]): boolean {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== "boolean") {
    problems.push(`${name}: expected true or false, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}
