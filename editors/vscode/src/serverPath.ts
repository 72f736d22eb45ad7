// Location of the `ballast` program: the `ballast.path` setting, else `ballast` on `PATH`.
// This module does not import `vscode`, so node's test runner can load it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where the program was found, or why it was not. */
export type Resolution = { command: string } | { error: string };

/** What the lookup reads from the environment, passed in so tests can set it. */
export interface LookupEnvironment {
  /** The `PATH` variable. */
  path: string | undefined;
  /** The `PATHEXT` variable, read on Windows only. */
  pathExt: string | undefined;
  platform: NodeJS.Platform;
  /** The folder a relative `ballast.path` is resolved against: the first workspace folder. */
  workspaceFolder: string | undefined;
}

/** Reads the lookup environment of the running process. */
export function processEnvironment(workspaceFolder: string | undefined): LookupEnvironment {
  return {
    path: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    workspaceFolder,
  };
}

/**
 * Finds the `ballast` program. A configured path wins and is never replaced by a `PATH`
 * lookup, so a typo in the setting is reported instead of silently running another binary.
 */
export function resolveServer(configured: string | undefined, env: LookupEnvironment): Resolution {
  const setting = (configured ?? "").trim();
  if (setting !== "") {
    const candidate = expandPath(setting, env.workspaceFolder);
    if (isExecutableFile(candidate, env.platform)) {
      return { command: candidate };
    }
    return { error: `ballast.path is set to ${setting}, but ${candidate} is not an executable file.` };
  }

  const found = findOnPath("ballast", env);
  if (found !== undefined) {
    return { command: found };
  }
  return { error: "ballast was not found on PATH, and the ballast.path setting is empty." };
}

/** Expands a leading `~` and resolves a relative path against the workspace folder. */
export function expandPath(setting: string, workspaceFolder: string | undefined): string {
  let expanded = setting;
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  if (!path.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = path.join(workspaceFolder, expanded);
  }
  return expanded;
}

/** Returns the first executable file named `name` in a `PATH` folder. */
export function findOnPath(name: string, env: LookupEnvironment): string | undefined {
  const separator = env.platform === "win32" ? ";" : ":";
  // Windows runs `ballast.exe` for `ballast`; PATHEXT lists the suffixes it tries.
  const suffixes = env.platform === "win32" ? ["", ...(env.pathExt ?? ".EXE").split(";").filter((s) => s !== "")] : [""];

  for (const folder of (env.path ?? "").split(separator)) {
    if (folder === "") {
      continue;
    }
    for (const suffix of suffixes) {
      const candidate = path.join(folder, name + suffix);
      if (isExecutableFile(candidate, env.platform)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function isExecutableFile(candidate: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) {
      return false;
    }
    // Windows has no execute bit; a file found there is taken as runnable.
    if (platform !== "win32") {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
